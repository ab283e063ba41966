package schedulers

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Interval says what a schedule's t counts. The zero value is PerEpoch.
type Interval int

const (
	PerEpoch Interval = iota // t = completed epochs; the rate changes between epochs
	PerStep                  // t = completed optimizer steps
)

// Solver is a gorgonia.Solver whose learning rate follows a Schedule. It sets
// the rate of the wrapped solver in place with G.WithLearnRate, so the
// solver's state (Adam's moment estimates, its step count) is kept.
//
// It counts completed epochs (EpochEnd calls) and completed steps (Step
// calls) separately; the schedule's t is the one its Interval names, so the
// first epoch or step uses At(0). The rate is At(t) times ScaleLR's factors
// so far: a Plateau (or any rule of your own) lowers it through ScaleLR.
//
// Only NewSolver makes a working Solver: on a nil or zero one, Step,
// StepSnapshot, ScaleLR and SetState return an error wrapping ErrConfig,
// EpochEnd does nothing and the getters return zero values.
type Solver struct {
	inner  G.Solver
	sched  Schedule
	every  Interval
	epochs int
	steps  int
	scale  float64 // the product of ScaleLR's factors; 1 at NewSolver
	lr     float64
}

var _ G.Solver = (*Solver)(nil)

// RateSetter is a solver whose learning rate can be set in place, keeping its
// state. gradtune's own solvers (package optimizers) implement it.
type RateSetter interface {
	G.Solver
	SetLR(lr float64)
}

// NewSolver wraps inner and sets its rate to sched.At(0). inner is a
// RateSetter or one of Gorgonia's solvers whose rate G.WithLearnRate sets
// (Vanilla, Momentum, Adam, AdamW, RMSProp). It returns an error if sched is
// invalid or inner is a solver whose rate cannot be set (Gorgonia's AdaGrad
// ignores WithLearnRate; its Barzilai-Borwein overwrites its own rate).
func NewSolver(inner G.Solver, sched Schedule, every Interval) (*Solver, error) {
	switch inner.(type) {
	case RateSetter, *G.VanillaSolver, *G.AdamSolver, *G.Momentum, *G.RMSPropSolver, *G.AdamW:
	case nil:
		return nil, fmt.Errorf("%w: nil solver", ErrConfig)
	default:
		return nil, fmt.Errorf("%w: cannot schedule the rate of %T (Gorgonia ignores or overwrites it)", ErrConfig, inner)
	}
	if sched == nil {
		return nil, fmt.Errorf("%w: nil schedule", ErrConfig)
	}
	if err := sched.Validate(); err != nil {
		return nil, err
	}
	if every != PerEpoch && every != PerStep {
		return nil, fmt.Errorf("%w: Interval = %d, want PerEpoch or PerStep", ErrConfig, every)
	}
	s := &Solver{inner: inner, sched: sched, every: every, scale: 1}
	s.apply()
	return s, nil
}

// LR returns the learning rate the next Step will use.
func (s *Solver) LR() float64 {
	if s == nil {
		return 0
	}
	return s.lr
}

// Epochs returns the number of EpochEnd calls so far.
func (s *Solver) Epochs() int {
	if s == nil {
		return 0
	}
	return s.epochs
}

// Steps returns the number of successful Step calls so far.
func (s *Solver) Steps() int {
	if s == nil {
		return 0
	}
	return s.steps
}

// usable returns an error wrapping ErrConfig for a Solver NewSolver did not
// make.
func (s *Solver) usable() error {
	if s == nil || s.inner == nil || s.sched == nil {
		return fmt.Errorf("%w: nil or zero *schedulers.Solver, want one made by NewSolver", ErrConfig)
	}
	return nil
}

// Step applies one update at the current rate; with PerStep it then moves the
// rate to the schedule's next value. A failed update counts no step.
func (s *Solver) Step(model []G.ValueGrad) error {
	if s == nil || s.inner == nil || s.sched == nil { // usable's test, spelled out on the hot path

		return s.usable()
	}
	if err := s.inner.Step(model); err != nil {
		return err
	}
	s.steps++
	if s.every == PerStep {
		s.apply()
	}
	return nil
}

