package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	future := filepath.Join(dir, "future.db")
	st := openAt(t, future)
	st.Close()
	db, err := sql.Open("sqlite", future)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE version_info SET schema_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cases := []struct {
		path, want string
		sentinel   error
	}{
		{"", `sqlite path = ""`, tuner.ErrConfig},
		{":memory:", `sqlite path = ":memory:"`, tuner.ErrConfig},
		{filepath.Join(dir, "no", "such", "dir", "x.db"), "x.db", tuner.ErrStorage},
		{garbage, "garbage.db", tuner.ErrStorage},
		{future, "schema version = 99, want 1 to 2", tuner.ErrStorage},
	}
	for _, c := range cases {
		st, err := sqlite.Open(c.path)
		if err == nil {
			st.Close()
		}
		if !errors.Is(err, c.sentinel) || !strings.Contains(fmt.Sprint(err), c.want) {
			t.Errorf("Open(%q): %v, want %v mentioning %q", c.path, err, c.sentinel, c.want)
		}
	}
}

// TestPathsAreFileNames: characters that mean something in a URI are part
// of the file name, and a relative path is taken from the working directory.
func TestPathsAreFileNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a?mode=ro.db", "b#frag.db", "c%20d.db", "with space.db", "file:e.db"} {
		path := filepath.Join(dir, name)
		st := openAt(t, path)
		if _, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize}); err != nil {
			t.Errorf("%q: %v", name, err)
		}
		if st.Path() != path {
			t.Errorf("%q: Path() = %q, want %q", name, st.Path(), path)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%q: the file is not there: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "-wal") && !strings.HasSuffix(e.Name(), "-shm") {
			names = append(names, e.Name())
		}
	}
	if len(names) != 5 {
		t.Errorf("files made: %q, want exactly the 5 named", names)
	}
}

