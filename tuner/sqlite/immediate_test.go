package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// rawConn opens the file as another process would, with no busy timeout,
// so that a held lock shows at once as "database is locked".
func rawConn(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestWritesBeginImmediate: a transaction begun on the write handle holds
// the write lock before its first statement (BEGIN IMMEDIATE), so another
// writer is locked out until it ends; a transaction on the read handle, or
// a plain deferred BEGIN, takes no lock. Without _txlock=immediate the first
// row would see the insert succeed.
func TestWritesBeginImmediate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lock.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := rawConn(t, path)
	cases := []struct {
		name   string
		begin  func() (*sql.Tx, error)
		locked bool
	}{
		{"write handle", func() (*sql.Tx, error) { return s.w.BeginTx(ctx, nil) }, true},
		{"read handle", func() (*sql.Tx, error) { return s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) }, false},
		{"deferred (control)", func() (*sql.Tx, error) { return rawConn(t, path).BeginTx(ctx, nil) }, false},
	}
	for i, c := range cases {
		tx, err := c.begin()
		if err != nil {
			t.Fatal(err)
		}
		_, err = other.Exec(`INSERT INTO studies (study_name, direction) VALUES (?, 'MINIMIZE')`, c.name)
		if locked := err != nil && strings.Contains(err.Error(), "database is locked"); locked != c.locked || err != nil && !locked {
			t.Errorf("%s: another writer got %v, want locked = %v", c.name, err, c.locked)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if c.locked {
			if _, err := other.Exec(`INSERT INTO studies (study_name, direction) VALUES (?, 'MINIMIZE')`, c.name); err != nil {
				t.Errorf("%s: after the rollback another writer got %v", c.name, err)
			}
		}
		var n int
		if err := other.QueryRow(`SELECT count(*) FROM studies`).Scan(&n); err != nil || n != i+1 {
			t.Errorf("%s: %d studies (%v), want %d", c.name, n, err, i+1)
		}
	}
}

// TestConnectionSettings: WAL, the busy timeout and foreign keys on the
// write handle; the read handle may not write.
func TestConnectionSettings(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "settings.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.w, "journal_mode", "wal"},
		{s.w, "busy_timeout", "10000"},
		{s.w, "foreign_keys", "1"},
		{s.w, "query_only", "0"},
		{s.r, "journal_mode", "wal"},
		{s.r, "busy_timeout", "10000"},
		{s.r, "query_only", "1"},
	}
	for _, c := range cases {
		var got string
		if err := c.db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", c.pragma, got, err, c.want)
		}
	}
	if _, err := s.r.Exec(`INSERT INTO studies (study_name, direction) VALUES ('x', 'MINIMIZE')`); err == nil {
		t.Error("the read handle wrote")
	}
}
