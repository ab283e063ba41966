package schedulers

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// noPanic runs f and fails t if it panics.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	}()
	f()
}

// A nil or zero Solver (not made by NewSolver) has no solver or schedule:
// the methods that return an error say so (ErrConfig, naming NewSolver),
// EpochEnd does nothing, and the getters of a nil one return zero values.
func TestSolverNotMadeByNewSolver(t *testing.T) {
	vgs := []G.ValueGrad{}
	for name, s := range map[string]*Solver{"nil": nil, "zero": {}} {
		calls := map[string]func() error{
			"Step": func() error { return s.Step(vgs) },
			"StepSnapshot": func() error {
				_, ok, err := s.StepSnapshot(vgs, []*tensor.Dense{})
				if ok {
					t.Errorf("%s StepSnapshot reported ok", name)
				}
				return err
			},
			"ScaleLR":  func() error { return s.ScaleLR(0.5) },
			"SetState": func() error { return s.SetState(SolverState{Epochs: 1, Scale: 1}) },
		}
		for method, call := range calls {
			var err error
			noPanic(t, name+" "+method, func() { err = call() })
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "NewSolver") {
				t.Errorf("%s Solver %s: error %v, want one wrapping ErrConfig naming NewSolver", name, method, err)
			}
		}
		noPanic(t, name+" getters", func() {
			s.EpochEnd()
			if s.LR() != 0 || s.Epochs() != 0 || s.Steps() != 0 || s.State() != (SolverState{}) || s.Inner() != nil {
				t.Errorf("%s Solver after EpochEnd: LR %v, Epochs %d, Steps %d, State %+v, Inner %v; want all zero",
					name, s.LR(), s.Epochs(), s.Steps(), s.State(), s.Inner())
			}
		})
	}
}

func TestPlateauSetStateOnNil(t *testing.T) {
	var p *Plateau
	var err error
	noPanic(t, "SetState", func() { err = p.SetState(PlateauState{Scale: 1}) })
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "nil *Plateau") {
		t.Errorf("SetState on a nil Plateau: error %v, want one wrapping ErrConfig naming it", err)
	}
}
