package tuner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
)

var minMax = []Direction{Minimize, Maximize}

// Config.Direction and Config.Directions: one objective by default; both
// set must agree; a list names each objective's way.
func TestDirectionsConfig(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want []Direction
		one  Direction
	}{
		{Config{}, []Direction{Minimize}, Minimize},
		{Config{Direction: Maximize}, []Direction{Maximize}, Maximize},
		{Config{Directions: []Direction{Maximize}}, []Direction{Maximize}, Maximize},
		{Config{Direction: Maximize, Directions: []Direction{Maximize}}, []Direction{Maximize}, Maximize},
		{Config{Directions: []Direction{}}, []Direction{Minimize}, Minimize},
		{Config{Directions: minMax}, minMax, goal.Auto},
	} {
		s := open(t, c.cfg)
		if got := s.Directions(); !slices.Equal(got, c.want) || s.Direction() != c.one {
			t.Errorf("%+v: Directions %v Direction %v, want %v %v", c.cfg, got, s.Direction(), c.want, c.one)
		}
		s.Directions()[0] = 42 // a copy
		if got := s.Directions(); !slices.Equal(got, c.want) {
			t.Errorf("%+v: Directions changed through the returned slice: %v", c.cfg, got)
		}
	}
	for _, bad := range []Config{
		{Direction: Minimize, Directions: []Direction{Maximize}},
		{Direction: Minimize, Directions: minMax},
		{Directions: []Direction{Minimize, goal.Auto}},
		{Directions: []Direction{Maximize, 9}},
		{Directions: minMax, Sampler: TPESampler{}},
		{Directions: minMax, Sampler: &TPESampler{Multivariate: true}},
	} {
		if _, err := Open(ctx, bad); !errors.Is(err, ErrConfig) {
			t.Errorf("Open(%+v) = %v, want ErrConfig", bad, err)
		}
	}
	dirs := []Direction{Minimize, Maximize}
	s := open(t, Config{Directions: dirs})
	dirs[0] = Maximize // the study keeps its own copy
	if got := s.Directions(); !slices.Equal(got, minMax) {
		t.Errorf("Directions = %v after the caller's slice changed, want %v", got, minMax)
	}
	if _, ok := s.cfg.Sampler.(*NSGAIISampler); !ok {
		t.Errorf("default sampler of several objectives: %T, want *NSGAIISampler (Optuna's default)", s.cfg.Sampler)
	}
}

// Reopening a study with other directions is refused with an error naming
// both, and the study is left as it was.
func TestReopenWithOtherDirectionsIsRefused(t *testing.T) {
	st := NewMemoryStorage()
	s := open(t, Config{Name: "s", Storage: st, Directions: minMax, Parallelism: 1})
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		x := tr.Float("x", 0, 1)
		return []float64{x, x}, nil
	}, Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Trials(ctx)
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "exists with 2 objectives [minimize maximize], not 1 objective [minimize]"},
		{Config{Direction: Maximize}, "not 1 objective [maximize]"},
		{Config{Directions: []Direction{Maximize, Minimize}}, "not 2 objectives [maximize minimize]"},
		{Config{Directions: []Direction{Minimize, Maximize, Maximize}}, "not 3 objectives"},
	} {
		c.cfg.Name, c.cfg.Storage = "s", st
		_, err := Open(ctx, c.cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%v): %v, want ErrConfig saying %q", c.cfg.Directions, err, c.want)
		}
	}
	one := open(t, Config{Name: "one", Storage: st, Direction: Maximize})
	_ = one
	if _, err := Open(ctx, Config{Name: "one", Storage: st}); err == nil || err.Error() != `tuner: invalid configuration: study "one" exists with direction maximize, not minimize` {
		t.Errorf("one objective reopened the other way: %v", err)
	}
	after, err := open(t, Config{Name: "s", Storage: st, Directions: minMax}).Trials(ctx)
	if err != nil || !reflect.DeepEqual(after, before) {
		t.Errorf("trials changed by the refused Opens (%v):\n%+v\n%+v", err, after, before)
	}
}

