package tuner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gradtune/gradtune/internal/gerr"
)

// HeartbeatStorage is a Storage whose Running trials record heartbeats, so
// that workers on any machine find the trials of a worker that died
// (Optuna's heartbeat protocol, optuna/storages/_heartbeat.py). Times are
// the storage's own clock — the database server's for tuner/rdb — so
// that the workers' clocks never matter. The memory storage and tuner/rdb
// implement it; Config.HeartbeatInterval turns it on.
type HeartbeatStorage interface {
	Storage
	// RecordHeartbeat sets the Running trial's heartbeat to now by the
	// storage's clock (an upsert). ErrTrialFinished if the trial is no
	// longer Running: its worker lost it.
	RecordHeartbeat(ctx context.Context, trialID int64) error
	// FailStaleTrials fails every Running trial of the study whose last
	// heartbeat is older than grace by the storage's clock, as FinishTrial
	// would (Failed, FailStale, reason), in one atomic step: of several
	// workers calling it at once, each trial is failed by exactly one.
	// Running trials without a heartbeat are left alone, as Optuna leaves
	// them. With requeue, each failed trial that has parameters is queued
	// again in the same step, as EnqueueTrial with its parameters and
	// RequeueAttrs. It returns the trials it failed, as they were (Running).
	FailStaleTrials(ctx context.Context, studyID int64, grace time.Duration, reason string, requeue bool) ([]FrozenTrial, error)
}

// RequeueAttrs are the attributes of the Waiting trial that re-runs t once
// t failed as stale: requeued_from, t's number (Trial.RequeuedFrom), and
// retries, one more than t's (Trial.Retries).
func RequeueAttrs(t FrozenTrial) map[string]string {
	return map[string]string{attrRequeuedFrom: strconv.Itoa(t.Number), attrRetries: strconv.Itoa(retriesOf(t) + 1)}
}

// heartbeatReason is the FailReason of a trial failed for its heartbeat.
const heartbeatReason = "stale: no heartbeat within the grace period (its worker died or stalled)"

// errTrialLost is the cause of a trial's context once another worker
// failed the trial as stale: the objective should stop, its result is
// dropped.
var errTrialLost = fmt.Errorf("%w: failed as stale by another worker (no heartbeat within the grace period)", ErrTrialFinished)

// heartbeats returns the storage and grace period when heartbeats are on.
func (s *Study) heartbeats() (HeartbeatStorage, time.Duration, bool) {
	if s.cfg.HeartbeatInterval <= 0 {
		return nil, 0, false
	}
	hs, _ := s.storage.(HeartbeatStorage)
	return hs, s.cfg.GracePeriod, true
}

// checkHeartbeatConfig validates Config.HeartbeatInterval and GracePeriod
// and fills in the grace period's default, 2 × the interval (Optuna's).
func checkHeartbeatConfig(cfg *Config) error {
	switch {
	case cfg.HeartbeatInterval < 0 || cfg.GracePeriod < 0:
		return fmt.Errorf("%w: HeartbeatInterval = %v, GracePeriod = %v, want ≥ 0", ErrConfig, cfg.HeartbeatInterval, cfg.GracePeriod)
	case cfg.HeartbeatInterval == 0 && cfg.GracePeriod > 0:
		return fmt.Errorf("%w: GracePeriod = %v without a HeartbeatInterval, want both", ErrConfig, cfg.GracePeriod)
	case cfg.HeartbeatInterval == 0:
		return nil
	}
	if _, ok := cfg.Storage.(HeartbeatStorage); !ok {
		return fmt.Errorf("%w: HeartbeatInterval = %v, but storage %T keeps no heartbeats (want a tuner.HeartbeatStorage: memory or tuner/rdb)", ErrConfig, cfg.HeartbeatInterval, cfg.Storage)
	}
	if cfg.GracePeriod == 0 {
		cfg.GracePeriod = 2 * cfg.HeartbeatInterval
	}
	if cfg.GracePeriod <= cfg.HeartbeatInterval {
		return fmt.Errorf("%w: GracePeriod = %v, want more than HeartbeatInterval = %v (0 → twice it)", ErrConfig, cfg.GracePeriod, cfg.HeartbeatInterval)
	}
	return nil
}

