package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// TestLegacyStudyCountsAsBefore: a study written before fail kinds (schema
// version 1, reasons as messages only) opens, migrated to version 2; each
// trial gets the kind its message meant and counts toward TotalTrials as it
// did then; resuming its grid runs exactly the two points no trial holds
// (8, whose trial went stale, and 9).
func TestLegacyStudyCountsAsBefore(t *testing.T) {
	script, err := os.ReadFile("testdata/study_v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := tempPath(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(script)); err != nil {
		t.Fatal(err)
	}
	if got := queryStrings(t, db, `SELECT schema_version FROM version_info`); !reflect.DeepEqual(got, [][]string{{"1"}}) {
		t.Fatalf("fixture schema version %v, want 1", got)
	}
	st := openAt(t, path)
	if got := queryStrings(t, db, `SELECT schema_version FROM version_info`); !reflect.DeepEqual(got, [][]string{{"2"}}) {
		t.Errorf("schema version after Open %v, want 2", got)
	}
	db.Close()

	grid := &tuner.GridSampler{Space: map[string][]any{"x": {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0}}}
	s := openStudy(t, tuner.Config{Name: "v1", Storage: st, Sampler: grid, Parallelism: 2})
	trials, err := s.Trials(ctx)
	if err != nil || len(trials) != 11 {
		t.Fatalf("%d trials (%v), want the fixture's 11", len(trials), err)
	}
	wantKinds := map[int]tuner.FailKind{1: tuner.FailUnknown, 2: tuner.FailPanic, 3: tuner.FailNaN, 4: tuner.FailUnknown,
		5: tuner.FailInterrupted, 9: tuner.FailStale, 10: tuner.FailNotRun}
	counted := 0
	for _, tr := range trials {
		if tr.FailKind != wantKinds[tr.Number] {
			t.Errorf("trial %d (%v %q): kind %q, want %q", tr.Number, tr.State, tr.FailReason, tr.FailKind, wantKinds[tr.Number])
		}
		if got := strconv.FormatBool(tr.Counted()); got != tr.Attrs["old_counted"] {
			t.Errorf("trial %d (%v %q): counted %s, the version that wrote it said %s", tr.Number, tr.State, tr.FailReason, got, tr.Attrs["old_counted"])
		}
		if tr.Counted() {
			counted++
		}
	}
	if counted != 8 {
		t.Errorf("%d counted trials, want 8", counted)
	}
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) { return tr.Float("x", 0, 9), nil }
	if err := s.Optimize(ctx, obj, tuner.Budget{TotalTrials: 10}); err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 10}); err != nil {
		t.Fatal(err)
	}
	trials, _ = s.Trials(ctx)
	var xs []float64
	for _, tr := range trials[11:] {
		if tr.State != tuner.Complete {
			t.Errorf("resumed trial %d: %v %q, want complete", tr.Number, tr.State, tr.FailReason)
		}
		x, _ := tr.Params["x"].(float64)
		xs = append(xs, x)
	}
	if len(xs) != 2 || xs[0]+xs[1] != 17 || xs[0] == xs[1] {
		t.Errorf("resuming ran x = %v, want the free points 8 and 9, once each", xs)
	}
}
