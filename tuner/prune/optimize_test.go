package prune

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// curve is the intermediate value of a trial of quality q at step s
// (minimized): it falls towards q.
func curve(q float64, s int) float64 { return q + 1/float64(s+1) }

// qualityObjective reports curve(quality(n), s) for s = 0..steps−1,
// asking the pruner after each report, and returns the last value.
func qualityObjective(quality func(n int) float64, steps int) tuner.Objective {
	return func(_ context.Context, t *tuner.Trial) (float64, error) {
		q := quality(t.Number())
		for s := range steps {
			if err := t.Report(s, curve(q, s)); err != nil {
				return 0, err
			}
			if t.ShouldPrune() {
				return 0, fmt.Errorf("step %d: %w", s, tuner.ErrPruned)
			}
		}
		return curve(q, steps-1), nil
	}
}

// A poor trial is pruned and keeps its last intermediate value; a good one
// runs to the end. The expected states were worked out by hand from each
// pruner's rule (comments).
func TestPrunersPrunePoorTrialsThroughOptimize(t *testing.T) {
	// Trial 5 is poor, trial 6 good.
	qualities := []float64{1, 1.2, 0.9, 1.1, 1.05, 5, 0.1, 1.0}
	quality := func(n int) float64 { return qualities[n] }
	const steps = 10
	type want struct {
		state tuner.TrialState
		value float64
	}
	C := func(n int) want { return want{tuner.Complete, curve(qualities[n], steps-1)} }
	P := func(n, s int) want { return want{tuner.Pruned, curve(qualities[n], s)} }
	for _, c := range []struct {
		name   string
		pruner tuner.Pruner
		want   []want
	}{
		// 5 startup trials; then trial 5's best (6.0 at step 0) is above the
		// median of trials 0–4 (2.0) at once; trials 6 and 7 stay below the
		// median at every step.
		{"median", Median{}, []want{C(0), C(1), C(2), C(3), C(4), P(5, 0), C(6), C(7)}},
		// Min resource "auto" = max(9/100, 1) = 1 once trial 0 completes
		// (it has no rungs), η = 4: rungs end at steps 1 and 4. While fewer
		// than 4 trials reached a rung only the best goes on: at step 1
		// (q + 0.5) trial 3's 1.6 and trial 4's 1.55 lose to trial 2's 1.4,
		// trial 5's 5.5 and trial 7's 1.5 to trial 6's 0.6.
		{"successive halving", &SuccessiveHalving{}, []want{C(0), C(1), C(2), P(3, 1), P(4, 1), P(5, 1), C(6), P(7, 1)}},
	} {
		s := open(t, tuner.Config{Pruner: c.pruner, Parallelism: 1})
		if err := s.Optimize(ctx, qualityObjective(quality, steps), tuner.Budget{Trials: len(qualities)}); err != nil {
			t.Fatal(err)
		}
		trials, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i, tr := range trials {
			w := c.want[i]
			if tr.State != w.state || tr.Value != w.value {
				t.Errorf("%s: trial %d %v %v, want %v %v", c.name, i, tr.State, tr.Value, w.state, w.value)
			}
			if _, last, _ := tr.LastStep(); tr.State == tuner.Pruned && tr.Value != last {
				t.Errorf("%s: pruned trial %d has value %v, its last report %v", c.name, i, tr.Value, last)
			}
		}
	}
}

