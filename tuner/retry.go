package tuner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// ErrTrialTimeout is the cause (context.Cause) of the context of a trial
// that ran past Config.TrialTimeout; the trial ends Failed, FailTimeout.
var ErrTrialTimeout = errors.New("tuner: trial ran past its TrialTimeout")

// attrRetries holds how many earlier runs of a trial's parameters failed
// and were retried (Trial.Retries).
const attrRetries = "retries"

// defaultRetryKinds are Config.RetryKinds's zero value: the failures that
// say nothing about the parameters — a worker that died or was lost, and a
// panic (a crash in a library, out of memory in a goroutine).
var defaultRetryKinds = []FailKind{FailStale, FailPanic}

// retriableKinds are the kinds RetryKinds may list: the trial ran and
// failed. A suggestion or sampler failure would fail again; an interrupted
// trial is re-queued by RequeueStale, without a limit, as it says nothing
// of the trial; a trial never run has nothing to retry.
var retriableKinds = []FailKind{FailStale, FailPanic, FailObjective, FailNaN, FailTimeout}

// checkRetryConfig validates TrialTimeout, MaxRetries and RetryKinds.
func checkRetryConfig(cfg Config) error {
	switch {
	case cfg.TrialTimeout < 0:
		return fmt.Errorf("%w: TrialTimeout = %v, want ≥ 0 (0 = none)", ErrConfig, cfg.TrialTimeout)
	case cfg.MaxRetries < 0:
		return fmt.Errorf("%w: MaxRetries = %d, want ≥ 0 (0 = no retry)", ErrConfig, cfg.MaxRetries)
	case len(cfg.RetryKinds) > 0 && cfg.MaxRetries == 0:
		return fmt.Errorf("%w: RetryKinds %v without MaxRetries, want MaxRetries ≥ 1 (the kinds are retried up to that many times)", ErrConfig, cfg.RetryKinds)
	}
	for _, k := range cfg.RetryKinds {
		if !slices.Contains(retriableKinds, k) {
			return fmt.Errorf("%w: RetryKinds: %q cannot be retried, want some of %v", ErrConfig, k, retriableKinds)
		}
	}
	return nil
}

// retryable reports whether a failure of kind is retried.
func (s *Study) retryable(kind FailKind) bool {
	if s.cfg.MaxRetries <= 0 {
		return false
	}
	kinds := s.cfg.RetryKinds
	if len(kinds) == 0 {
		kinds = defaultRetryKinds
	}
	return slices.Contains(kinds, kind)
}

// retried reports whether t failed in a way the study retries.
func (s *Study) retried(t FrozenTrial) bool { return t.State == Failed && s.retryable(t.FailKind) }

// retriedAgain reports whether t, failed as kind, is to be retried: its
// kind is retried and its retries are not spent.
func (s *Study) retriedAgain(t FrozenTrial, kind FailKind) bool {
	return s.retryable(kind) && retriesOf(t) < s.cfg.MaxRetries
}

// retriesOf reads t's retry count (attribute retries), 0 if none.
func retriesOf(t FrozenTrial) int {
	n, err := strconv.Atoi(t.Attrs[attrRetries])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Retries returns how many earlier runs of this trial's parameters failed
// and were retried (Config.MaxRetries): 0 for a first run, n for the n-th
// retry, whose RequeuedFrom names the run before it. 0 for a nil *Trial or
// one no study made.
func (t *Trial) Retries() int {
	if t.check() != nil {
		return 0
	}
	return retriesOf(t.frozen)
}

// requeueAfter queues t's parameters again after t ended Failed as kind,
// when the study re-runs that kind: a retry (Config.MaxRetries, counted in
// attribute retries, up to the limit), or an interrupted or stale trial
// with RequeueStale (without limit, unless MaxRetries bounds stale ones).
// A reproducible study queues nothing: it runs the number again
// (startSequenced). Nor is a trial without parameters queued.
func (s *Study) requeueAfter(ctx context.Context, t FrozenTrial, kind FailKind) error {
	if s.reproducible() || len(t.Internal) == 0 {
		return nil
	}
	n := retriesOf(t)
	switch {
	case s.retryable(kind):
		if !s.retriedAgain(t, kind) {
			return nil
		}
		n++
	case kind == FailStale && s.cfg.RequeueStale:
		n++
	case kind == FailInterrupted && s.cfg.RequeueStale:
		// Not the trial's failure: its count carries over.
	default:
		return nil
	}
	attrs := map[string]string{attrRequeuedFrom: strconv.Itoa(t.Number)}
	if n > 0 {
		attrs[attrRetries] = strconv.Itoa(n)
	}
	return s.storage.EnqueueTrial(ctx, s.id, t.Internal, t.Distributions, attrs)
}

// withTimeout bounds the objective's context by Config.TrialTimeout; the
// returned func releases the timer and reports whether the deadline passed
// while the objective ran.
func (s *Study) withTimeout(ctx context.Context) (context.Context, func() bool) {
	d := s.cfg.TrialTimeout
	if d <= 0 {
		return ctx, func() bool { return false }
	}
	tctx, cancel := context.WithTimeoutCause(ctx, d, ErrTrialTimeout)
	return tctx, func() bool {
		timedOut := errors.Is(context.Cause(tctx), ErrTrialTimeout)
		cancel()
		return timedOut
	}
}

// timeoutReason is the FailReason of a trial that ran past its timeout,
// with how long its objective took to return (longer than the timeout when
// it ignored its ctx).
func (s *Study) timeoutReason(took time.Duration) string {
	return fmt.Sprintf("timeout: ran past Config.TrialTimeout = %v (the objective returned after %v)", s.cfg.TrialTimeout, took.Round(time.Millisecond))
}