// Optimize refuses a study of several objectives, naming OptimizeMulti;
// OptimizeMulti runs a study of one objective with vectors of one value.
func TestOptimizeAndOptimizeMulti(t *testing.T) {
	s := open(t, Config{Directions: minMax})
	ran := false
	err := s.Optimize(ctx, func(context.Context, *Trial) (float64, error) { ran = true; return 1, nil }, Budget{Trials: 1})
	if !errors.Is(err, ErrConfig) || !errors.Is(err, ErrMultiObjective) || !strings.Contains(err.Error(), "OptimizeMulti") || ran {
		t.Errorf("Optimize on 2 objectives: %v (ran %v), want ErrConfig and ErrMultiObjective naming OptimizeMulti", err, ran)
	}
	if err := s.OptimizeMulti(ctx, nil, Budget{Trials: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("OptimizeMulti(nil) = %v, want ErrConfig", err)
	}
	one := open(t, Config{Direction: Maximize, Parallelism: 1, Sampler: RandomSampler{}})
	if err := one.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		return []float64{tr.Float("x", 0, 1)}, nil
	}, Budget{Trials: 5}); err != nil {
		t.Fatal(err)
	}
	trials, _ := one.Trials(ctx)
	best, err := one.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trials {
		if tr.State != Complete || len(tr.Values) != 1 || tr.Values[0] != tr.Params["x"] || tr.Value != tr.Values[0] || tr.Value > best.Value {
			t.Errorf("trial %d: %v values %v value %v (best %v), want complete [x] with x = %v", tr.Number, tr.State, tr.Values, tr.Value, best.Value, tr.Params["x"])
		}
	}
}

// A vector of the wrong length, a NaN objective and a NaN constraint fail
// their trials with a clear reason and a fitting kind, never a panic;
// ±Inf values are kept; the study goes on and its other trials complete.
func TestMultiObjectiveBadVectorsFailTheirTrials(t *testing.T) {
	s := open(t, Config{Directions: minMax, Parallelism: 1})
	var constraintErr error
	obj := func(_ context.Context, tr *Trial) ([]float64, error) {
		x := tr.Float("x", 0, 1)
		switch tr.Number() {
		case 0:
			return []float64{x}, nil
		case 1:
			return []float64{x, x, x}, nil
		case 2:
			return nil, nil
		case 3:
			return []float64{x, math.NaN()}, nil
		case 4:
			constraintErr = tr.SetConstraints(1, math.NaN())
			return []float64{x, x}, nil
		case 5:
			return []float64{math.Inf(1), math.Inf(-1)}, nil
		}
		return []float64{x, 1 - x}, nil
	}
	var err error
	noPanic(t, "OptimizeMulti", func() { err = s.OptimizeMulti(ctx, obj, Budget{Trials: 7}) })
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(constraintErr, ErrConfig) || !strings.Contains(constraintErr.Error(), "constraint 1") {
		t.Errorf("SetConstraints(1, NaN) = %v, want ErrConfig naming constraint 1", constraintErr)
	}
	trials, _ := s.Trials(ctx)
	want := []struct {
		state  TrialState
		kind   FailKind
		reason string
	}{
		{Failed, FailObjective, "objective returned 1 values, want 2: one per objective (Directions [minimize maximize])"},
		{Failed, FailObjective, "objective returned 3 values, want 2"},
		{Failed, FailObjective, "objective returned 0 values, want 2"},
		{Failed, FailNaN, "objective returned NaN for objective 1 of 2"},
		{Failed, FailNaN, "constraint 1 of [1 NaN] is NaN"},
		{Complete, "", ""},
		{Complete, "", ""},
	}
	for i, tr := range trials {
		w := want[i]
		if tr.State != w.state || tr.FailKind != w.kind || !strings.Contains(tr.FailReason, w.reason) || w.reason == "" && tr.FailReason != "" {
			t.Errorf("trial %d: %v %q %q, want %v %q containing %q", i, tr.State, tr.FailKind, tr.FailReason, w.state, w.kind, w.reason)
		}
		if (tr.State == Failed) != (tr.Values == nil) || tr.State == Failed && !math.IsNaN(tr.Value) {
			t.Errorf("trial %d: %v with values %v value %v", i, tr.State, tr.Values, tr.Value)
		}
		if tr.State == Failed && !tr.Counted() {
			t.Errorf("trial %d: a failure of the objective's own does not count", i)
		}
	}
	if got := trials[5].Values; !slices.Equal(got, []float64{math.Inf(1), math.Inf(-1)}) || trials[5].Value != math.Inf(1) {
		t.Errorf("trial 5: values %v value %v, want [+Inf -Inf] kept", got, trials[5].Value)
	}
	if trials[4].Constraints != nil {
		t.Errorf("trial 4: constraints %v stored, want none (NaN refused)", trials[4].Constraints)
	}
}

