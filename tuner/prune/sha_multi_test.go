package prune

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

var minMin = []tuner.Direction{tuner.Minimize, tuner.Minimize}

// vectorObjective reports the vector vectors[n] at steps 0..steps−1 for
// trial n, asking the pruner after each report, and returns it.
func vectorObjective(vectors [][]float64, steps int) tuner.MultiObjective {
	return func(_ context.Context, t *tuner.Trial) ([]float64, error) {
		v := vectors[t.Number()]
		for s := range steps {
			if err := t.ReportValues(s, v); err != nil {
				return nil, err
			}
			if t.ShouldPrune() {
				return nil, fmt.Errorf("step %d: %w", s, tuner.ErrPruned)
			}
		}
		return v, nil
	}
}

// The scenario of TestSuccessiveHalvingOfSeveralObjectives: two minimized
// objectives, one trial at a time, each reporting its vector at steps 0–4;
// r = 1, η = 2, so rungs end at steps 1, 2 and 4.
var (
	shaVectors = [][]float64{{5, 5}, {1, 1}, {6, 6}, {0, 9}, {2, 2}, {0.5, 5}}
	// lastStep is each trial's last step: 4 when it completes.
	shaWant = []struct {
		state    tuner.TrialState
		lastStep int
		rungs    []string
	}{
		// Alone at every rung: it goes on.
		{tuner.Complete, 4, []string{"[5.0, 5.0]", "[5.0, 5.0]", "[5.0, 5.0]"}},
		// Dominates trial 0: rank 0 of 2, the one kept.
		{tuner.Complete, 4, []string{"[1.0, 1.0]", "[1.0, 1.0]", "[1.0, 1.0]"}},
		// Rank 2 of 3 at rung 0, where 1 is kept.
		{tuner.Pruned, 1, []string{"[6.0, 6.0]"}},
		// On the front with trial 1; two points of a front both have an
		// infinite crowding distance: tied with the one kept at each rung.
		{tuner.Complete, 4, []string{"[0.0, 9.0]", "[0.0, 9.0]", "[0.0, 9.0]"}},
		// Rung 0: 5 vectors, 2 kept; trials 1 and 3 hold rank 0, it rank 1.
		{tuner.Pruned, 1, []string{"[2.0, 2.0]"}},
		// Rung 0: 6 vectors, 3 kept: the front is trials 3, 5 and 1, and it
		// is the third, between the two ends (finite distance, theirs
		// infinite). Rung 1: trials 0, 1, 3 and it; 2 kept, the two ends.
		{tuner.Pruned, 2, []string{"[0.5, 5.0]", "[0.5, 5.0]"}},
	}
)

// checkSHAScenario compares a study's trials with shaWant.
func checkSHAScenario(t *testing.T, name string, trials []tuner.FrozenTrial) {
	t.Helper()
	if len(trials) != len(shaWant) {
		t.Fatalf("%s: %d trials, want %d", name, len(trials), len(shaWant))
	}
	for i, w := range shaWant {
		tr := trials[i]
		step, _, _ := tr.LastVector()
		var rungs []string
		for k := 0; ; k++ {
			v, ok := tr.Attrs[rungKey(k)]
			if !ok {
				break
			}
			rungs = append(rungs, v)
		}
		if tr.State != w.state || step != w.lastStep || !slices.Equal(tr.Values, shaVectors[i]) || !slices.Equal(rungs, w.rungs) {
			t.Errorf("%s: trial %d %v at step %d, values %v, rungs %q; want %v at step %d, values %v, rungs %q",
				name, i, tr.State, step, tr.Values, rungs, w.state, w.lastStep, shaVectors[i], w.rungs)
		}
	}
}

