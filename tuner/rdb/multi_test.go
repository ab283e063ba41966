package rdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

var minMax = []tuner.Direction{tuner.Minimize, tuner.Maximize}

// pyMulti is what testdata/load_multi.py prints: floats as Python's repr.
type pyMulti struct {
	Directions []string
	Trials     []struct {
		Number      int
		State       string
		Values      []string
		Constraints []string
		UserAttrs   map[string]string `json:"user_attrs"`
		// Intermediate holds the intermediate values, Vectors the system
		// attributes gradtune:intermediate_values_<step>, by step.
		Intermediate map[string]string
		Vectors      map[string][]string
	}
	BestTrials []int `json:"best_trials"`
}

// runPython runs a script of testdata with args and returns its stdout.
func runPython(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(python, append([]string{"testdata/" + script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	return out
}

func loadMultiWithOptuna(t *testing.T, url, name string) pyMulti {
	t.Helper()
	out := runPython(t, "load_multi.py", url, name)
	var m pyMulti
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return m
}

// pyFloats parses Python's reprs ("inf" too); nil stays nil.
func pyFloats(t *testing.T, reprs []string) []float64 {
	t.Helper()
	if reprs == nil {
		return nil
	}
	out := make([]float64, len(reprs))
	for i, r := range reprs {
		f, err := strconv.ParseFloat(r, 64)
		if err != nil {
			t.Fatalf("repr %q: %v", r, err)
		}
		out[i] = f
	}
	return out
}

// sameBits is bit equality of two lists, nil equal to nil only.
func sameBits(a, b []float64) bool {
	return (a == nil) == (b == nil) && slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// frontNumbers is pareto.Front of the complete trials, ignoring their
// constraints (Optuna 3.1's best_trials), as trial numbers.
func frontNumbers(t *testing.T, trials []tuner.FrozenTrial, dirs []tuner.Direction) []int {
	t.Helper()
	var (
		numbers []int
		points  [][]float64
	)
	for _, tr := range trials {
		if tr.State == tuner.Complete {
			numbers, points = append(numbers, tr.Number), append(points, tr.Values)
		}
	}
	idx, err := pareto.Front(points, dirs)
	if err != nil {
		t.Fatal(err)
	}
	out := []int{}
	for _, i := range idx {
		out = append(out, numbers[i])
	}
	return out
}

func numbersOf(trials []tuner.FrozenTrial) []int {
	out := []int{}
	for _, tr := range trials {
		out = append(out, tr.Number)
	}
	return out
}

// multiInterop minimizes x and maximizes x, so that no trial dominates
// another: the unconstrained front is every complete trial, and the
// constraint x ≤ 0.5 takes the others off gradtune's. Trial 2 returns
// ±Inf-free values but a NaN constraint (failed, nothing stored), trial 3
// is pruned, trial 4 returns +Inf in both objectives, trial 5 returns one
// value (failed), trial 6 a NaN (failed).
func multiInterop(_ context.Context, tr *tuner.Trial) ([]float64, error) {
	x := tr.Float("x", 0, 1)
	if err := tr.SetAttr("side", "go"); err != nil {
		return nil, err
	}
	c := x - 0.5
	if tr.Number() == 2 {
		c = math.NaN()
	}
	if err := tr.SetConstraints(c, -1); err != nil && !errors.Is(err, tuner.ErrConfig) {
		return nil, err
	}
	switch tr.Number() {
	case 3:
		return nil, tuner.ErrPruned
	case 4:
		return []float64{math.Inf(1), math.Inf(1)}, nil
	case 5:
		return []float64{x}, nil
	case 6:
		return []float64{x, math.NaN()}, nil
	}
	return []float64{x, x}, nil
}

// TestOptunaReadsMultiObjectiveStudy: Optuna 3.1 opens a study of two
// objectives with constraints that gradtune ran and sees its directions,
// every objective's value, the constraints as the system attribute
// "constraints", and as best_trials the unconstrained Pareto front
// (Optuna 3.1's best_trials ignores constraints; gradtune's BestTrials
// leaves out the infeasible trials, so it is that front's feasible part).
func TestOptunaReadsMultiObjectiveStudy(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		requirePythonFor(t, url)
		st := openURL(t, url)
		s, err := tuner.Open(ctx, tuner.Config{Name: "mo", Storage: st, Directions: minMax, Parallelism: 1, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.OptimizeMulti(ctx, multiInterop, tuner.Budget{Trials: 14}); err != nil {
			t.Fatal(err)
		}
		ours, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		theirs := loadMultiWithOptuna(t, st.OptunaStorageURL(), "mo")
		if !reflect.DeepEqual(theirs.Directions, []string{"MINIMIZE", "MAXIMIZE"}) {
			t.Errorf("optuna sees directions %v", theirs.Directions)
		}
		if len(theirs.Trials) != len(ours) {
			t.Fatalf("optuna sees %d trials, gradtune %d", len(theirs.Trials), len(ours))
		}
		states := map[string]int{}
		for i, o := range ours {
			p := theirs.Trials[i]
			states[p.State]++
			if p.Number != o.Number || !sameBits(pyFloats(t, p.Values), o.Values) || !sameBits(pyFloats(t, p.Constraints), o.Constraints) {
				t.Errorf("trial %d %v: values %v constraints %v; optuna sees %d %s values %v constraints %v",
					o.Number, o.State, o.Values, o.Constraints, p.Number, p.State, p.Values, p.Constraints)
			}
			if _, ok := p.UserAttrs["constraints"]; ok || p.UserAttrs["side"] != "go" {
				t.Errorf("trial %d: optuna sees user attributes %v, want side only", o.Number, p.UserAttrs)
			}
		}
		if want := map[string]int{"COMPLETE": 10, "PRUNED": 1, "FAIL": 3}; !reflect.DeepEqual(states, want) {
			t.Errorf("states %v, want %v", states, want)
		}
		unconstrained := frontNumbers(t, ours, minMax)
		if !slices.Equal(theirs.BestTrials, unconstrained) || len(unconstrained) != 10 {
			t.Errorf("optuna's best_trials %v, want the unconstrained front %v (every complete trial)", theirs.BestTrials, unconstrained)
		}
		front, err := s.BestTrials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var feasible []int
		for _, o := range ours {
			if o.State == tuner.Complete && o.Constraints[0] <= 0 {
				feasible = append(feasible, o.Number)
			}
		}
		if got := numbersOf(front); !slices.Equal(got, feasible) || len(feasible) == 0 || len(feasible) == len(unconstrained) {
			t.Errorf("gradtune's BestTrials %v, want the feasible complete trials %v, a part of %v", got, feasible, unconstrained)
		}
	})
}

// TestGradtuneReadsOptunaMultiObjectiveStudy: a study of two objectives
// that Optuna 3.1 ran (NSGA-II with constraints_func, a pruned trial, a
// failed one, ±Inf values) opens in gradtune with the same directions,
// values and constraints; opening it with other directions is refused and
// leaves it as it was; BestTrials is the feasible part of the front.
func TestGradtuneReadsOptunaMultiObjectiveStudy(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		requirePythonFor(t, url)
		st := openURL(t, url)
		runPython(t, "write_multi.py", st.OptunaStorageURL(), "py")
		theirs := loadMultiWithOptuna(t, st.OptunaStorageURL(), "py")
		for _, dirs := range [][]tuner.Direction{nil, {tuner.Maximize, tuner.Minimize}, {tuner.Minimize, tuner.Maximize, tuner.Minimize}} {
			_, err := tuner.Open(ctx, tuner.Config{Name: "py", Storage: st, Directions: dirs})
			if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "[minimize maximize]") {
				t.Errorf("Open with directions %v: %v, want ErrConfig naming [minimize maximize]", dirs, err)
			}
		}
		s, err := tuner.Open(ctx, tuner.Config{Name: "py", Storage: st, Directions: minMax})
		if err != nil {
			t.Fatal(err)
		}
		ours, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again := loadMultiWithOptuna(t, st.OptunaStorageURL(), "py"); !reflect.DeepEqual(again, theirs) {
			t.Errorf("the refused Opens changed the study:\n%+v\n%+v", again, theirs)
		}
		if len(ours) != 12 || len(theirs.Trials) != len(ours) {
			t.Fatalf("gradtune sees %d trials, optuna %d, want 12", len(ours), len(theirs.Trials))
		}
		want := map[int]tuner.TrialState{4: tuner.Pruned, 6: tuner.Failed}
		for i, o := range ours {
			p := theirs.Trials[i]
			wantState, odd := want[o.Number]
			if !odd {
				wantState = tuner.Complete
			}
			values, constraints := pyFloats(t, p.Values), pyFloats(t, p.Constraints)
			if o.State != wantState || !sameBits(o.Values, values) || !sameBits(o.Constraints, constraints) {
				t.Errorf("trial %d: %v values %v constraints %v; optuna's %s %v %v", o.Number, o.State, o.Values, o.Constraints, p.State, values, constraints)
			}
			if len(values) > 0 && o.Value != values[0] || len(values) == 0 && !math.IsNaN(o.Value) {
				t.Errorf("trial %d: Value %v, want the first of %v (NaN if none)", o.Number, o.Value, values)
			}
		}
		if o := ours[8]; !sameBits(o.Values, []float64{math.Inf(1), math.Inf(-1)}) {
			t.Errorf("trial 8: values %v, want [+Inf -Inf]", o.Values)
		}
		if got := frontNumbers(t, ours, minMax); !slices.Equal(got, theirs.BestTrials) {
			t.Errorf("unconstrained front %v, optuna's best_trials %v", got, theirs.BestTrials)
		}
		front, err := s.BestTrials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var feasible []tuner.FrozenTrial
		for _, o := range ours {
			if o.State == tuner.Complete && pareto.Feasible(o.Constraints) {
				feasible = append(feasible, o)
			}
		}
		if got, want := numbersOf(front), frontNumbers(t, feasible, minMax); !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("BestTrials %v, want the front of the feasible trials %v", got, want)
		}
	})
}