// Each sequential scenario of pruners.json run through Study.Optimize (one
// trial at a time): every ShouldPrune answer, final state and value is
// Optuna's.
func TestPrunersThroughOptimizeMatchOptuna(t *testing.T) {
	g := loadGolden(t)
	type run struct {
		name     string
		scenario scenario
		cfg      tuner.Config
	}
	var runs []run
	for _, s := range g.Percentile {
		runs = append(runs, run{s.Name, s.scenario, tuner.Config{Pruner: percentileFor(s)}})
	}
	for _, s := range g.SHA {
		runs = append(runs, run{s.Name, s.scenario, tuner.Config{Pruner: shaFor(s)}})
	}
	for _, s := range g.Hyperband {
		runs = append(runs, run{s.Name, s.scenario, tuner.Config{Pruner: hyperbandFor(t, s), Name: s.StudyName}})
	}
	n := 0
	for _, r := range runs {
		if r.scenario.Concurrency != 1 {
			continue
		}
		n++
		t.Run(r.name, func(t *testing.T) {
			specs := trialSpecs(r.scenario)
			var mu sync.Mutex
			asked := make([][]bool, len(specs))
			obj := func(_ context.Context, t *tuner.Trial) (float64, error) {
				sp := specs[t.Number()]
				for i, step := range sp.steps {
					if err := t.Report(step, sp.values[i]); err != nil {
						return 0, err
					}
					if !sp.ask[i] {
						continue
					}
					p := t.ShouldPrune()
					mu.Lock()
					asked[t.Number()] = append(asked[t.Number()], p)
					mu.Unlock()
					if p {
						return 0, tuner.ErrPruned
					}
				}
				if sp.end == "fail" {
					return 0, errors.New("the scenario fails this trial")
				}
				return sp.values[len(sp.values)-1], nil
			}
			r.cfg.Direction, r.cfg.Parallelism = r.scenario.dir(), 1
			s := open(t, r.cfg)
			if err := s.Optimize(ctx, obj, tuner.Budget{Trials: len(specs)}); err != nil {
				t.Fatal(err)
			}
			trials, err := s.Trials(ctx)
			if err != nil {
				t.Fatal(err)
			}
			states := map[string]tuner.TrialState{"complete": tuner.Complete, "pruned": tuner.Pruned, "fail": tuner.Failed}
			for i, tr := range trials {
				sp := specs[i]
				value := sp.values[len(sp.values)-1]
				if sp.end == "fail" {
					value = math.NaN()
				}
				if fmt.Sprint(asked[i]) != fmt.Sprint(sp.asked) || tr.State != states[sp.end] || !sameFloat(tr.Value, value) {
					t.Errorf("trial %d: answers %v, %v %v; Optuna %v, %s %v", i, asked[i], tr.State, tr.Value, sp.asked, sp.end, value)
				}
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d sequential scenarios", n)
	}
}

// Trials in parallel (run with -race): a pruned trial keeps its last value,
// the best trials (equal, so never behind another) are never pruned, and
// poor ones are.
func TestPrunersInParallel(t *testing.T) {
	quality := func(n int) float64 {
		if n%3 == 2 {
			return 5 // poor
		}
		return 0.5
	}
	for _, c := range []struct {
		name   string
		pruner tuner.Pruner
	}{
		{"median", Median{StartupTrials: 2}},
		{"percentile", Percentile{Percentile: 25, StartupTrials: 2}},
		{"successive halving", &SuccessiveHalving{MinResource: 1, ReductionFactor: 2}},
		{"hyperband", &Hyperband{MaxResource: 9, StudyName: "parallel"}},
	} {
		s := open(t, tuner.Config{Name: "parallel", Pruner: c.pruner, Parallelism: 4})
		if err := s.Optimize(ctx, qualityObjective(quality, 9), tuner.Budget{Trials: 60}); err != nil {
			t.Fatal(err)
		}
		trials, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		poorPruned := 0
		for _, tr := range trials {
			_, last, _ := tr.LastStep()
			switch {
			case tr.State == tuner.Pruned && tr.Value != last:
				t.Errorf("%s: pruned trial %d has value %v, its last report %v", c.name, tr.Number, tr.Value, last)
			case tr.State == tuner.Pruned && quality(tr.Number) != 5:
				t.Errorf("%s: good trial %d pruned at %v", c.name, tr.Number, tr.Intermediate)
			case tr.State == tuner.Pruned:
				poorPruned++
			case tr.State != tuner.Complete:
				t.Errorf("%s: trial %d %v", c.name, tr.Number, tr.State)
			}
		}
		t.Logf("%s: %d of 20 poor trials pruned", c.name, poorPruned)
		if poorPruned < 10 {
			t.Errorf("%s: %d of 20 poor trials pruned, want most", c.name, poorPruned)
		}
	}
}

// A misconfigured pruner is refused by Open (Validate says why), and if
// called anyway it never prunes (Prune has no error to return).
func TestInvalidPrunerNeverPrunes(t *testing.T) {
	for _, p := range []tuner.Pruner{
		Median{IntervalSteps: -1},
		Percentile{Percentile: 101},
		&SuccessiveHalving{ReductionFactor: 1},
		&Hyperband{MinResource: 10, MaxResource: 5},
	} {
		if err := p.(interface{ Validate() error }).Validate(); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%T%+v: Validate() = %v, want ErrConfig", p, p, err)
		}
		if _, err := tuner.Open(ctx, tuner.Config{Pruner: p}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%T%+v: Open = %v, want ErrConfig", p, p, err)
		}
		trial := &tuner.FrozenTrial{Number: 7, Intermediate: map[int]float64{1: 1e9, 2: 1e9, 3: 1e9}}
		var others []tuner.FrozenTrial
		for i := 0; i < 6; i++ {
			others = append(others, tuner.FrozenTrial{Number: i, State: tuner.Complete, Value: 0, Intermediate: map[int]float64{1: 0, 2: 0, 3: 0}})
		}
		if p.Prune(&tuner.PruneContext{Trials: others, Trial: trial}) {
			t.Errorf("%T%+v pruned although invalid", p, p)
		}
	}
}

// The rungs a successive-halving pruner records are stored in the trials'
// attributes, so a study reopened with a new pruner keeps them.
func TestSHARungsPersistInAttrs(t *testing.T) {
	st := tuner.NewMemoryStorage()
	s := open(t, tuner.Config{Name: "sha", Storage: st, Pruner: &SuccessiveHalving{MinResource: 1, ReductionFactor: 2}, Parallelism: 1})
	if err := s.Optimize(ctx, qualityObjective(func(n int) float64 { return float64(n % 3) }, 8), tuner.Budget{Trials: 6}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	withRungs := 0
	for _, tr := range trials {
		if v, ok := tr.Attrs["completed_rung_0"]; ok {
			withRungs++
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				t.Errorf("trial %d rung 0 = %q", tr.Number, v)
			}
		}
	}
	if withRungs != len(trials) {
		t.Errorf("%d of %d trials stored completed_rung_0", withRungs, len(trials))
	}
}