// Successive halving of two objectives promotes by Pareto rank, ties by
// crowding distance, on a study whose every decision was worked out by
// hand (shaWant); a Hyperband of one bracket (MaxResource = MinResource)
// is the same pruner and decides the same.
func TestSuccessiveHalvingOfSeveralObjectives(t *testing.T) {
	for _, c := range []struct {
		name   string
		pruner tuner.Pruner
	}{
		{"successive halving", &SuccessiveHalving{MinResource: 1, ReductionFactor: 2}},
		{"hyperband of one bracket", &Hyperband{MinResource: 1, MaxResource: 1, ReductionFactor: 2}},
	} {
		s := open(t, tuner.Config{Directions: minMin, Pruner: c.pruner, Parallelism: 1})
		if err := s.OptimizeMulti(ctx, vectorObjective(shaVectors, 5), tuner.Budget{Trials: len(shaVectors)}); err != nil {
			t.Fatal(err)
		}
		trials, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkSHAScenario(t, c.name, trials)
	}
}

// The rungs of vectors are kept in the trials' attributes: a study reopened
// with a new pruner halfway decides as the one that ran throughout.
func TestSuccessiveHalvingOfSeveralObjectivesResumes(t *testing.T) {
	st := tuner.NewMemoryStorage()
	for _, trials := range []int{4, 2} {
		s := open(t, tuner.Config{Name: "mo", Storage: st, Directions: minMin, Parallelism: 1,
			Pruner: &SuccessiveHalving{MinResource: 1, ReductionFactor: 2}})
		if err := s.OptimizeMulti(ctx, vectorObjective(shaVectors, 5), tuner.Budget{Trials: trials}); err != nil {
			t.Fatal(err)
		}
	}
	s := open(t, tuner.Config{Name: "mo", Storage: st, Directions: minMin})
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkSHAScenario(t, "reopened", trials)
}

// Maximized objectives are ranked as such: the scenario with every value
// negated and both objectives maximized decides the same.
func TestSuccessiveHalvingOfMaximizedObjectives(t *testing.T) {
	negated := make([][]float64, len(shaVectors))
	for i, v := range shaVectors {
		negated[i] = []float64{-v[0], -v[1]}
	}
	s := open(t, tuner.Config{Directions: []tuner.Direction{tuner.Maximize, tuner.Maximize}, Parallelism: 1,
		Pruner: &SuccessiveHalving{MinResource: 1, ReductionFactor: 2}})
	if err := s.OptimizeMulti(ctx, vectorObjective(negated, 5), tuner.Budget{Trials: len(negated)}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	for i, w := range shaWant {
		if trials[i].State != w.state {
			t.Errorf("trial %d %v, want %v", i, trials[i].State, w.state)
		}
	}
}

func TestPromotableMulti(t *testing.T) {
	for _, c := range []struct {
		name      string
		competing [][]float64 // the asking trial's first
		eta       int
		want      bool
	}{
		{"alone", [][]float64{{3, 3}}, 3, true},
		{"dominated, fewer than η", [][]float64{{2, 2}, {1, 1}}, 3, false},
		{"dominating, fewer than η", [][]float64{{1, 1}, {2, 2}}, 3, true},
		{"an end of the front", [][]float64{{0, 3}, {1, 1}, {3, 0}}, 3, true},
		{"the middle of the front", [][]float64{{1, 1}, {0, 3}, {3, 0}}, 3, false},
		{"a duplicate of the one kept", [][]float64{{1, 1}, {1, 1}, {2, 2}}, 3, true},
		// 6 vectors, η 3: 2 kept, both ends of the front {0,3}, {3,0}, {1,1}.
		{"rank 1 among 6", [][]float64{{2, 2}, {0, 3}, {3, 0}, {1, 1}, {4, 4}, {5, 5}}, 3, false},
		// 6 vectors, η 2: 3 kept, the whole front.
		{"the middle, 3 of 6 kept", [][]float64{{1, 1}, {0, 3}, {3, 0}, {4, 4}, {5, 5}, {6, 6}}, 2, true},
		// 8 vectors, η 2: 4 kept: the front {0,4}, {2,2}, {4,0}, then of
		// rank 1, {1,5}, {3,3} and {5,1}, the two ends (infinite distance,
		// tied); {3,3} is between them.
		{"the end of rank 1", [][]float64{{1, 5}, {0, 4}, {2, 2}, {4, 0}, {3, 3}, {5, 1}, {7, 7}, {8, 8}}, 2, true},
		{"the middle of rank 1", [][]float64{{3, 3}, {0, 4}, {2, 2}, {4, 0}, {1, 5}, {5, 1}, {7, 7}, {8, 8}}, 2, false},
	} {
		if got := promotableMulti(c.competing, c.eta, minMin); got != c.want {
			t.Errorf("%s: promotableMulti(%v, η %d) = %v, want %v", c.name, c.competing, c.eta, got, c.want)
		}
	}
}

// With one objective, ranking vectors is ranking numbers: promotableMulti
// decides as promotable (Optuna's rule) on random values with ties.
func TestPromotableMultiOfOneObjectiveIsPromotable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n, eta := 1+r.IntN(12), 2+r.IntN(3)
		values := make([]float64, n)
		vectors := make([][]float64, n)
		for i := range values {
			values[i] = float64(r.IntN(6))
			vectors[i] = []float64{values[i]}
		}
		for _, dir := range []tuner.Direction{tuner.Minimize, tuner.Maximize} {
			want := promotable(values[0], slices.Clone(values), eta, dir)
			if got := promotableMulti(vectors, eta, []tuner.Direction{dir}); got != want {
				t.Fatalf("%v, η %d, %v: promotableMulti %v, promotable %v", values, eta, dir, got, want)
			}
		}
	}
}