// Best refuses a study of several objectives, naming BestTrials; the
// front of an evident set of points is its non-dominated ones.
func TestBestTrialsIsTheParetoFront(t *testing.T) {
	s := open(t, Config{Directions: minMax, Parallelism: 1})
	if _, err := s.Best(ctx); !errors.Is(err, ErrMultiObjective) || !strings.Contains(err.Error(), "BestTrials") {
		t.Errorf("Best on 2 objectives: %v, want ErrMultiObjective naming BestTrials", err)
	}
	if front, err := s.BestTrials(ctx); err != nil || front == nil || len(front) != 0 {
		t.Errorf("BestTrials of an empty study: %v, %v; want empty, not nil", front, err)
	}
	// Minimize the first, maximize the second: (1, 1), (2, 3), (3, 3),
	// (2, 3) again, (0, 0), (4, 5), (2, 2). (3, 3) loses to (2, 3), (2, 2)
	// to (2, 3); the rest, and both copies of (2, 3), are on the front.
	points := [][]float64{{1, 1}, {2, 3}, {3, 3}, {2, 3}, {0, 0}, {4, 5}, {2, 2}}
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		return points[tr.Number()], nil
	}, Budget{Trials: len(points)}); err != nil {
		t.Fatal(err)
	}
	front, err := s.BestTrials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := trialNumbers(front); !slices.Equal(got, []int{0, 1, 3, 4, 5}) {
		t.Errorf("front %v, want [0 1 3 4 5]", got)
	}
	hv, err := s.Hypervolume(ctx, []float64{5, -1})
	// In minimization space (x, −y) with reference (5, 1): (0, 0) 5×1,
	// (1, −1) 4×1 more below it, (2, −3) 3×2, (4, −5) 1×2: 5+4+6+2 = 17.
	if err != nil || hv != 17 {
		t.Errorf("Hypervolume(5, −1) = %v, %v; want 17", hv, err)
	}
}

// Constraints: a trial that violates one is never on the front nor the
// best while a feasible or unconstrained one exists; with none feasible the
// front is empty and Best is ErrNoFeasible.
func TestConstraintsDecideFeasibility(t *testing.T) {
	type point struct {
		v    []float64
		cons []float64
	}
	run := func(cfg Config, ps []point) *Study {
		t.Helper()
		cfg.Parallelism = 1
		s := open(t, cfg)
		if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
			p := ps[tr.Number()]
			if p.cons != nil {
				if err := tr.SetConstraints(p.cons...); err != nil {
					return nil, err
				}
			}
			return p.v, nil
		}, Budget{Trials: len(ps)}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// The infeasible (0, 10) dominates everything; the feasible front is
	// (1, 2) and the unconstrained (2, 3).
	multi := run(Config{Directions: minMax}, []point{
		{[]float64{0, 10}, []float64{0.5, -1}},
		{[]float64{1, 2}, []float64{0, -1}},
		{[]float64{2, 3}, nil},
		{[]float64{3, 3}, []float64{-2, -2}},
	})
	front, err := multi.BestTrials(ctx)
	if got := trialNumbers(front); err != nil || !slices.Equal(got, []int{1, 2}) {
		t.Errorf("front %v (%v), want [1 2]: the infeasible trial 0 is off it", got, err)
	}
	trials, _ := multi.Trials(ctx)
	if _, kept := trials[0].Attrs[attrConstraints]; !slices.Equal(trials[0].Constraints, []float64{0.5, -1}) || trials[2].Constraints != nil || kept {
		t.Errorf("constraints %v and %v, attrs %v; want [0.5 -1], nil, no attribute %q", trials[0].Constraints, trials[2].Constraints, trials[0].Attrs, attrConstraints)
	}
	none := run(Config{Directions: minMax}, []point{
		{[]float64{0, 10}, []float64{1}},
		{[]float64{1, 2}, []float64{0.1}},
	})
	if front, err := none.BestTrials(ctx); err != nil || front == nil || len(front) != 0 {
		t.Errorf("no feasible trial: front %v, %v; want empty", front, err)
	}
	if hv, err := none.Hypervolume(ctx, []float64{5, 0}); err != nil || hv != 0 {
		t.Errorf("no feasible trial: hypervolume %v, %v; want 0", hv, err)
	}
	one := run(Config{Direction: Minimize}, []point{
		{[]float64{-5}, []float64{3}},
		{[]float64{2}, []float64{-1}},
		{[]float64{1}, []float64{0}},
		{[]float64{1}, nil},
	})
	best, err := one.Best(ctx)
	if err != nil || best.Number != 2 {
		t.Errorf("Best = trial %d (%v), want 2: the least value among feasible trials, the first of a tie", best.Number, err)
	}
	front, err = one.BestTrials(ctx)
	if got := trialNumbers(front); err != nil || !slices.Equal(got, []int{2, 3}) {
		t.Errorf("one objective: front %v (%v), want the tied best [2 3]", got, err)
	}
	if hv, err := one.Hypervolume(ctx, []float64{4}); err != nil || hv != 3 {
		t.Errorf("one objective: hypervolume to 4 = %v, %v; want 3", hv, err)
	}
	allBad := run(Config{}, []point{{[]float64{1}, []float64{2}}, {[]float64{0}, []float64{math.Inf(1)}}})
	if _, err := allBad.Best(ctx); !errors.Is(err, ErrNoFeasible) {
		t.Errorf("Best with no feasible trial: %v, want ErrNoFeasible", err)
	}
	if _, err := open(t, Config{}).Best(ctx); !errors.Is(err, ErrNoCompleted) {
		t.Errorf("Best of an empty study: %v, want ErrNoCompleted", err)
	}
}

