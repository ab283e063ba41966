package tuner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
)

// Counted follows the stored kind, whatever the message says: a reworded
// message does not change how a trial counts, and an old message under
// another kind does not either.
func TestFailKindDecidesCounted(t *testing.T) {
	cases := []struct {
		t    FrozenTrial
		want bool
	}{
		{FrozenTrial{State: Failed, FailKind: FailInterrupted, FailReason: "cancelled by the caller (reworded)"}, false},
		{FrozenTrial{State: Failed, FailKind: FailStale, FailReason: "its process is gone (reworded)"}, false},
		{FrozenTrial{State: Failed, FailKind: FailNotRun}, false},
		{FrozenTrial{State: Failed, FailKind: FailObjective, FailReason: interruptedReason}, true},
		{FrozenTrial{State: Failed, FailKind: FailObjective, FailReason: staleReason}, true},
		{FrozenTrial{State: Failed, FailKind: FailPanic}, true},
		{FrozenTrial{State: Failed, FailKind: FailNaN}, true},
		{FrozenTrial{State: Failed, FailKind: FailSuggest}, true},
		{FrozenTrial{State: Failed, FailKind: FailSampler}, true},
		{FrozenTrial{State: Failed, FailKind: FailUnknown}, true},
		{FrozenTrial{State: Failed, FailKind: "from_a_later_version"}, true},
		{FrozenTrial{State: Complete}, true},
		{FrozenTrial{State: Pruned}, true},
		{FrozenTrial{State: Running}, false},
		{FrozenTrial{State: Waiting}, false},
	}
	for _, c := range cases {
		if got := c.t.Counted(); got != c.want {
			t.Errorf("%v kind %q reason %q: Counted = %v, want %v", c.t.State, c.t.FailKind, c.t.FailReason, got, c.want)
		}
	}
}

// The messages earlier versions stored map to the kinds they meant.
func TestLegacyFailKind(t *testing.T) {
	for reason, want := range map[string]FailKind{
		"stale: still running when the study was reopened (its process died)": FailStale,
		"not run: the sampler's search space is exhausted":                    FailNotRun,
		"interrupted: the study's context was cancelled during the trial":     FailInterrupted,
		"objective returned NaN":                                    FailNaN,
		"objective panicked: runtime error: index out of range [3]": FailPanic,
		"boom": FailUnknown,
		`parameter "lr": tuner: invalid configuration: ...`: FailUnknown,
		"": FailUnknown,
	} {
		if got := LegacyFailKind(reason); got != want {
			t.Errorf("LegacyFailKind(%q) = %q, want %q", reason, got, want)
		}
	}
}

// failingStarter fails every trial as it starts.
type failingStarter struct{ RandomSampler }

func (failingStarter) StartTrial(*SampleContext) error { return errors.New("no start") }

// Each way a trial fails is stored with its kind.
func TestFailureKinds(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	c, cancel := context.WithCancel(ctx)
	obj := func(ctx context.Context, t *Trial) (float64, error) {
		switch t.Number() {
		case 0:
			return 0, errors.New("boom")
		case 1:
			panic("kaboom")
		case 2:
			return math.NaN(), nil
		case 3:
			t.Float("lr", 1, 0) // low > high
			return 1, nil
		case 4:
			return 0, fmt.Errorf("stop: %w", ErrPruned)
		case 5:
			return 1, nil
		}
		cancel()
		<-ctx.Done()
		return 0, ctx.Err()
	}
	if err := s.Optimize(c, obj, Budget{Trials: 7}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Optimize = %v, want context.Canceled", err)
	}
	st := open(t, Config{Name: "starter", Storage: s.storage, Sampler: failingStarter{}})
	if err := st.Optimize(ctx, obj, Budget{Trials: 1}); err == nil {
		t.Error("Optimize with a failing TrialStarter: nil error, want its error")
	}
	trials, _ := s.Trials(ctx)
	started, _ := st.Trials(ctx)
	trials = append(trials, started...)
	want := []struct {
		state TrialState
		kind  FailKind
	}{{Failed, FailObjective}, {Failed, FailPanic}, {Failed, FailNaN}, {Failed, FailSuggest}, {Pruned, ""}, {Complete, ""},
		{Failed, FailInterrupted}, {Failed, FailSampler}}
	if len(trials) != len(want) {
		t.Fatalf("%d trials, want %d", len(trials), len(want))
	}
	for i, w := range want {
		if tr := trials[i]; tr.State != w.state || tr.FailKind != w.kind {
			t.Errorf("trial %d: %v kind %q (%q), want %v kind %q", i, tr.State, tr.FailKind, tr.FailReason, w.state, w.kind)
		}
	}
}
