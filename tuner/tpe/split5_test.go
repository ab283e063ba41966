package tpe

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner/pareto"
)

var minMin = []goal.Direction{goal.Minimize, goal.Minimize}

// Optuna 5's split of one objective: feasible complete trials by value,
// then feasible pruned ones by their last report, then infeasible ones by
// violation; running ones above.
func TestSplit5Order(t *testing.T) {
	trials := []Trial{
		{Number: 0, State: Complete, Value: 5, X: []float64{0}},
		{Number: 1, State: Complete, Value: 1, X: []float64{1}, Constraints: []float64{0.5, -1}}, // infeasible, violation 0.5
		{Number: 2, State: Pruned, LastStep: 3, LastValue: 9, Reported: true, X: []float64{2}},
		{Number: 3, State: Complete, Value: 4, X: []float64{3}, Constraints: []float64{0, -2}}, // feasible
		{Number: 4, State: Running, X: []float64{4}},
		{Number: 5, State: Pruned, X: []float64{5}, Constraints: []float64{0.2}}, // infeasible, violation 0.2
		{Number: 6, State: Pruned, LastStep: 7, LastValue: 20, Reported: true, X: []float64{6}},
	}
	for n, want := range map[int][]int{
		1: {3},          // the best feasible complete trial
		2: {0, 3},       // both feasible complete ones
		3: {0, 3, 6},    // then the pruned one that lived longest
		4: {0, 2, 3, 6}, // then the other pruned one
		5: {0, 2, 3, 5, 6},
		6: {0, 1, 2, 3, 5, 6},
		9: {0, 1, 2, 3, 5, 6}, // the running trial is never below
	} {
		obs, err := Split(trials, goal.Minimize, 1, Options{Version: Optuna5, Gamma: func(int) int { return n }})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(obs.BelowNumbers, want) || obs.N != 6 || !slices.Contains(obs.AboveNumbers, 4) {
			t.Errorf("Gamma %d: below %v above %v (N %d), want below %v, N 6, running trial 4 above", n, obs.BelowNumbers, obs.AboveNumbers, obs.N, want)
		}
	}
	// Optuna 3.1 ignores the constraints: trial 1's value is the best.
	obs, err := Split(trials, goal.Minimize, 1, Options{Gamma: func(int) int { return 1 }})
	if err != nil || !slices.Equal(obs.BelowNumbers, []int{1}) {
		t.Errorf("Optuna31: below %v (%v), want [1]", obs.BelowNumbers, err)
	}
}

// Optuna 5's split of several objectives: whole fronts while they fit, the
// next cut by hypervolume; pruned trials by the step they reached; the good
// observations weigh alike.
func TestSplitMulti(t *testing.T) {
	pts := [][]float64{{1, 5}, {2, 2}, {5, 1}, {3, 3}, {6, 6}, {2.5, 4}, {4, 2.5}}
	// Fronts: {0, 1, 2}, then {3, 5, 6}, then {4}.
	var trials []Trial
	for i, p := range pts {
		trials = append(trials, Trial{Number: i, State: Complete, Values: p, X: []float64{float64(i)}})
	}
	trials = append(trials,
		Trial{Number: 7, State: Pruned, X: []float64{7}},
		Trial{Number: 8, State: Pruned, LastStep: 2, LastValue: 100, Reported: true, X: []float64{8}})
	for n, want := range map[int][]int{
		2: {0, 1},    // (2, 2) adds the most; then (1, 5) and (5, 1) tie: the first in lexicographic order
		3: {0, 1, 2}, // the whole front
		6: {0, 1, 2, 3, 5, 6},
		7: {0, 1, 2, 3, 4, 5, 6},
		8: {0, 1, 2, 3, 4, 5, 6, 8}, // the pruned trial that reported a step first
	} {
		obs, err := SplitMulti(trials, minMin, 1, Options{Version: Optuna5, Gamma: func(int) int { return n }})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(obs.BelowNumbers, want) {
			t.Errorf("Gamma %d: below %v, want %v", n, obs.BelowNumbers, want)
		}
		if len(obs.BelowWeights) != len(obs.Below[0]) || slices.ContainsFunc(obs.BelowWeights, func(w float64) bool { return w != 1 }) {
			t.Errorf("Gamma %d: below weights %v, want %d ones", n, obs.BelowWeights, len(obs.Below[0]))
		}
	}
	// Maximizing the second objective turns the fronts around: the first is
	// then (1, 5) and (6, 6). (Checked against Optuna 5's _split_trials, as
	// are the cases above.)
	obs, err := SplitMulti(trials, []goal.Direction{goal.Minimize, goal.Maximize}, 1, Options{Version: Optuna5, Gamma: func(int) int { return 2 }})
	if err != nil || !slices.Equal(obs.BelowNumbers, []int{0, 4}) {
		t.Errorf("minimize, maximize: below %v (%v), want [0 4]", obs.BelowNumbers, err)
	}
	// The default Gamma has no cap: 10% of 300 trials.
	var many []Trial
	for i := range 300 {
		many = append(many, Trial{Number: i, State: Complete, Values: []float64{float64(i), float64(300 - i)}, X: []float64{0}})
	}
	obs, err = SplitMulti(many, minMin, 1, Options{Version: Optuna5})
	if err != nil || len(obs.BelowNumbers) != 30 {
		t.Errorf("300 trials: %d below (%v), want 30", len(obs.BelowNumbers), err)
	}
}

