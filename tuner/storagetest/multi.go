package storagetest

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

var minMax = []tuner.Direction{tuner.Minimize, tuner.Maximize}

// openMulti creates the study name with minMax, or skips the behaviour on a
// storage that keeps one objective per study, after checking that it
// refused with ErrConfig and created nothing.
func openMulti(t *testing.T, st tuner.Storage, name string) int64 {
	t.Helper()
	id, created, err := st.GetOrCreateStudy(ctx, name, minMax)
	if err == nil {
		if !created {
			t.Fatalf("study %q: not created, want a new study", name)
		}
		return id
	}
	if !errors.Is(err, tuner.ErrConfig) {
		t.Fatalf("GetOrCreateStudy with directions %v: %v, want success or ErrConfig (one objective per study)", minMax, err)
	}
	if _, created, err := st.GetOrCreateStudy(ctx, name, []tuner.Direction{tuner.Minimize}); err != nil || !created {
		t.Errorf("after the refusal of several objectives, study %q: created %v, %v; want created (the refusal wrote nothing)", name, created, err)
	}
	t.Skipf("the storage keeps one objective per study: %v", err)
	return 0
}

// confMultiDirections: a study of several objectives keeps its directions;
// reopening it with others, in number or way, is refused with ErrConfig
// naming both, and changes nothing. Storages that keep one objective per
// study refuse several with ErrConfig, creating nothing (then the
// behaviour is skipped).
func confMultiDirections(t *testing.T, st tuner.Storage) {
	id := openMulti(t, st, "multi")
	if again, created, err := st.GetOrCreateStudy(ctx, "multi", slices.Clone(minMax)); err != nil || created || again != id {
		t.Errorf("reopened with %v: id %d created %v, %v; want id %d", minMax, again, created, err, id)
	}
	for _, other := range [][]tuner.Direction{
		{tuner.Minimize},
		{tuner.Maximize, tuner.Maximize},
		{tuner.Maximize, tuner.Minimize},
		{tuner.Minimize, tuner.Maximize, tuner.Minimize},
	} {
		_, _, err := st.GetOrCreateStudy(ctx, "multi", other)
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "[minimize maximize]") {
			t.Errorf("reopened with %v: %v, want ErrConfig naming the stored [minimize maximize]", other, err)
		}
		if _, err := tuner.Open(ctx, tuner.Config{Name: "multi", Storage: st, Directions: other}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("tuner.Open with Directions %v: %v, want ErrConfig", other, err)
		}
	}
	for _, bad := range [][]tuner.Direction{nil, {tuner.Minimize, 0}, {tuner.Maximize, 7}} {
		if _, _, err := st.GetOrCreateStudy(ctx, "bad", bad); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("new study with directions %v: %v, want ErrConfig", bad, err)
		}
	}
	if _, created, err := st.GetOrCreateStudy(ctx, "bad", []tuner.Direction{tuner.Minimize}); err != nil || !created {
		t.Errorf("after the refused directions, study \"bad\": created %v, %v; want created (nothing was written)", created, err)
	}
	s := openStudy(t, tuner.Config{Name: "multi", Storage: st, Directions: minMax})
	if got := s.Directions(); !slices.Equal(got, minMax) {
		t.Errorf("Study.Directions = %v, want %v", got, minMax)
	}
}

// confMultiValues: every objective's value comes back bit for bit (±Inf,
// −0), Value is the first; values that do not fit the study (a number
// other than the objectives', a NaN, values on a failed trial) are refused
// with ErrStorage and leave the trial Running.
func confMultiValues(t *testing.T, st tuner.Storage) {
	id := openMulti(t, st, "values")
	cases := []struct {
		state  tuner.TrialState
		values []float64
		kind   tuner.FailKind
	}{
		{tuner.Complete, []float64{1.5, math.Inf(-1)}, ""},
		{tuner.Complete, []float64{negZero, math.Inf(1)}, ""},
		{tuner.Complete, []float64{-math.SmallestNonzeroFloat64, negZero}, ""},
		{tuner.Pruned, nil, ""},
		{tuner.Failed, nil, tuner.FailObjective},
	}
	for _, c := range cases {
		ft, err := st.CreateTrial(ctx, id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			state  tuner.TrialState
			values []float64
			kind   tuner.FailKind
		}{
			{tuner.Complete, []float64{1}, ""},
			{tuner.Complete, []float64{1, 2, 3}, ""},
			{tuner.Complete, nil, ""},
			{tuner.Complete, []float64{nan, 1}, ""},
			{tuner.Pruned, []float64{2}, ""},
			{tuner.Failed, []float64{1, 2}, tuner.FailObjective},
		} {
			if err := st.FinishTrial(ctx, ft.ID, bad.state, bad.values, bad.kind, ""); !errors.Is(err, tuner.ErrStorage) || errors.Is(err, tuner.ErrTrialFinished) {
				t.Errorf("finish as %v with values %v: %v, want ErrStorage", bad.state, bad.values, err)
			}
		}
		if err := st.FinishTrial(ctx, ft.ID, c.state, c.values, c.kind, ""); err != nil {
			t.Fatalf("finish as %v with %v after the refused calls: %v", c.state, c.values, err)
		}
	}
	for i, tr := range allTrials(t, st, id) {
		c := cases[i]
		wantValue := nan
		if len(c.values) > 0 {
			wantValue = c.values[0]
		}
		if tr.State != c.state || !slices.EqualFunc(tr.Values, c.values, sameFloat) || !sameFloat(tr.Value, wantValue) {
			t.Errorf("trial %d: %v values %v value %v, want %v %v %v", i, tr.State, tr.Values, tr.Value, c.state, c.values, wantValue)
		}
	}
}

