package schedulers

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
)

// ScaleLR's factors multiply the schedule from then on: with StepDecay
// halving every 2 epochs and factors 0.5 then 0.2, the rate is At(t)·0.5,
// then At(t)·0.1. A factor that is not finite and > 0 changes nothing.
func TestSolverScaleLR(t *testing.T) {
	sched := StepDecay{LR: 0.8, StepSize: 2, Gamma: 0.5}
	s, err := NewSolver(G.NewVanillaSolver(), sched, PerEpoch)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float64{0, -0.5, math.NaN(), math.Inf(1)} {
		if err := s.ScaleLR(bad); !errors.Is(err, ErrConfig) {
			t.Errorf("ScaleLR(%v) = %v, want ErrConfig", bad, err)
		}
	}
	if s.LR() != 0.8 {
		t.Fatalf("after refused factors LR = %v, want 0.8", s.LR())
	}
	scale := 1.0
	for e := range 6 {
		switch e {
		case 1:
			scale = 0.5
			if err := s.ScaleLR(0.5); err != nil {
				t.Fatal(err)
			}
		case 3:
			scale = 0.5 * 0.2
			if err := s.ScaleLR(0.2); err != nil {
				t.Fatal(err)
			}
		}
		if want := sched.At(e) * scale; s.LR() != want {
			t.Errorf("epoch %d: LR = %v, want At(%d)·%v = %v", e, s.LR(), e, scale, want)
		}
		s.EpochEnd()
	}
}