// hssp with a reference point that is not finite (an objective of −∞ makes
// it so) takes the first points in lexicographic order, as Optuna 5 does.
func TestHSSPInfiniteReference(t *testing.T) {
	pts := [][]float64{{3, 0}, {1, 2}, {math.Inf(-1), 5}, {2, 1}}
	ref := referencePoint([][]float64{{3, math.Inf(1)}, {1, 2}})
	if !math.IsInf(ref[1], 1) {
		t.Fatalf("reference point %v, want +Inf in the second objective", ref)
	}
	got := hssp(pts, []int{10, 11, 12, 13}, 2, ref)
	slices.Sort(got)
	if !slices.Equal(got, []int{11, 12}) {
		t.Errorf("chose %v, want [11 12], the first two in lexicographic order", got)
	}
}

// Bad input to Optuna 5's split and acquisition is an error naming it.
func TestOptuna5Errors(t *testing.T) {
	two := []Trial{{State: Complete, Values: []float64{1, 2}, X: []float64{0.5}}, {Number: 1, State: Complete, Values: []float64{2, 1}, X: []float64{0.25}}}
	o5 := Options{Version: Optuna5}
	obs, err := SplitMulti(two, minMin, 1, o5)
	if err != nil {
		t.Fatal(err)
	}
	u := func() float64 { return 0.5 }
	x01 := []Dist{{Low: 0, High: 1}}
	for _, c := range []struct {
		name string
		err  func() error
		want error
		text string
	}{
		{"multi with 3.1", func() error { _, err := SplitMulti(two, minMin, 1, Options{}); return err }, ErrOptions, "want Version Optuna5"},
		{"multi with one direction", func() error { _, err := SplitMulti(two, minMin[:1], 1, o5); return err }, ErrInput, "want 2 or more"},
		{"values", func() error {
			_, err := SplitMulti(two, []goal.Direction{goal.Minimize, goal.Minimize, goal.Minimize}, 1, o5)
			return err
		}, ErrInput, "has 2 values, want 3"},
		{"NaN value", func() error {
			bad := slices.Clone(two)
			bad = append(bad, Trial{Number: 2, State: Complete, Values: []float64{math.NaN(), 0}, X: []float64{0}})
			_, err := SplitMulti(bad, minMin, 1, Options{Version: Optuna5, Gamma: func(int) int { return 1 }})
			return err
		}, ErrInput, "objective 0 is NaN"},
		{"auto direction", func() error { _, err := SplitMulti(two, []goal.Direction{goal.Minimize, goal.Auto}, 1, o5); return err }, ErrInput, "direction 1"},
		{"version", func() error { _, err := Split(two, goal.Minimize, 1, Options{Version: 3}); return err }, ErrOptions, "Version = 3"},
		{"no prior", func() error { _, err := Acquire(x01, obs, Options{Version: Optuna5, NoPrior: true}, u); return err }, ErrOptions, "always has the prior"},
		{"below weights with 3.1", func() error { _, err := Acquire(x01, obs, Options{}, u); return err }, ErrInput, "BelowWeights with Version Optuna 3.1"},
		{"below weights short", func() error {
			bad := obs
			bad.BelowWeights = nil
			bad.BelowWeights = []float64{}
			_, err := Acquire(x01, bad, o5, u)
			return err
		}, ErrInput, "BelowWeights returned 0 values, want 1"},
		{"below weights negative", func() error {
			bad := obs
			bad.BelowWeights = []float64{-1}
			_, err := Acquire(x01, bad, o5, u)
			return err
		}, ErrInput, "BelowWeights[0] = -1"},
	} {
		err := c.err()
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %v mentioning %q", c.name, err, c.want, c.text)
		}
	}
	// Optuna 5 takes the same observations and options otherwise.
	a, err := Acquire(x01, obs, o5, u)
	if err != nil || len(a.Candidates[0]) != 24 || !(a.Chosen()[0] >= 0 && a.Chosen()[0] <= 1) {
		t.Errorf("Acquire: %v (%v), want 24 candidates in [0, 1]", fmt.Sprint(a.Chosen()), err)
	}
}

// Peeling fronts off in lexicographic order gives every point its
// non-domination rank, as pareto.Ranks (the fast non-dominated sort) does,
// with duplicated and infinite values too.
func TestPeelFrontEqualsRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{2, 3, 4} {
		for range 20 {
			pts := make([][]float64, 1+r.IntN(60))
			for i := range pts {
				pts[i] = make([]float64, d)
				for j := range pts[i] {
					pts[i][j] = float64(r.IntN(6)) // few levels: ties and duplicates
					if r.IntN(40) == 0 {
						pts[i][j] = math.Inf(2*r.IntN(2) - 1)
					}
				}
			}
			want, err := pareto.Ranks(pts, slices.Repeat([]goal.Direction{goal.Minimize}, d))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]int, len(pts))
			rest := lexOrder(pts)
			for rank := 0; len(rest) > 0; rank++ {
				var front []int
				front, rest = peelFront(pts, rest)
				for _, i := range front {
					got[i] = rank
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%d points of %d objectives: ranks %v, want %v (points %v)", len(pts), d, got, want, pts)
			}
		}
	}
}

// The cached selection is hssp's, for a repeated input and after another
// one.
func TestHSSPCached(t *testing.T) {
	a := [][]float64{{1, 5}, {2, 2}, {5, 1}, {3, 1.5}}
	b := [][]float64{{1, 5}, {2, 2}, {5, 1}, {1.5, 3}}
	labels := []int{7, 8, 9, 10}
	for i, pts := range [][][]float64{a, a, b, a, b} {
		ref := referencePoint(pts)
		want := hssp(pts, labels, 2, ref)
		if got := hsspCached(pts, labels, 2, ref); !slices.Equal(got, want) {
			t.Errorf("call %d: cached %v, want %v", i, got, want)
		}
	}
}
