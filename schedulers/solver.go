package schedulers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
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
type Solver struct {
	inner G.Solver
	sched Schedule
	every Interval
	t     int
	lr    float64
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
	s := &Solver{inner: inner, sched: sched, every: every}
	s.set(0)
	return s, nil
}

// LR returns the learning rate the next Step will use.
func (s *Solver) LR() float64 { return s.lr }

// Step applies one update at the current rate; with PerStep it then moves the
// rate to the schedule's next value.
func (s *Solver) Step(model []G.ValueGrad) error {
	if err := s.inner.Step(model); err != nil {
		return err
	}
	if s.every == PerStep {
		s.set(s.t + 1)
	}
	return nil
}

// EpochEnd tells the solver an epoch is over; with PerEpoch it moves the rate
// to the schedule's next value.
func (s *Solver) EpochEnd() {
	if s.every == PerEpoch {
		s.set(s.t + 1)
	}
}

func (s *Solver) set(t int) {
	s.t = t
	s.lr = s.sched.At(t)
	if rs, ok := s.inner.(RateSetter); ok {
		rs.SetLR(s.lr)
		return
	}
	G.WithLearnRate(s.lr)(s.inner)
}