// vectorsPruner prunes trial n ≥ 1 of a study of several objectives at its
// report n+1.
type vectorsPruner struct{}

func (vectorsPruner) ValidateDirections([]tuner.Direction) error { return nil }
func (vectorsPruner) Prune(c *tuner.PruneContext) bool {
	return c.Trial.Number > 0 && len(c.Trial.IntermediateVectors) == c.Trial.Number+1
}

// TestOptunaReadsReportedVectors: what a trial of several objectives
// reports per step (ReportValues) is, for Optuna 3.1, objective 0 as the
// step's intermediate value and the vector as the system attribute
// gradtune:intermediate_values_<step>, never a user attribute; a pruned
// trial's values are its last vector. gradtune reads both back as written.
func TestOptunaReadsReportedVectors(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		requirePythonFor(t, url)
		st := openURL(t, url)
		s, err := tuner.Open(ctx, tuner.Config{Name: "mo", Storage: st, Directions: minMax, Parallelism: 1, Pruner: vectorsPruner{}, Sampler: tuner.RandomSampler{}})
		if err != nil {
			t.Fatal(err)
		}
		err = s.OptimizeMulti(ctx, func(_ context.Context, tr *tuner.Trial) ([]float64, error) {
			steps := [][]float64{{0.5, math.Copysign(0, -1)}, {math.Inf(1), 2}, {0.25, math.NaN()}, {0.125, 3}}
			for i, v := range steps[:2+tr.Number()] {
				if err := tr.ReportValues(i, v); err != nil {
					return nil, err
				}
				if tr.ShouldPrune() {
					return nil, tuner.ErrPruned
				}
			}
			return []float64{1, 2}, nil
		}, tuner.Budget{Trials: 3})
		if err != nil {
			t.Fatal(err)
		}
		ours, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		theirs := loadMultiWithOptuna(t, st.OptunaStorageURL(), "mo")
		wantStates := []tuner.TrialState{tuner.Complete, tuner.Pruned, tuner.Pruned}
		for i, o := range ours {
			p := theirs.Trials[i]
			if o.State != wantStates[i] || len(o.IntermediateVectors) != 2+i/2 || len(o.Attrs) != 1 {
				t.Errorf("trial %d: %v, vectors %v, attributes %v; want %v with %d steps, the owner only", i, o.State, o.IntermediateVectors, o.Attrs, wantStates[i], 2+i/2)
			}
			if len(p.Vectors) != len(o.IntermediateVectors) || len(p.Intermediate) != len(o.Intermediate) || len(p.UserAttrs) != 0 {
				t.Errorf("trial %d: optuna sees %d vectors, %d intermediate values and user attributes %v; gradtune %d and %d",
					i, len(p.Vectors), len(p.Intermediate), p.UserAttrs, len(o.IntermediateVectors), len(o.Intermediate))
			}
			for step, v := range o.IntermediateVectors {
				key := strconv.Itoa(step)
				if !sameBits(pyFloats(t, p.Vectors[key]), v) || !sameBits(pyFloats(t, []string{p.Intermediate[key]}), v[:1]) || !sameBits([]float64{o.Intermediate[step]}, v[:1]) {
					t.Errorf("trial %d step %d: gradtune %v (intermediate %v); optuna sees %v and %v", i, step, v, o.Intermediate[step], p.Vectors[key], p.Intermediate[key])
				}
			}
		}
		if v := ours[0].IntermediateVectors[0]; !math.Signbit(v[1]) || !sameBits(ours[1].Values, []float64{math.Inf(1), 2}) || ours[2].Values != nil {
			t.Errorf("step 0 of trial 0 %v (want −0 kept); pruned values %v and %v, want [+Inf 2] and none (a NaN)", v, ours[1].Values, ours[2].Values)
		}
	})
}
