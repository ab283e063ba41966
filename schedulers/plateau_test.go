package schedulers

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/goal"
)

// ReduceLROnPlateau on a Solver, one Gorgonia step per epoch, then
// EpochEnd, Plateau.Step and ScaleLR on a reduction, against torch: the rate applied each epoch and
// the "reduced" answer.
func TestPlateauMatchesTorch(t *testing.T) {
	ts := loadSchedules(t)
	if len(ts.Plateau) < 6 {
		t.Fatalf("%d plateau cases in schedules.json, want ≥ 6", len(ts.Plateau))
	}
	worst, reductions := 0.0, 0
	for _, c := range ts.Plateau {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Metrics) < 30 || len(c.LRs) != len(c.Metrics)+1 {
				t.Fatalf("%d metrics, %d rates: want ≥ 30 metrics and one more rate", len(c.Metrics), len(c.LRs))
			}
			metrics := append([]float64(nil), c.Metrics...)
			for _, i := range c.NaNAt {
				metrics[i] = math.NaN()
			}
			mode, err := goal.Parse(c.Mode)
			if err != nil {
				t.Fatal(err)
			}
			cfg := ReduceLROnPlateau{
				Mode: mode, Factor: c.Factor, Patience: c.Patience, Threshold: c.Threshold,
				ThresholdMode: c.ThresholdMode, Cooldown: c.Cooldown, MinLR: c.MinLR, Eps: c.Eps,
			}
			if c.Defaults {
				cfg = DefaultPlateau()
				cfg.Mode = goal.Minimize // torch's mode="min"
			}
			var sched Schedule = Constant{LR: c.LR}
			if c.ExpGamma > 0 {
				sched = Exponential{LR: c.LR, Gamma: c.ExpGamma}
			}
			pl, err := NewPlateau(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSolver(G.NewVanillaSolver(), sched, PerEpoch)
			if err != nil {
				t.Fatal(err)
			}
			p := newProbe(t)
			for e, m := range metrics {
				got := p.step(t, s)
				e0 := relErr(got, c.LRs[e])
				worst = max(worst, e0)
				if !(e0 <= 1e-9) {
					t.Fatalf("epoch %d: applied rate %.17g, want %.17g (torch)", e, got, c.LRs[e])
				}
				s.EpochEnd()
				before := s.LR()
				newLR, reduced := pl.Step(m, before)
				if reduced {
					if err := s.ScaleLR(newLR / before); err != nil {
						t.Fatal(err)
					}
				}
				// torch reduced iff its rate fell by more than the schedule's own step.
				wantReduced := c.LRs[e+1] < c.LRs[e]*(1-1e-9)
				if c.ExpGamma > 0 {
					wantReduced = c.LRs[e+1] < c.LRs[e]*c.ExpGamma*(1-1e-9)
				}
				if reduced != wantReduced {
					t.Errorf("epoch %d, metric %v: Step reduced = %v, want %v (torch %.6g → %.6g)",
						e, m, reduced, wantReduced, c.LRs[e], c.LRs[e+1])
				}
				if reduced {
					reductions++
					if !(s.LR() < before) {
						t.Errorf("epoch %d: reduced but LR %v → %v", e, before, s.LR())
					}
				}
				if e1 := relErr(s.LR(), c.LRs[e+1]); !(e1 <= 1e-9) {
					t.Fatalf("after epoch %d (metric %v): LR() = %.17g, want %.17g (torch)", e, m, s.LR(), c.LRs[e+1])
				}
			}
		})
	}
	if reductions < 20 {
		t.Errorf("only %d reductions over all cases: the golden runs do not exercise the plateau", reductions)
	}
	t.Logf("worst relative error vs torch: %.3g, reductions: %d", worst, reductions)
}

// NaN never improves, so a NaN streak counts as bad epochs (as torch's
// comparisons); the best stays the last finite improvement.
func TestPlateauNaNIsNotBetter(t *testing.T) {
	for _, c := range []struct {
		name     string
		cfg      ReduceLROnPlateau
		metrics  []float64
		wantBest float64
		wantBad  int
	}{
		{"min first NaN", ReduceLROnPlateau{Mode: goal.Minimize, Patience: 5}, []float64{math.NaN(), math.NaN()}, math.Inf(1), 2},
		{"max first NaN", ReduceLROnPlateau{Mode: goal.Maximize, Patience: 5}, []float64{math.NaN()}, math.Inf(-1), 1},
		{"min after value", ReduceLROnPlateau{Mode: goal.Minimize, Patience: 5}, []float64{1, math.NaN(), math.NaN(), math.NaN()}, 1, 3},
		{"abs after value", ReduceLROnPlateau{Mode: goal.Minimize, Patience: 5, ThresholdMode: "abs"}, []float64{2, 1, math.NaN()}, 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := NewPlateau(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range c.metrics {
				if lr, reduced := p.Step(m, 0.1); reduced || lr != 0.1 {
					t.Fatalf("Step(%v) = %v, %v: want no reduction before patience runs out", m, lr, reduced)
				}
			}
			if p.Best() != c.wantBest || p.BadEpochs() != c.wantBad {
				t.Errorf("best %v, bad epochs %d; want %v, %d", p.Best(), p.BadEpochs(), c.wantBest, c.wantBad)
			}
		})
	}
}

// Patience 0 reduces on the first epoch without improvement; the Scale is
// the product of the reductions, and a plateau that never triggers leaves
// the schedule untouched.
func TestPlateauScale(t *testing.T) {
	p, err := NewPlateau(ReduceLROnPlateau{Mode: goal.Minimize, Patience: 0, Factor: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		metric, lr, wantLR, wantScale float64
		wantReduced                   bool
	}{
		{1, 0.8, 0.8, 1, false},
		{0.5, 0.8, 0.8, 1, false},
		{0.6, 0.8, 0.4, 0.5, true},
		{0.7, 0.4, 0.2, 0.25, true},
		{0.1, 0.2, 0.2, 0.25, false},
	} {
		lr, reduced := p.Step(c.metric, c.lr)
		if lr != c.wantLR || reduced != c.wantReduced || p.Scale() != c.wantScale {
			t.Errorf("epoch %d: Step(%v, %v) = %v, %v, Scale %v; want %v, %v, %v",
				i, c.metric, c.lr, lr, reduced, p.Scale(), c.wantLR, c.wantReduced, c.wantScale)
		}
	}
}

// A Plateau alone has no metric to take a direction from: Auto is refused,
// with a message that says what to set, rather than guessed as torch's min.
func TestNewPlateauRefusesAuto(t *testing.T) {
	if err := DefaultPlateau().Validate(); err != nil {
		t.Fatalf("DefaultPlateau (Mode Auto) does not validate: %v", err)
	}
	_, err := NewPlateau(DefaultPlateau())
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "goal.Minimize") || !strings.Contains(err.Error(), "goal.Maximize") {
		t.Errorf("NewPlateau(Mode Auto) = %v, want ErrConfig naming goal.Minimize and goal.Maximize", err)
	}
	p, err := NewPlateau(ReduceLROnPlateau{Mode: goal.Maximize, Patience: 0, Factor: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	// Maximizing: rises keep the rate, the first non-rise halves it.
	var got []bool
	for _, m := range []float64{0.5, 0.7, 0.7, 0.9, 0.8} {
		_, reduced := p.Step(m, 0.1)
		got = append(got, reduced)
	}
	if want := []bool{false, false, true, false, true}; !reflect.DeepEqual(got, want) {
		t.Errorf("reductions %v, want %v", got, want)
	}
}
