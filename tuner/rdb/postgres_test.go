package rdb_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/internal/testdb"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// TestPostgresSchemaMatchesOptuna compares the catalog
// (testdata/schema-postgres.sql) of what OpenPostgres creates with that of
// what the real Optuna 3.1.0 creates (testdata/optuna-3.1.0-schema-postgres.txt,
// written by testdata/gen_schema_postgres.py): enum types and labels,
// columns, constraints, indexes, sequences and version rows.
func TestPostgresSchemaMatchesOptuna(t *testing.T) {
	url := testdb.Postgres(t)
	want, err := os.ReadFile("testdata/optuna-3.1.0-schema-postgres.txt")
	if err != nil {
		t.Fatal(err)
	}
	query, err := os.ReadFile("testdata/schema-postgres.sql")
	if err != nil {
		t.Fatal(err)
	}
	openURL(t, url).Close()
	rows, err := rawDB(t, url).Query(string(query))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	lines := []string{"-- optuna 3.1.0 on PostgreSQL: schema-postgres.sql of an empty RDBStorage"}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines, "\n"); normalize(got) != normalize(string(want)) {
		t.Errorf("schema differs from Optuna 3.1.0's\n got:\n%s\nwant:\n%s", got, want)
	}
}

// TestPostgresRefusesNewerRevision: a database an Optuna newer than 3.1
// upgraded is refused with ErrSchemaRevision naming both revisions, and
// left as it was.
func TestPostgresRefusesNewerRevision(t *testing.T) {
	url := testdb.Postgres(t)
	openURL(t, url).Close()
	db := rawDB(t, url)
	if _, err := db.Exec(`UPDATE alembic_version SET version_num = 'v3.2.0.a'`); err != nil {
		t.Fatal(err)
	}
	st, err := rdb.Open(ctx, url)
	if err == nil {
		st.Close()
	}
	if !errors.Is(err, rdb.ErrSchemaRevision) || !strings.Contains(fmt.Sprint(err), `alembic revision "v3.2.0.a", want "v3.0.0.d"`) {
		t.Errorf("open: %v, want ErrSchemaRevision naming v3.2.0.a and v3.0.0.d", err)
	}
	var rev string
	if err := db.QueryRow(`SELECT version_num FROM alembic_version`).Scan(&rev); err != nil || rev != "v3.2.0.a" || count(t, db, "studies") != 0 {
		t.Errorf("after the refused open: revision %q (%v), want v3.2.0.a untouched", rev, err)
	}
}

// TestPostgresConcurrentOpen: Storages opening one new database at once
// create the schema once (the advisory lock) and one study of one name
// (the retried unique violation).
func TestPostgresConcurrentOpen(t *testing.T) {
	url := testdb.Postgres(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			st, err := rdb.Open(ctx, url)
			if err == nil {
				_, _, err = st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize})
				st.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	db := rawDB(t, url)
	if v, r, s := count(t, db, "version_info"), count(t, db, "alembic_version"), count(t, db, "studies"); v != 1 || r != 1 || s != 1 {
		t.Errorf("%d version rows, %d revisions, %d studies; want 1 each", v, r, s)
	}
}

// TestPostgresStepRange: a step beyond Optuna's 32-bit step column is
// tuner.ErrConfig naming the range, not a driver error.
func TestPostgresStepRange(t *testing.T) {
	st := openURL(t, testdb.Postgres(t))
	id, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = st.SetTrialIntermediate(ctx, tr.ID, 1<<40, 1)
	if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(fmt.Sprint(err), "want one in [-2147483648, 2147483647]") {
		t.Errorf("step 1<<40: %v, want ErrConfig naming the 32-bit range", err)
	}
}

// TestOpenURLErrors: a malformed URL, another scheme, or an unreachable
// server is an error naming the URL without its password.
func TestOpenURLErrors(t *testing.T) {
	cases := []struct {
		url      string
		sentinel error
		want     string
	}{
		{"postgres://alice:s3cret@127.0.0.1:1/db?connect_timeout=2", tuner.ErrStorage, "postgres://alice:xxxxx@127.0.0.1:1/db"},
		{"postgres://alice:s3cret@%zz/db", tuner.ErrConfig, `"postgres://..."`},
		{"postgresql:///db", tuner.ErrConfig, "no host"},
		{"mysql://alice:s3cret@host/db", tuner.ErrConfig, "mysql://alice:xxxxx@host/db"},
		{"sqlite://relative.db", tuner.ErrConfig, "want sqlite:///FILE"},
		{"study.db", tuner.ErrConfig, "sqlite:////ABSOLUTE/FILE or postgres://"},
	}
	for _, c := range cases {
		st, err := rdb.Open(ctx, c.url)
		if err == nil {
			st.Close()
		}
		if !errors.Is(err, c.sentinel) || !strings.Contains(fmt.Sprint(err), c.want) || strings.Contains(fmt.Sprint(err), "s3cret") {
			t.Errorf("Open(%s): %v, want %v naming %q and no password", c.url, err, c.sentinel, c.want)
		}
	}
}
