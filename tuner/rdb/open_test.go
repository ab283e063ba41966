package rdb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfiletest"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

func tables(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return names
}

// TestOpenRefuses: gradtune's earlier schema, Optuna's schema at an older
// or newer alembic revision, and other databases are refused with an error
// naming what was expected and the way out, and the file is left as it was.
func TestOpenRefuses(t *testing.T) {
	old := tempPath(t)
	st, err := sqlite.Open(old)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	newer, older, other := tempPath(t), tempPath(t), tempPath(t)
	openAt(t, newer).Close()
	studyfiletest.Exec(t, newer, `UPDATE alembic_version SET version_num = 'v3.2.0.a'`)
	openAt(t, older).Close()
	studyfiletest.Exec(t, older, `UPDATE alembic_version SET version_num = 'v2.6.0.a'`)
	studyfiletest.Exec(t, other, `CREATE TABLE things (id INTEGER)`)
	cases := []struct {
		path     string
		sentinel error
		want     []string
	}{
		{old, rdb.ErrOldSchema, []string{"gradtune's own tables", "want Optuna 3.1's", "mv " + old + " " + old + ".old"}},
		{newer, rdb.ErrSchemaRevision, []string{`alembic revision "v3.2.0.a", want "v3.0.0.d"`, "newer Optuna"}},
		{older, rdb.ErrSchemaRevision, []string{`"v2.6.0.a", want "v3.0.0.d"`, "optuna storage upgrade --storage sqlite:///" + older}},
		{other, rdb.ErrSchemaRevision, []string{"tables things", "not an Optuna study database"}},
	}
	for _, c := range cases {
		before := tables(t, c.path)
		st, err := rdb.OpenSQLite(c.path)
		if err == nil {
			st.Close()
		}
		if !errors.Is(err, c.sentinel) || !errors.Is(err, tuner.ErrStorage) {
			t.Errorf("OpenSQLite(%s): %v, want %v and tuner.ErrStorage", c.path, err, c.sentinel)
		}
		for _, w := range c.want {
			if !strings.Contains(fmt.Sprint(err), w) {
				t.Errorf("OpenSQLite(%s): %v, want it to say %q", c.path, err, w)
			}
		}
		if after := tables(t, c.path); !reflect.DeepEqual(after, before) {
			t.Errorf("OpenSQLite(%s) changed the tables %v to %v", c.path, before, after)
		}
	}
	if _, err := rdb.OpenSQLite(""); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf(`OpenSQLite(""): %v, want tuner.ErrConfig`, err)
	}
}

// TestDirectionMismatchWritesNothing: reopening a study with the other
// direction is tuner.ErrConfig naming both, and adds no rows.
func TestDirectionMismatchWritesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		st := openURL(t, url)
		if _, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize}); err != nil {
			t.Fatal(err)
		}
		_, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Maximize})
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(fmt.Sprint(err), `study "s" exists with direction`) {
			t.Errorf("reopen with Maximize: %v, want ErrConfig naming the stored direction", err)
		}
		db := rawDB(t, url)
		if studies, dirs := count(t, db, "studies"), count(t, db, "study_directions"); studies != 1 || dirs != 1 {
			t.Errorf("%d studies and %d directions after the refused reopen, want 1 and 1", studies, dirs)
		}
	})
}

// TestConcurrentOpenOfNewFile: Storages opening one new file at once
// create the schema once.
func TestConcurrentOpenOfNewFile(t *testing.T) {
	path := tempPath(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			st, err := rdb.OpenSQLite(path)
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
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions, revisions, studies int
	db.QueryRow(`SELECT count(*) FROM version_info`).Scan(&versions)
	db.QueryRow(`SELECT count(*) FROM alembic_version`).Scan(&revisions)
	db.QueryRow(`SELECT count(*) FROM studies`).Scan(&studies)
	if versions != 1 || revisions != 1 || studies != 1 {
		t.Errorf("%d version rows, %d revisions, %d studies; want 1 each", versions, revisions, studies)
	}
}

// TestGridPointsOnceAcrossStorages: three Storages on one database (as
// three processes would have) run one grid study at once; BEGIN IMMEDIATE
// on SQLite, the study row lock on PostgreSQL make every grid point
// claimed exactly once.
func TestGridPointsOnceAcrossStorages(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		a, b := []any{0, 1, 2, 3, 4, 5}, []any{"p", "q", "r", "s"}
		var wg sync.WaitGroup
		for w := range 3 {
			st := openURL(t, url)
			wg.Go(func() {
				g := &tuner.GridSampler{Space: map[string][]any{"a": a, "b": b}, Shuffle: true, Seed: uint64(w)}
				s, err := tuner.Open(ctx, tuner.Config{Name: "grid", Storage: st, Sampler: g, Parallelism: 2})
				if err != nil {
					t.Error(err)
					return
				}
				obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
					return float64(tr.Int("a", 0, 5)) + float64(len(tr.String("b", "p", "q", "r", "s"))), nil
				}
				if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 100}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		st := openURL(t, url)
		id, _, err := st.GetOrCreateStudy(ctx, "grid", []tuner.Direction{tuner.Minimize})
		if err != nil {
			t.Fatal(err)
		}
		trials, err := st.Trials(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		done := map[string]int{}
		for i, tr := range trials {
			if tr.Number != i || tr.State != tuner.Complete {
				t.Errorf("trial %d: number %d, %v %q", i, tr.Number, tr.State, tr.FailReason)
			}
			done[fmt.Sprint(tr.Params["a"], tr.Params["b"])]++
		}
		for _, x := range a {
			for _, y := range b {
				if n := done[fmt.Sprint(x, y)]; n != 1 {
					t.Errorf("grid point a=%v b=%v done %d times, want once", x, y, n)
				}
			}
		}
		if len(trials) != len(a)*len(b) {
			t.Errorf("%d trials, want the %d grid points", len(trials), len(a)*len(b))
		}
	})
}
