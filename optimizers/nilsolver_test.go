package optimizers_test

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// solverMethods are Step, StepSnapshot and SetState of one solver type.
type solverMethods struct {
	typ      string
	step     func([]G.ValueGrad) error
	snapshot func([]G.ValueGrad, []*tensor.Dense) (bool, error)
	setState func(optimizers.State) error
}

// Step, StepSnapshot and SetState on a nil solver return an error wrapping
// ErrConfig (SetState's wraps ErrState too) naming the type, where they
// used to dereference it.
func TestNilSolverIsAnError(t *testing.T) {
	var (
		adam    *optimizers.AdamSolver
		sgd     *optimizers.SGDSolver
		rmsprop *optimizers.RMSPropSolver
		adagrad *optimizers.AdaGradSolver
	)
	for _, s := range []solverMethods{
		{"AdamSolver", adam.Step, adam.StepSnapshot, adam.SetState},
		{"SGDSolver", sgd.Step, sgd.StepSnapshot, sgd.SetState},
		{"RMSPropSolver", rmsprop.Step, rmsprop.StepSnapshot, rmsprop.SetState},
		{"AdaGradSolver", adagrad.Step, adagrad.StepSnapshot, adagrad.SetState},
	} {
		vgs := []G.ValueGrad{vg{w: f64(1, 2), g: f64(0.5, 0.5)}}
		calls := map[string]func() error{
			"Step": func() error { return s.step(vgs) },
			"StepSnapshot": func() error {
				_, err := s.snapshot(vgs, []*tensor.Dense{f64(0, 0)})
				return err
			},
			"SetState": func() error { return s.setState(optimizers.State{}) },
		}
		for method, call := range calls {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s on a nil *%s panicked: %v", method, s.typ, p)
					}
				}()
				err = call()
			}()
			if !errors.Is(err, optimizers.ErrConfig) || !strings.Contains(err.Error(), "nil *"+s.typ) {
				t.Errorf("%s on a nil *%s: error %v, want one wrapping ErrConfig naming the type", method, s.typ, err)
			}
			if method == "SetState" && !errors.Is(err, optimizers.ErrState) {
				t.Errorf("SetState on a nil *%s: error %v, want one wrapping ErrState too", s.typ, err)
			}
		}
	}
}
