package schedulers

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/goal"
)

// A Solver given another's State goes on with the same rates: per step
// with a scale, and the same counts.
func TestSolverSetStateResumes(t *testing.T) {
	sched := StepDecay{LR: 0.8, StepSize: 3, Gamma: 0.5}
	a, err := NewSolver(G.NewVanillaSolver(), sched, PerStep)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := a.Step(nil); err != nil {
			t.Fatal(err)
		}
	}
	a.EpochEnd()
	if err := a.ScaleLR(0.25); err != nil {
		t.Fatal(err)
	}
	b, err := NewSolver(G.NewVanillaSolver(), sched, PerStep)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetState(a.State()); err != nil {
		t.Fatal(err)
	}
	if b.LR() != 0.4*0.25 || b.Steps() != 4 || b.Epochs() != 1 {
		t.Fatalf("restored solver: rate %v, %d steps, %d epochs; want 0.1, 4, 1", b.LR(), b.Steps(), b.Epochs())
	}
	for i := range 4 {
		_, _ = a.Step(nil), b.Step(nil)
		if a.LR() != b.LR() {
			t.Fatalf("step %d: rate %v restored, %v original", i+5, b.LR(), a.LR())
		}
	}
	for _, bad := range []SolverState{{Epochs: -1, Scale: 1}, {Steps: -2, Scale: 1}, {Scale: 0}, {Scale: math.Inf(1)}, {Scale: math.NaN()}} {
		if err := b.SetState(bad); !errors.Is(err, ErrConfig) || b.Steps() != 8 {
			t.Errorf("SetState(%+v) = %v with %d steps after, want ErrConfig and 8", bad, err, b.Steps())
		}
	}
}

// A Plateau given another's State makes the same decisions from then on.
func TestPlateauSetStateResumes(t *testing.T) {
	cfg := ReduceLROnPlateau{Mode: goal.Minimize, Factor: 0.5, Patience: 1, Cooldown: 1}
	a, err := NewPlateau(cfg)
	if err != nil {
		t.Fatal(err)
	}
	metrics := []float64{3, 2, 2.5, 2.4, 2.6, 1, 1.5, 1.6, 1.7, 1.8}
	lr := 1.0
	for _, m := range metrics[:4] {
		lr, _ = a.Step(m, lr)
	}
	b, err := NewPlateau(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetState(a.State()); err != nil {
		t.Fatal(err)
	}
	lrB, reductions := lr, 0
	for _, m := range metrics[4:] {
		var ra, rb bool
		lr, ra = a.Step(m, lr)
		lrB, rb = b.Step(m, lrB)
		if lr != lrB || ra != rb || a.State() != b.State() {
			t.Fatalf("metric %v: restored plateau %v %v %+v, original %v %v %+v", m, lrB, rb, b.State(), lr, ra, a.State())
		}
		if ra {
			reductions++
		}
	}
	if reductions == 0 {
		t.Fatal("no reduction after the restore: the test checks nothing")
	}
	if err := b.SetState(PlateauState{Bad: -1, Scale: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("SetState with bad = -1: %v, want ErrConfig", err)
	}
}
