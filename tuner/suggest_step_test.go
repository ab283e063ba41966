package tuner

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A float Step so small that the range holds more than 2^53 steps panicked
// in the sampler (rand.IntN of an overflowed count), although suggestions
// promise never to panic: now the range is invalid, the suggestion returns
// its lower end and the trial fails with ErrConfig.
func TestTinyFloatStepFailsTheSuggestion(t *testing.T) {
	d := FloatDist{Low: 0, High: 1, Step: 1e-300}
	if err := d.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "MaxSteps") {
		t.Errorf("Validate(%v) = %v, want ErrConfig naming MaxSteps", d, err)
	}
	if err := (FloatDist{Low: 0, High: 1, Step: 1.0 / (1 << 52)}).Validate(); err != nil {
		t.Errorf("2^52 steps: Validate = %v, want nil", err)
	}
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1, MaxConsecutiveFailures: -1})
	var got float64
	var panicked any
	obj := func(_ context.Context, tr *Trial) (float64, error) {
		func() {
			defer func() { panicked = recover() }()
			got = tr.Float("x", 0.25, 1, Step(1e-300))
		}()
		return got, nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if panicked != nil {
		t.Fatalf("Float with Step(1e-300) panicked: %v", panicked)
	}
	trials, _ := s.Trials(ctx)
	if got != 0.25 || trials[0].State != Failed || trials[0].FailKind != FailSuggest || !strings.Contains(trials[0].FailReason, "MaxSteps") {
		t.Errorf("Float = %v, trial %v %q %q; want the lower end 0.25 and a trial failed by the suggestion",
			got, trials[0].State, trials[0].FailKind, trials[0].FailReason)
	}
}
