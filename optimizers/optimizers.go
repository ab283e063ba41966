// Package optimizers holds gradtune's own implementations of Gorgonia's Solver
// interface, each equal to its torch.optim counterpart (PyTorch 1.13):
// SGD (momentum, dampening, Nesterov, weight decay), Adam, AdamW, RMSProp and
// AdaGrad, plus gradient clipping (ClipByValue, ClipByGlobalNorm).
//
// An Optimizer is a plain config struct (zero value = the defaults its doc
// names) that makes a fresh solver; schedulers.Solver then drives its rate
// through SetLR, which keeps the solver's state (moments, step count).
//
// Every solver works on float32 and float64 *tensor.Dense parameters (one
// fused loop per parameter, no allocation after the first Step), and, like
// Gorgonia's own solvers, zeroes each gradient after using it: Gorgonia's
// tape machine adds new gradients to the old ones until a solver clears them.
//
// Why not Gorgonia's solvers: in v0.9.18 AdaGrad ignores its rate and eps,
// RMSProp puts eps inside the square root, Momentum keeps the rate inside the
// velocity (wrong as soon as the rate changes) and Adam clones about four
// tensors per parameter per step.
package optimizers

import (
	"errors"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	// ErrConfig is wrapped by every error about an invalid optimizer setting,
	// including a rate that is not finite and > 0: from Solver, or, for a rate
	// set with SetLR, from the next Step (which then changes nothing). Step,
	// StepSnapshot and SetState called on a nil solver return it too.
	ErrConfig = errors.New("optimizers: invalid configuration")

	// ErrParam is wrapped by every error about the parameters handed to a
	// solver's Step or to a clipping function: a value or gradient that is
	// not a float32/float64 *tensor.Dense, a gradient whose dtype or shape
	// differs from its value's, or a parameter list that differs from the one
	// the solver saw at its first Step.
	ErrParam = errors.New("optimizers: unusable parameter")

	// ErrNonFinite is wrapped by ClipByGlobalNorm's error when the total
	// gradient norm is NaN or infinite.
	ErrNonFinite = errors.New("optimizers: non-finite gradient norm")
)

// SnapshotStepper is a solver whose Step can also save the parameters'
// values from before the update into prev (one *tensor.Dense per
// parameter, of its dtype and size) and report whether the updated values
// are all finite, in the update's own pass over memory where it can (Adam's
// vector loop). A trainer that undoes a step gone non-finite uses it instead
// of a copy before and a check after. Every solver of this package
// implements it; a bad prev is an error wrapping ErrParam that changes
// nothing.
type SnapshotStepper interface {
	G.Solver
	StepSnapshot(vgs []G.ValueGrad, prev []*tensor.Dense) (finite bool, err error)
}

// Optimizer makes a new solver with learning rate lr. The solver also has
// SetLR(lr float64) (schedulers.RateSetter).
type Optimizer interface {
	Solver(lr float64) (G.Solver, error)
	String() string
}

// float is the element type of the parameters a solver updates.
type float interface{ float32 | float64 }

var _ = []SnapshotStepper{(*AdamSolver)(nil), (*SGDSolver)(nil), (*RMSPropSolver)(nil), (*AdaGradSolver)(nil)}