// Hypervolume refuses a reference point of the wrong length or not
// finite; maximized objectives are negated, one objective is a length.
func TestHypervolume(t *testing.T) {
	max1 := open(t, Config{Direction: Maximize, Parallelism: 1})
	if err := max1.Optimize(ctx, func(_ context.Context, tr *Trial) (float64, error) {
		return []float64{3, 5, 4}[tr.Number()], nil
	}, Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	if hv, err := max1.Hypervolume(ctx, []float64{2}); err != nil || hv != 3 {
		t.Errorf("maximized 5 to reference 2: %v, %v; want 3", hv, err)
	}
	if hv, err := max1.Hypervolume(ctx, []float64{6}); err != nil || hv != 0 {
		t.Errorf("reference 6 beyond the best 5: %v, %v; want 0", hv, err)
	}
	s := open(t, Config{Directions: minMax})
	for _, ref := range [][]float64{nil, {1}, {1, 2, 3}, {math.NaN(), 0}, {0, math.Inf(1)}} {
		if _, err := s.Hypervolume(ctx, ref); !errors.Is(err, ErrConfig) {
			t.Errorf("Hypervolume(%v) = %v, want ErrConfig", ref, err)
		}
	}
	inf := open(t, Config{Directions: minMax, Parallelism: 1})
	if err := inf.OptimizeMulti(ctx, func(context.Context, *Trial) ([]float64, error) {
		return []float64{math.Inf(-1), 0}, nil
	}, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := inf.Hypervolume(ctx, []float64{0, -1}); err == nil || !strings.Contains(err.Error(), "Inf") {
		t.Errorf("a front value of −Inf: %v, want an error about the infinite volume", err)
	}
}

// Report refuses a trial of a study of several objectives, naming
// ReportValues; SetAttr keeps "constraints" for SetConstraints, which needs
// a value.
func TestMultiObjectiveTrialLimits(t *testing.T) {
	s := open(t, Config{Directions: minMax, Parallelism: 1})
	var reportErr, attrErr, emptyErr error
	pruned := true
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		reportErr = tr.Report(0, 1)
		pruned = tr.ShouldPrune()
		attrErr = tr.SetAttr("constraints", "[1.0]")
		emptyErr = tr.SetConstraints()
		return []float64{1, 2}, nil
	}, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(reportErr, ErrConfig) || !strings.Contains(reportErr.Error(), "2 objectives") || !strings.Contains(reportErr.Error(), "ReportValues") || pruned {
		t.Errorf("Report: %v, ShouldPrune %v; want ErrConfig naming the 2 objectives and ReportValues, and false", reportErr, pruned)
	}
	if !errors.Is(attrErr, ErrConfig) || !strings.Contains(attrErr.Error(), "SetConstraints") || !errors.Is(emptyErr, ErrConfig) {
		t.Errorf("SetAttr(constraints) = %v, SetConstraints() = %v; want ErrConfig", attrErr, emptyErr)
	}
	trials, _ := s.Trials(ctx)
	if tr := trials[0]; tr.State != Complete || len(tr.Intermediate) != 0 || tr.Constraints != nil {
		t.Errorf("trial: %v intermediate %v constraints %v, want complete with neither", tr.State, tr.Intermediate, tr.Constraints)
	}
}

// recordingSampler records what the samplers see.
type recordingSampler struct {
	RandomSampler
	dirs        [][]Direction
	single      []Direction
	constraints [][]float64
}

func (r *recordingSampler) Sample(c *SampleContext, name string, d Distribution) (float64, error) {
	r.dirs, r.single = append(r.dirs, c.Directions), append(r.single, c.Direction)
	for _, tr := range c.Trials {
		r.constraints = append(r.constraints, tr.Constraints)
	}
	return r.RandomSampler.Sample(c, name, d)
}

// Samplers see the study's directions and the trials' constraints; TPE
// refuses several objectives.
func TestSamplersSeeDirectionsAndConstraints(t *testing.T) {
	rec := &recordingSampler{}
	s := open(t, Config{Directions: minMax, Sampler: rec, Parallelism: 1})
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		x := tr.Float("x", 0, 1)
		return []float64{x, x}, tr.SetConstraints(float64(tr.Number()))
	}, Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec.dirs, [][]Direction{minMax, minMax}) || !slices.Equal(rec.single, []Direction{goal.Auto, goal.Auto}) {
		t.Errorf("sampler saw Directions %v, Direction %v; want %v twice and auto", rec.dirs, rec.single, minMax)
	}
	if !reflect.DeepEqual(rec.constraints, [][]float64{{0}}) {
		t.Errorf("sampler saw constraints %v, want trial 0's [0]", rec.constraints)
	}
	c := &SampleContext{Directions: minMax, Rand: s.sampleContext(&Trial{}, nil, "x").Rand}
	if _, err := (TPESampler{}).Sample(c, "x", FloatDist{High: 1}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "one objective") {
		t.Errorf("TPE on 2 objectives: %v, want ErrConfig", err)
	}
	if _, err := (TPESampler{Multivariate: true}).SampleRelative(c); !errors.Is(err, ErrConfig) {
		t.Errorf("TPE SampleRelative on 2 objectives: %v, want ErrConfig", err)
	}
}