// TestStoredLayout reads the file with plain SQL: Optuna's tables, states
// by name, ±Inf and NaN as types with a NULL value, −0 as a real.
func TestStoredLayout(t *testing.T) {
	path := tempPath(t)
	st := openAt(t, path)
	id := studyID(t, st, "layout")
	values := []float64{1.25, math.Inf(1), math.Inf(-1), math.NaN(), negZero}
	for _, v := range values {
		ft, err := st.CreateTrial(ctx, id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetTrialIntermediate(ctx, ft.ID, 3, v); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTrialParam(ctx, ft.ID, "c", 1, tuner.CategoricalDist{Choices: []any{"a", "b"}}); err != nil {
			t.Fatal(err)
		}
		state, kind, values := tuner.Complete, tuner.FailKind(""), []float64{v}
		if math.IsNaN(v) {
			state, kind, values = tuner.Failed, tuner.FailNaN, nil
		}
		if err := st.FinishTrial(ctx, ft.ID, state, values, kind, ""); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := []struct {
		query string
		want  [][]string
	}{
		{`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`, [][]string{{"studies"}, {"trial_attributes"},
			{"trial_intermediate_values"}, {"trial_params"}, {"trial_values"}, {"trials"}, {"version_info"}}},
		{`SELECT study_name, direction FROM studies`, [][]string{{"layout", "MINIMIZE"}}},
		{`SELECT schema_version FROM version_info`, [][]string{{"2"}}},
		{`SELECT number, state, fail_kind FROM trials ORDER BY number`, [][]string{{"0", "COMPLETE", ""}, {"1", "COMPLETE", ""}, {"2", "COMPLETE", ""}, {"3", "FAIL", "nan"}, {"4", "COMPLETE", ""}}},
		{`SELECT quote(value), value_type, typeof(value) FROM trial_values ORDER BY trial_id`, [][]string{
			{"1.25", "FINITE", "real"}, {"NULL", "INF_POS", "null"}, {"NULL", "INF_NEG", "null"}, {"NULL", "NAN", "null"}, {"0.0", "FINITE", "real"}}}, // quote() drops −0's sign: see below
		{`SELECT step, quote(value), value_type FROM trial_intermediate_values ORDER BY trial_id`, [][]string{
			{"3", "1.25", "FINITE"}, {"3", "NULL", "INF_POS"}, {"3", "NULL", "INF_NEG"}, {"3", "NULL", "NAN"}, {"3", "0.0", "FINITE"}}},
		{`SELECT DISTINCT param_name, quote(param_value), typeof(param_value), distribution_json FROM trial_params`, [][]string{
			{"c", "1.0", "real", `{"type":"categorical","choices":[{"t":"string","v":"a"},{"t":"string","v":"b"}]}`}}},
	}
	for _, q := range queries {
		if got := queryStrings(t, db, q.query); !reflect.DeepEqual(got, q.want) {
			t.Errorf("%s\n got %q\nwant %q", q.query, got, q.want)
		}
	}
	// −0 is stored as a real with its sign.
	for _, table := range []string{"trial_values", "trial_intermediate_values"} {
		var v float64
		if err := db.QueryRow(`SELECT value FROM ` + table + ` ORDER BY trial_id DESC LIMIT 1`).Scan(&v); err != nil || !sameFloat(v, negZero) {
			t.Errorf("%s: last value %v (sign bit %v, %v), want −0", table, v, math.Signbit(v), err)
		}
	}
	// The CHECKs refuse a value that disagrees with its type.
	for _, bad := range []string{
		`INSERT INTO trial_intermediate_values (trial_id, step, value, value_type) VALUES (1, 9, 1.5, 'NAN')`,
		`INSERT INTO trial_intermediate_values (trial_id, step, value, value_type) VALUES (1, 9, NULL, 'FINITE')`,
		`INSERT INTO trial_intermediate_values (trial_id, step, value, value_type) VALUES (1, 9, 'text', 'FINITE')`,
		`UPDATE trials SET state = 'DONE' WHERE number = 0`,
	} {
		if _, err := db.Exec(bad); err == nil || !strings.Contains(err.Error(), "CHECK") {
			t.Errorf("%s: %v, want a CHECK failure", bad, err)
		}
	}
}

// queryStrings returns every row of query, each column as text.
func queryStrings(t *testing.T, db *sql.DB, query string) [][]string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		row := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		strs := make([]string, len(cols))
		for i, v := range row {
			strs[i] = v.String
		}
		out = append(out, strs)
	}
	return out
}

// TestClosedAndCancelled: calls on a closed Storage or with a cancelled
// context fail with tuner.ErrStorage (and the context's error), not a panic.
func TestClosedAndCancelled(t *testing.T) {
	st := openAt(t, tempPath(t))
	id := studyID(t, st, "s")
	ft, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	calls := func(c context.Context) []func() error {
		return []func() error{
			func() error { _, _, err := st.GetOrCreateStudy(c, "s", []tuner.Direction{tuner.Minimize}); return err },
			func() error { _, err := st.CreateTrial(c, id, nil, nil); return err },
			func() error { _, err := st.Trials(c, id); return err },
			func() error { return st.SetTrialIntermediate(c, ft.ID, 0, 1) },
			func() error { return st.FinishTrial(c, ft.ID, tuner.Complete, []float64{1}, "", "") },
		}
	}
	for i, call := range calls(cancelled) {
		if err := call(); !errors.Is(err, tuner.ErrStorage) || !errors.Is(err, context.Canceled) {
			t.Errorf("call %d with a cancelled context: %v, want ErrStorage and context.Canceled", i, err)
		}
	}
	if got := allTrials(t, st, id); len(got) != 1 || got[0].State != tuner.Running || len(got[0].Intermediate) != 0 {
		t.Errorf("cancelled calls changed the study: %+v", got)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for i, call := range calls(ctx) {
		if err := call(); !errors.Is(err, tuner.ErrStorage) {
			t.Errorf("call %d after Close: %v, want ErrStorage", i, err)
		}
	}
}
