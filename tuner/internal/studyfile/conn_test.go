package studyfile

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Every connection of OpenDB refuses SQL stored in views and triggers and
// values over MaxValueBytes, and still runs foreign-key actions.
func TestOpenDBGuardsEveryConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := OpenDB(URI(path) + "?_pragma=foreign_keys(1)" + SafeDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxIdleConns(0) // a new connection for every statement: each must be guarded
	for _, s := range []string{
		`CREATE TABLE p (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id) ON DELETE CASCADE)`,
		`INSERT INTO p VALUES (1)`,
		`INSERT INTO c VALUES (1, 1)`,
		`DELETE FROM p WHERE id = 1`,
		`CREATE VIEW v AS SELECT 1 AS one`,
		`CREATE TRIGGER tr AFTER INSERT ON p BEGIN DELETE FROM c; END`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM c`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after ON DELETE CASCADE: %d rows of c (%v), want 0", n, err)
	}
	for _, c := range []struct{ stmt, want string }{
		{`SELECT one FROM v`, "not authorized"},
		{`INSERT INTO p VALUES (2)`, "not authorized"},
		{`SELECT length(printf('%.*c', 16777217, 'x'))`, "too big"},
	} {
		_, err := db.ExecContext(ctx, c.stmt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.stmt, err, c.want)
		}
	}
	// A value just under the cap (a row holds a few bytes more) passes.
	if err := db.QueryRowContext(ctx, `SELECT length(printf('%.*c', ?, 'x'))`, MaxValueBytes-64).Scan(&n); err != nil || n != MaxValueBytes-64 {
		t.Errorf("a value of MaxValueBytes-64: %d, %v", n, err)
	}
}
