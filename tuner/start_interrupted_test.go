package tuner

import (
	"context"
	"errors"
	"testing"
)

// cancellingStarter cancels the study's context as a trial starts and
// fails, as a storage read does on a cancelled context.
type cancellingStarter struct {
	RandomSampler
	cancel context.CancelFunc
}

func (s cancellingStarter) StartTrial(*SampleContext) error {
	s.cancel()
	return context.Canceled
}

// A trial whose start fails because the study's context was cancelled is
// interrupted, which counts for nothing (and, in a reproducible study,
// runs its number again), not a sampler failure that counts; Optimize
// returns the context's error.
func TestCancelledTrialStartIsInterrupted(t *testing.T) {
	cctx, cancel := context.WithCancel(ctx)
	s := open(t, Config{Sampler: cancellingStarter{cancel: cancel}, Parallelism: 1})
	if err := s.Optimize(cctx, quadratic, Budget{Trials: 3}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Optimize: %v, want context.Canceled", err)
	}
	trials, _ := s.Trials(ctx)
	if len(trials) != 1 || trials[0].FailKind != FailInterrupted || trials[0].Counted() {
		t.Errorf("trials %+v, want one, interrupted and not counted", trials)
	}
}
