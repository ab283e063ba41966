// Package optimizers configures the Gorgonia solvers that update parameters.
//
// An Optimizer is a plain config struct (zero value = the usual defaults) that
// makes a fresh gorgonia.Solver; schedulers.Solver then drives its rate.
package optimizers

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// ErrConfig is wrapped by every error about an invalid optimizer setting.
var ErrConfig = errors.New("optimizers: invalid configuration")

// Optimizer makes a new solver with learning rate lr.
type Optimizer interface {
	Solver(lr float64) (G.Solver, error)
	String() string
}

// SGD is plain gradient descent, w ← w − lr·g (Gorgonia's VanillaSolver,
// torch.optim.SGD without momentum). With batch size = dataset size it is
// gradient descent; with batch size 1, stochastic gradient descent.
type SGD struct{}

func (SGD) String() string { return "sgd" }

// Solver implements Optimizer.
func (SGD) Solver(lr float64) (G.Solver, error) {
	if err := checkLR(lr); err != nil {
		return nil, err
	}
	return G.NewVanillaSolver(G.WithLearnRate(lr)), nil
}

// Adam is Kingma & Ba 2015 with bias correction, as Gorgonia's AdamSolver and
// torch.optim.Adam (amsgrad off, no weight decay):
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//	w ← w − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + eps)
//
// Zero fields mean the defaults Beta1 0.9, Beta2 0.999, Eps 1e-8.
type Adam struct {
	Beta1, Beta2, Eps float64
}

func (a Adam) String() string {
	a = a.withDefaults()
	return fmt.Sprintf("adam(beta1=%g, beta2=%g, eps=%g)", a.Beta1, a.Beta2, a.Eps)
}

func (a Adam) withDefaults() Adam {
	if a.Beta1 == 0 {
		a.Beta1 = 0.9
	}
	if a.Beta2 == 0 {
		a.Beta2 = 0.999
	}
	if a.Eps == 0 {
		a.Eps = 1e-8
	}
	return a
}

// Solver implements Optimizer. It returns an error wrapping ErrConfig when lr
// ≤ 0, a beta is outside [0, 1) or Eps ≤ 0.
func (a Adam) Solver(lr float64) (G.Solver, error) {
	if err := checkLR(lr); err != nil {
		return nil, err
	}
	a = a.withDefaults()
	for _, b := range []struct {
		name string
		v    float64
	}{{"Beta1", a.Beta1}, {"Beta2", a.Beta2}} {
		if !(b.v >= 0 && b.v < 1) {
			return nil, fmt.Errorf("%w: adam %s = %v, want a value in [0, 1)", ErrConfig, b.name, b.v)
		}
	}
	if !(a.Eps > 0) || math.IsInf(a.Eps, 0) {
		return nil, fmt.Errorf("%w: adam Eps = %v, want a finite value > 0", ErrConfig, a.Eps)
	}
	return G.NewAdamSolver(G.WithLearnRate(lr), G.WithBeta1(a.Beta1), G.WithBeta2(a.Beta2), G.WithEps(a.Eps)), nil
}

func checkLR(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%w: lr = %v, want a finite value > 0", ErrConfig, lr)
	}
	return nil
}