// StepSnapshot is Step through the wrapped solver's StepSnapshot (see
// optimizers.SnapshotStepper): it saves the parameters' values into prev
// before the update and reports whether the new values are finite. ok is
// false, and nothing is done, when the wrapped solver has no StepSnapshot
// (Gorgonia's own solvers); the caller then copies and checks by itself.
func (s *Solver) StepSnapshot(model []G.ValueGrad, prev []*tensor.Dense) (finite, ok bool, err error) {
	if err := s.usable(); err != nil {
		return false, false, err
	}
	inner, ok := s.inner.(interface {
		StepSnapshot([]G.ValueGrad, []*tensor.Dense) (bool, error)
	})
	if !ok {
		return false, false, nil
	}
	if finite, err = inner.StepSnapshot(model, prev); err != nil {
		return false, true, err
	}
	s.steps++
	if s.every == PerStep {
		s.apply()
	}
	return finite, true, nil
}

// EpochEnd tells the solver an epoch is over; with PerEpoch it moves the rate
// to the schedule's next value. It does nothing on a Solver NewSolver did
// not make (it has no error to return).
func (s *Solver) EpochEnd() {
	if s.usable() != nil {
		return
	}
	s.epochs++
	if s.every == PerEpoch {
		s.apply()
	}
}

// ScaleLR multiplies the rate by factor from the next Step on, on top of the
// schedule: the rate becomes At(t)·s, s the product of every factor given so
// far. A ReduceLROnPlateau written outside this package lowers the rate with
// it (factor = newLR/lr). It returns an error wrapping ErrConfig, changing
// nothing, unless factor is finite and > 0, or on a Solver NewSolver did
// not make.
func (s *Solver) ScaleLR(factor float64) error {
	if err := s.usable(); err != nil {
		return err
	}
	if !(factor > 0) || math.IsInf(factor, 0) {
		return fmt.Errorf("%w: rate factor %v, want a finite value > 0", ErrConfig, factor)
	}
	s.scale *= factor
	s.apply()
	return nil
}

// apply sets the rate for the current epoch or step count.
func (s *Solver) apply() {
	t := s.epochs
	if s.every == PerStep {
		t = s.steps
	}
	s.lr = s.sched.At(t)
	s.lr *= s.scale
	if rs, ok := s.inner.(RateSetter); ok {
		rs.SetLR(s.lr)
		return
	}
	G.WithLearnRate(s.lr)(s.inner)
}

// SolverState is what a Solver counts besides its schedule: the completed
// epochs and steps and the product of ScaleLR's factors.
type SolverState struct {
	Epochs, Steps int
	Scale         float64
}

// State returns the counters and the scale (zero for a nil Solver).
func (s *Solver) State() SolverState {
	if s == nil {
		return SolverState{}
	}
	return SolverState{Epochs: s.epochs, Steps: s.steps, Scale: s.scale}
}

// Inner returns the wrapped solver, whose own state (optimizers.Stateful)
// is saved apart.
func (s *Solver) Inner() G.Solver {
	if s == nil {
		return nil
	}
	return s.inner
}

// SetState puts back st, as returned by State, and sets the rate for it. It
// returns an error wrapping ErrConfig, changing nothing, for negative
// counts or a scale that is not finite and > 0, or on a Solver NewSolver
// did not make.
func (s *Solver) SetState(st SolverState) error {
	if err := s.usable(); err != nil {
		return err
	}
	if st.Epochs < 0 || st.Steps < 0 || !(st.Scale > 0) || math.IsInf(st.Scale, 0) {
		return fmt.Errorf("%w: solver state epochs %d, steps %d, scale %v: want counts ≥ 0 and a finite scale > 0",
			ErrConfig, st.Epochs, st.Steps, st.Scale)
	}
	s.epochs, s.steps, s.scale = st.Epochs, st.Steps, st.Scale
	s.apply()
	return nil
}
