package tuner

import (
	"errors"
	"fmt"
	"sync"
)

// ErrTooManyFailures: Optimize stopped after Config.MaxConsecutiveFailures
// trials in a row failed; the error also wraps the last one's cause.
var ErrTooManyFailures = errors.New("tuner: too many failed trials in a row")

// defaultMaxConsecutiveFailures is Config.MaxConsecutiveFailures's zero
// value: more patient than KerasTuner's 3, since a search over ranges where
// training sometimes diverges (a NaN fails the trial) meets short runs of
// failures, yet it stops a study whose every trial fails after 10 of them.
const defaultMaxConsecutiveFailures = 10

// trialEnd is how a trial Optimize ran ended.
type trialEnd struct {
	number int
	id     int64 // the trial's storage key
	// state is Running (the zero value) when the call recorded no end:
	// the trial was lost to another worker, or failed before it ran.
	state TrialState
	kind  FailKind
	cause error // why a Failed trial failed; nil if it was interrupted
	// rerun: a reproducible study runs its number again (a retry, a lost
	// trial), so the run takes no place in the budget.
	rerun bool
}

// failureStreak counts the trials that failed in a row, in the order they
// finish, and says when there are too many. Safe for concurrent use.
type failureStreak struct {
	limit int // Config.MaxConsecutiveFailures: 0 → the default, < 0 → no limit
	mu    sync.Mutex
	n     int
}

// add counts e and returns an error wrapping ErrTooManyFailures and e's
// cause once limit trials in a row have failed.
func (f *failureStreak) add(e trialEnd) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case e.state == Complete || e.state == Pruned:
		f.n = 0
		return nil
	case e.state != Failed || e.cause == nil:
		return nil // interrupted by the caller: says nothing of the objective
	}
	f.n++
	limit := f.limit
	if limit == 0 {
		limit = defaultMaxConsecutiveFailures
	}
	if limit < 0 || f.n < limit {
		return nil
	}
	return fmt.Errorf("%w: %d trials failed in a row (Config.MaxConsecutiveFailures = %d); the last, trial %d: %w",
		ErrTooManyFailures, f.n, limit, e.number, e.cause)
}
