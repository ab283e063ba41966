package trainer

import (
	"fmt"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Reset forgets all training: the optimizer's state, the schedule's epoch
// and step counts, ScaleLR's factor, the epoch count, a Fit left resumable
// by its context, and the state of Config.Callbacks that keep one across
// Fits (each StatefulCallback, ReduceLROnPlateau's plateau for one, gets
// back its state at New). The trainer is then the one New(t.Model(), cfg)
// returns, except that it keeps its built graphs, so the next Fit,
// Evaluate and Predict do not build and compile them again. Weights come
// from the model's parameters, as at every Fit: give the model fresh ones
// first (model.Model.Reinit) to train from scratch, say for the next
// cross-validation fold.
//
// It returns ErrClosed after Close; an error wrapping ErrConfig for a
// Trainer not made by New, when called inside Fit (from a callback), when
// the optimizer refuses its settings, or when a callback's state could not
// be taken at New; and an error wrapping ErrState when a callback refuses
// its state back (panics.ErrUser if it panics). The optimizer and counters
// are reset only if every callback was.
func (t *Trainer) Reset() error {
	if err := t.usable(); err != nil {
		return err
	}
	if t.fitting {
		return fmt.Errorf("%w: Reset inside Fit", ErrConfig)
	}
	s, err := newSolver(&t.cfg)
	if err != nil {
		return err
	}
	for i, cb := range t.statefulCallbacks() {
		if i >= len(t.initial) || t.initial[i] == nil {
			why := "the Trainer was not made by New"
			if i < len(t.initialErr) && t.initialErr[i] != nil {
				why = t.initialErr[i].Error()
			}
			return fmt.Errorf("%w: Reset: callback %d (%T) has no state from New to go back to: %s", ErrConfig, i, cb, why)
		}
		if err := gerr.User(fmt.Sprintf("trainer: %T SetState", cb), func() error { return cb.SetState(t.initial[i]) }); err != nil {
			return fmt.Errorf("%w: Reset: callback %d (%T): %w", ErrState, i, cb, err)
		}
	}
	t.solver, t.epochs, t.run = s, 0, nil
	t.lastEpoch, t.batches = 0, 0
	return nil
}

// keepInitialCallbackStates records each StatefulCallback's state, for
// Reset. A callback whose State fails (or panics) only makes Reset fail.
func (t *Trainer) keepInitialCallbackStates() {
	cbs := t.statefulCallbacks()
	t.initial, t.initialErr = make([][]byte, len(cbs)), make([]error, len(cbs))
	for i, cb := range cbs {
		b, err := gerr.Value(fmt.Sprintf("trainer: %T State", cb), cb.State)
		if err == nil && b == nil {
			b = []byte{} // a state of no bytes is a state
		}
		t.initial[i], t.initialErr[i] = b, err
		if err != nil {
			t.initial[i] = nil
		}
	}
}