// failStale fails (and with RequeueStale re-queues, atomically) the trials
// whose heartbeat is older than the grace period; a no-op without heartbeats.
// Retries bounded by MaxRetries are queued after, by the study, which
// reads each trial's count: a process dying in between loses that retry.
// A reproducible study queues nothing (see requeueAfter).
func (s *Study) failStale(ctx context.Context) error {
	hs, grace, on := s.heartbeats()
	if !on {
		return nil
	}
	atomic := s.cfg.RequeueStale && !s.reproducible() && !s.retryable(FailStale)
	failed, err := hs.FailStaleTrials(ctx, s.id, grace, heartbeatReason, atomic)
	if err != nil || atomic {
		return err
	}
	for _, t := range failed {
		if err := s.requeueAfter(ctx, t, FailStale); err != nil {
			return err
		}
	}
	return nil
}

// beat records trial id's heartbeat every HeartbeatInterval until stop is
// closed. Once the storage says the trial is no longer Running, lost is
// called and beat returns. Other errors (a busy database, a panic in the
// storage) are retried at the next beat, never fatal (Optuna #5470).
func (s *Study) beat(ctx context.Context, id int64, stop <-chan struct{}, lost func()) {
	hs, _, _ := s.heartbeats()
	tick := time.NewTicker(s.cfg.HeartbeatInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := recordHeartbeat(ctx, hs, id); errors.Is(err, ErrTrialFinished) {
			lost()
			return
		}
	}
}

// recordHeartbeat records trial id's heartbeat; a panic in the storage's
// RecordHeartbeat is an error like another (on beat's goroutine, nothing
// else could recover it, and the process would end).
func recordHeartbeat(ctx context.Context, hs HeartbeatStorage, id int64) error {
	return gerr.User("tuner: storage RecordHeartbeat", func() error { return hs.RecordHeartbeat(ctx, id) })
}

// startHeartbeat records trial t's first heartbeat before the objective
// runs and keeps beating in the background; the returned func stops it
// (once; later calls do nothing).
// Without heartbeats it does nothing.
func (s *Study) startHeartbeat(t *Trial) (stop func()) {
	hs, _, on := s.heartbeats()
	if !on {
		return func() {}
	}
	if err := recordHeartbeat(t.ctx, hs, t.frozen.ID); errors.Is(err, ErrTrialFinished) {
		t.lose()
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		s.beat(t.ctx, t.frozen.ID, done, t.lose)
	}()
	return sync.OnceFunc(func() {
		close(done)
		<-finished
	})
}

// lose marks the trial lost to another worker and cancels its context, so
// that the objective sees ctx.Done() and later writes are refused.
func (t *Trial) lose() {
	t.lost.Store(true)
	if t.cancel != nil {
		t.cancel(errTrialLost)
	}
}

// checkLost refuses a write of a trial another worker failed as stale, and
// marks the trial lost when the storage refuses one as finished.
func (t *Trial) checkLost(err error) error {
	if err == nil && t.lost.Load() {
		return errTrialLost
	}
	if errors.Is(err, ErrTrialFinished) {
		t.lose()
	}
	return err
}

// heldPointsMayFree is asked when no grid point is free. A point held by
// a Running trial comes back if that trial goes stale (its worker died:
// with heartbeats and RequeueStale) or fails in a way MaxRetries retries,
// so instead of stopping, the worker waits for a trial of this Study to
// end or, at most, one heartbeat interval (maxSequenceWait without
// heartbeats), fails the stale trials (re-queuing them) and reports true to
// try again; it reports false once no trial of the study is Running or
// Waiting (the grid is done) or ctx ends. Without this, the last live
// workers could leave a dead worker's point unfinished forever, or stop
// before a retry.
func (s *Study) heldPointsMayFree(ctx context.Context) bool {
	_, _, beats := s.heartbeats()
	beats = beats && s.cfg.RequeueStale
	if !beats && s.cfg.MaxRetries <= 0 {
		return false
	}
	ended := s.trialEnds()
	// A trial of this Study that failed as this worker found no point may
	// be queueing its retry: wait for it to be queued.
	s.finishing.Lock()
	s.finishing.Unlock() //nolint:staticcheck // a barrier, not a critical section
	trials, err := s.storage.Trials(ctx, s.id)
	if err != nil {
		return false
	}
	running := false
	for _, t := range trials {
		if t.State == Waiting {
			return true // a retry to claim
		}
		running = running || t.State == Running
	}
	if !running {
		return false
	}
	wait := maxSequenceWait
	if beats {
		wait = s.cfg.HeartbeatInterval
	}
	select {
	case <-ctx.Done():
		return false
	case <-ended:
	case <-time.After(wait):
	}
	return s.failStale(ctx) == nil
}