// multiObjective is the objective confMultiStudy runs: two values, one
// constraint; trials 3, 4 and 5 fail (a NaN value, a vector of the wrong
// length, a NaN constraint) and trial 6 errs.
func multiObjective(_ context.Context, tr *tuner.Trial) ([]float64, error) {
	x := tr.Float("x", 0, 1)
	k := tr.Int("k", 1, 4)
	if err := tr.SetAttr("note", "λ"); err != nil {
		return nil, err
	}
	c := x - 0.8 // feasible while x ≤ 0.8
	switch tr.Number() {
	case 5:
		c = nan
	case 2:
		c = math.Inf(1)
	}
	if err := tr.SetConstraints(c, -1); err != nil && !errors.Is(err, tuner.ErrConfig) {
		return nil, err
	}
	switch tr.Number() {
	case 3:
		return []float64{x, nan}, nil
	case 4:
		return []float64{x}, nil
	case 6:
		return nil, errBoom
	case 7:
		return []float64{math.Inf(-1), float64(k)}, nil
	}
	return []float64{x * x, float64(k) - x}, nil
}

// confMultiStudy: a study of two objectives with constraints, run through
// tuner.Open and OptimizeMulti, comes back (values, constraints, failures
// and their reasons) equal to the memory storage's, also after reopening,
// and its Pareto front is the memory storage's.
func confMultiStudy(t *testing.T, st tuner.Storage) {
	openMulti(t, st, "probe")
	run := func(st tuner.Storage) ([]tuner.FrozenTrial, []tuner.FrozenTrial) {
		cfg := tuner.Config{Name: "mo", Storage: st, Directions: minMax, Parallelism: 1, Seed: 5}
		s := openStudy(t, cfg)
		if err := s.OptimizeMulti(ctx, multiObjective, tuner.Budget{Trials: 12}); err != nil {
			t.Fatal(err)
		}
		trials, err := openStudy(t, cfg).Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		front, err := s.BestTrials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return trials, front
	}
	trials, front := run(st)
	ref, refFront := run(tuner.NewMemoryStorage())
	if len(trials) != len(ref) {
		t.Fatalf("%d trials, the memory storage %d", len(trials), len(ref))
	}
	for i := range ref {
		if !SameRecord(trials[i], ref[i]) {
			t.Errorf("trial %d differs from the memory storage's:\n%+v\n%+v", i, trials[i], ref[i])
		}
	}
	wantStates := map[int]tuner.FailKind{3: tuner.FailNaN, 4: tuner.FailObjective, 5: tuner.FailNaN, 6: tuner.FailObjective}
	for _, tr := range trials {
		kind, failed := wantStates[tr.Number]
		if failed != (tr.State == tuner.Failed) || tr.FailKind != kind || failed != (tr.Values == nil) {
			t.Errorf("trial %d: %v kind %q values %v (%s), want failed %v kind %q", tr.Number, tr.State, tr.FailKind, tr.Values, tr.FailReason, failed, kind)
		}
		if !failed && (len(tr.Constraints) != 2 || tr.Constraints[1] != -1) {
			t.Errorf("trial %d: constraints %v, want [x-0.8 -1]", tr.Number, tr.Constraints)
		}
		if _, ok := tr.Attrs["constraints"]; ok || tr.Attrs["note"] != "λ" {
			t.Errorf("trial %d: attrs %q, want note and no constraints (they are in Constraints)", tr.Number, tr.Attrs)
		}
	}
	numbers := func(ts []tuner.FrozenTrial) []int {
		var out []int
		for _, tr := range ts {
			out = append(out, tr.Number)
		}
		return out
	}
	if got, want := numbers(front), numbers(refFront); len(got) == 0 || !slices.Equal(got, want) {
		t.Errorf("Pareto front %v, the memory storage's %v (want equal, not empty)", got, want)
	}
}

// confConstraints: a study of one objective keeps each trial's
// constraints through a reopen, on every storage, and Best prefers the
// feasible trials.
func confConstraints(t *testing.T, st tuner.Storage) {
	cfg := tuner.Config{Name: "constrained", Storage: st, Sampler: tuner.RandomSampler{}, Parallelism: 1, Seed: 2}
	s := openStudy(t, cfg)
	if err := s.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		x := tr.Float("x", -1, 1)
		if tr.Number() != 3 { // trial 3 reports none
			if err := tr.SetConstraints(0.5-x, math.Inf(-1), negZero); err != nil {
				return 0, err
			}
		}
		return x, nil
	}, tuner.Budget{Trials: 8}); err != nil {
		t.Fatal(err)
	}
	trials, err := openStudy(t, cfg).Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	best, err := s.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantBest := -1
	for _, tr := range trials {
		x := tr.Params["x"].(float64)
		want := []float64{0.5 - x, math.Inf(-1), negZero}
		if tr.Number == 3 {
			want = nil
		}
		if !slices.EqualFunc(tr.Constraints, want, sameFloat) {
			t.Errorf("trial %d: constraints %v, want %v", tr.Number, tr.Constraints, want)
		}
		if (tr.Number == 3 || x >= 0.5) && (wantBest < 0 || x < trials[wantBest].Value) {
			wantBest = tr.Number
		}
	}
	if best.Number != wantBest || !(best.Number == 3 || best.Constraints[0] <= 0) {
		t.Errorf("Best = trial %d (x = %v, constraints %v), want the feasible trial with the least x, %d", best.Number, best.Value, best.Constraints, wantBest)
	}
}
