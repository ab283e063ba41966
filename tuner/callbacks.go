package tuner

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Callback runs after a trial of an Optimize or OptimizeMulti call ends
// (Optuna's study.optimize(callbacks=[…]), called as callback(study,
// frozen_trial)), given the call's ctx, the study and the trial as the
// storage now holds it.
//
// Which trials: every trial whose objective the call ran and whose end it
// recorded — Complete, Pruned, or Failed of any kind (an error, a panic, a
// NaN, a refused suggestion, FailTimeout), except a trial interrupted by
// cancelling ctx (FailInterrupted: the call then returns ctx's error). A
// failed run that MaxRetries retries is seen as it ends, and its retry
// again, as a trial of its own (Trial.RequeuedFrom names the run before,
// Retries counts them), as is a re-run of an interrupted or stale trial.
// Not seen: a trial that fails before its objective starts (the sampler
// fails, the grid is exhausted: Optimize stops there), one that another
// worker or process failed as stale while it ran, and trials of other
// calls or processes.
//
// The callbacks of a call run one at a time, whatever the Parallelism, in
// the order given, each trial's all before the next trial's; the other
// workers go on with their trials meanwhile. A callback may read the
// study and call Study.Stop. The callbacks of one trial share its
// FrozenTrial's maps: read them, do not change them. An error, or a panic
// (an error wrapping panics.ErrUser), stops the call as Study.Stop does
// and is Optimize's error, wrapped with the callback's position; no
// callback of the call runs after it.
//
// Callbacks are given to each Optimize call, not to Config, because they
// belong to a run: a stopper counts the trials of its call, and a Study
// opened elsewhere (noise.OptimizeUntilPlateau's) takes one without being
// reopened.
type Callback func(ctx context.Context, s *Study, t FrozenTrial) error

// errStopped is what a worker's trial start returns once its call has
// stopped: it never leaves Optimize.
var errStopped = errors.New("tuner: the Optimize call stopped")

// checkCallbacks refuses a nil callback with ErrConfig.
func checkCallbacks(cbs []Callback) error {
	for i, cb := range cbs {
		if cb == nil {
			return fmt.Errorf("%w: callback %d of %d is nil", ErrConfig, i, len(cbs))
		}
	}
	return nil
}

// callbackRun runs one Optimize call's callbacks, one trial at a time.
type callbackRun struct {
	list   []Callback
	mu     sync.Mutex
	failed bool // a callback failed: none runs again
}

// after runs the callbacks for the trial that ended as end, unless it is
// not theirs to see (see Callback), and returns the first error, wrapped.
func (c *callbackRun) after(ctx context.Context, s *Study, end trialEnd) error {
	if len(c.list) == 0 || !end.state.Finished() || end.kind == FailInterrupted {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed {
		return nil
	}
	ft, err := s.storedTrial(ctx, end.id)
	if err != nil {
		c.failed = true
		return err
	}
	for i, cb := range c.list {
		err := gerr.User(fmt.Sprintf("tuner: Optimize callback %d", i), func() error { return cb(ctx, s, ft) })
		if err != nil {
			c.failed = true
			return fmt.Errorf("tuner: Optimize: callback %d of %d, after trial %d: %w", i, len(c.list), ft.Number, err)
		}
	}
	return nil
}

// storedTrial reads the trial whose storage key is id.
func (s *Study) storedTrial(ctx context.Context, id int64) (FrozenTrial, error) {
	trials, err := s.load(ctx)
	if err != nil {
		return FrozenTrial{}, err
	}
	for _, t := range trials {
		if t.ID == id {
			return t, nil
		}
	}
	return FrozenTrial{}, fmt.Errorf("%w: trial id %d ended but the storage no longer lists it", ErrStorage, id)
}

// Stop stops the Optimize and OptimizeMulti calls running on this Study
// (Optuna's study.stop()): the trials they run finish and are recorded (and
// seen by their callbacks), no new one starts, and each call returns nil
// once its trials have ended — unless an error stopped it first. It is
// safe from any goroutine, and from a Callback or an objective. It acts on
// the calls running when it is called only: without one it does nothing
// (where Optuna raises), and a later Optimize runs as usual. Nor does it
// stop other Study values or processes sharing the study. A nil *Study,
// or one not made by Open, is ignored.
//
// A reproducible study (Config.ReproducibleWindow) keeps its promise
// across a Stop: each trial is the one its sequence number gives whatever
// the Parallelism, and a later Optimize to the same budget ends with the
// same Sequence as a study never stopped. How far it got does depend on
// timing: the trials running when Stop came (up to W−1 numbers past the
// one a callback stopped on) finish.
func (s *Study) Stop() {
	if s == nil {
		return
	}
	s.calls.stopAll()
}

// runningCalls holds the stop functions of a Study's running Optimize
// calls.
type runningCalls struct {
	mu    sync.Mutex
	next  int
	stops map[int]func()
}

// add registers a running call's stop function and returns the function
// that unregisters it, for when the call returns.
func (r *runningCalls) add(stop func()) (remove func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stops == nil {
		r.stops = map[int]func(){}
	}
	k := r.next
	r.next++
	r.stops[k] = stop
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.stops, k)
	}
}

// stopAll stops every running call.
func (r *runningCalls) stopAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, stop := range r.stops {
		stop()
	}
}

// stopping reports whether the channel of a stopped call is closed.
func stopping(stopped <-chan struct{}) bool {
	select {
	case <-stopped:
		return true
	default:
		return false
	}
}