// The trials table carries every objective (values_<i>) and the
// constraints, with feasibility.
func TestTrialsTableOfSeveralObjectives(t *testing.T) {
	s := open(t, Config{Directions: minMax, Parallelism: 1})
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		switch tr.Number() {
		case 0:
			return []float64{0.5, math.Inf(1)}, tr.SetConstraints(-1, 0.25)
		case 1:
			return []float64{1, 2}, tr.SetConstraints(0)
		}
		return nil, errors.New("boom")
	}, Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	for i := range trials {
		trials[i].Attrs, trials[i].Start = nil, trials[i].Complete // stable columns
	}
	var b bytes.Buffer
	if err := WriteTrialsCSV(&b, trials); err != nil {
		t.Fatal(err)
	}
	want := "number,state,values_0,values_1,constraints_0,constraints_1,feasible,duration_seconds,fail_reason\n" +
		"0,complete,0.5,+Inf,-1,0.25,false,0,\n" +
		"1,complete,1,2,0,,true,0,\n" +
		"2,failed,,,,,,0,boom\n"
	if got := b.String(); got != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", got, want)
	}
	b.Reset()
	if err := WriteTrialsJSON(&b, trials); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	for i, w := range []map[string]any{
		{"value": 0.5, "values": []any{0.5, nil}, "constraints": []any{-1.0, 0.25}, "feasible": false},
		{"value": 1.0, "values": []any{1.0, 2.0}, "constraints": []any{0.0}, "feasible": true},
		{"value": nil},
	} {
		for k, v := range w {
			if !reflect.DeepEqual(rows[i][k], v) {
				t.Errorf("JSON row %d: %s = %v, want %v", i, k, rows[i][k], v)
			}
		}
	}
	if _, ok := rows[2]["values"]; ok {
		t.Errorf("JSON row 2 (failed) has values %v, want none", rows[2]["values"])
	}
}

func trialNumbers(trials []FrozenTrial) []int {
	out := []int{}
	for _, tr := range trials {
		out = append(out, tr.Number)
	}
	return out
}
