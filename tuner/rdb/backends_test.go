package rdb_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/internal/testdb"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// backend makes a new, empty study database and returns its storage URL.
type backend struct {
	name  string
	fresh func(t *testing.T) string
}

// backends are the databases the storage runs on. PostgreSQL's subtests
// skip without GRADTUNE_PG_URL (or fail, with GRADTUNE_REQUIRE_SERVERS=1).
var backends = []backend{
	{"sqlite", func(t *testing.T) string { return "sqlite:///" + tempPath(t) }},
	{"postgres", func(t *testing.T) string { return testdb.Postgres(t) }},
}

// eachBackend runs fn as a subtest per backend, on a fresh database.
func eachBackend(t *testing.T, fn func(t *testing.T, url string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.fresh(t)) })
	}
}

// openURL opens url with rdb.Open and closes it when the test ends.
func openURL(t *testing.T, url string) *rdb.Storage {
	t.Helper()
	st, err := rdb.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// rawDB opens the database of url directly, bypassing the storage.
func rawDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", url
	if path, ok := strings.CutPrefix(url, "sqlite:///"); ok {
		driver, dsn = "sqlite", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// count is SELECT count(*) FROM table in db.
func count(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// requirePythonFor skips (or, in CI, fails) unless python3 imports optuna,
// and for PostgreSQL psycopg2.
func requirePythonFor(t *testing.T, url string) {
	t.Helper()
	requireOptuna(t)
	if !strings.HasPrefix(url, "sqlite:") {
		testdb.Python(t, "psycopg2")
	}
}