// A NaN in the vector prunes the trial at its rung, as a NaN value does
// with one objective; vectors of the wrong length among the others' rungs
// (a foreign attribute) are left out.
func TestSuccessiveHalvingOfSeveralObjectivesNaN(t *testing.T) {
	p := &SuccessiveHalving{MinResource: 1, ReductionFactor: 2}
	trial := newFrozen(1, 1, tuner.Running)
	trial.IntermediateVectors = map[int][]float64{1: {1, math.NaN()}}
	other := newFrozen(2, 0, tuner.Complete)
	other.Attrs[rungKey(0)] = "[0.0, 0.0, 0.0]"
	c := &tuner.PruneContext{Trial: trial, Trials: []tuner.FrozenTrial{*other}, Directions: minMin}
	if !p.Prune(c) {
		t.Error("a vector with NaN at rung 0 was kept")
	}
	trial2 := newFrozen(3, 2, tuner.Running)
	trial2.IntermediateVectors = map[int][]float64{1: {1, 1}}
	if p.Prune(&tuner.PruneContext{Trial: trial2, Trials: []tuner.FrozenTrial{*other}, Directions: minMin}) {
		t.Error("a vector alone at rung 0 (the other's rung has 3 values) was pruned")
	}
	bad := &tuner.PruneContext{Trial: trial2, Directions: []tuner.Direction{tuner.Minimize, 7}}
	if p.Prune(bad) || (&Hyperband{}).Prune(bad) {
		t.Error("a pruner with an invalid direction pruned")
	}
}

// The pruners of one objective refuse a study of several, naming those
// that judge it; successive halving and Hyperband accept it.
func TestPrunersOfSeveralObjectives(t *testing.T) {
	for _, p := range []tuner.Pruner{Median{}, Percentile{Percentile: 25}} {
		_, err := tuner.Open(ctx, tuner.Config{Directions: minMin, Pruner: p})
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "judges one objective") || !strings.Contains(err.Error(), "prune.SuccessiveHalving") {
			t.Errorf("%T on 2 objectives: %v, want ErrConfig naming the pruners of several", p, err)
		}
		if p.Prune(&tuner.PruneContext{Trial: newFrozen(1, 0, tuner.Running), Directions: minMin}) {
			t.Errorf("%T pruned a trial of 2 objectives", p)
		}
	}
	for _, p := range []tuner.Pruner{&SuccessiveHalving{}, &Hyperband{}} {
		if _, err := tuner.Open(ctx, tuner.Config{Directions: minMin, Pruner: p}); err != nil {
			t.Errorf("%T on 2 objectives: %v", p, err)
		}
		if err := p.(tuner.DirectionsValidator).ValidateDirections([]tuner.Direction{tuner.Minimize, 0}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%T with direction auto: %v, want ErrConfig", p, err)
		}
	}
}
