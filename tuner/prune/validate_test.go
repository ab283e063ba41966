package prune

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// Each invalid setting is an ErrConfig naming the field, the value and the
// allowed range; the zero values and Optuna's edge settings are valid.
func TestPrunerValidate(t *testing.T) {
	for _, c := range []struct {
		p    interface{ Validate() error }
		want string // "" for valid
	}{
		{Median{}, ""},
		{Percentile{}, ""}, // the 0th percentile
		{Percentile{Percentile: 100, StartupTrials: 1, WarmupSteps: 3, IntervalSteps: 2, MinTrials: 4}, ""},
		{&SuccessiveHalving{}, ""},
		{&SuccessiveHalving{MinResource: 3, ReductionFactor: 2, MinEarlyStoppingRate: 2, BootstrapCount: 1}, ""},
		{&Hyperband{}, ""},
		{&Hyperband{MinResource: 3, MaxResource: 3, ReductionFactor: 2, BootstrapCount: 2}, ""},

		{Median{StartupTrials: -1}, "StartupTrials = -1, want ≥ 0"},
		{Median{WarmupSteps: -2}, "WarmupSteps = -2, want ≥ 0"},
		{Median{IntervalSteps: -1}, "IntervalSteps = -1, want ≥ 1"},
		{Median{MinTrials: -3}, "MinTrials = -3, want ≥ 1"},
		{Percentile{Percentile: -0.5}, "Percentile = -0.5, want 0 ≤ Percentile ≤ 100"},
		{Percentile{Percentile: 100.5}, "Percentile = 100.5, want 0 ≤ Percentile ≤ 100"},
		{Percentile{Percentile: math.NaN()}, "Percentile = NaN, want 0 ≤ Percentile ≤ 100"},
		{&SuccessiveHalving{MinResource: -1}, "MinResource = -1, want ≥ 1 (0 = auto)"},
		{&SuccessiveHalving{ReductionFactor: 1}, "ReductionFactor = 1, want ≥ 2"},
		{&SuccessiveHalving{ReductionFactor: -4}, "ReductionFactor = -4, want ≥ 2"},
		{&SuccessiveHalving{MinEarlyStoppingRate: -1}, "MinEarlyStoppingRate = -1, want ≥ 0"},
		{&SuccessiveHalving{MinResource: 1, BootstrapCount: -1}, "BootstrapCount = -1, want ≥ 0"},
		{&SuccessiveHalving{BootstrapCount: 2}, "BootstrapCount = 2 with MinResource auto"},
		{&Hyperband{MinResource: -1}, "MinResource = -1, want ≥ 1"},
		{&Hyperband{MaxResource: -1}, "MaxResource = -1, want ≥ MinResource"},
		{&Hyperband{MinResource: 5, MaxResource: 4}, "MaxResource = 4, want ≥ MinResource (5)"},
		{&Hyperband{ReductionFactor: 1}, "ReductionFactor = 1, want ≥ 2"},
		{&Hyperband{MaxResource: 9, BootstrapCount: -1}, "BootstrapCount = -1, want ≥ 0"},
		{&Hyperband{BootstrapCount: 1}, "BootstrapCount = 1 with MaxResource auto"},
		{(*SuccessiveHalving)(nil), "nil *prune.SuccessiveHalving"},
		{(*Hyperband)(nil), "nil *prune.Hyperband"},
	} {
		err := c.p.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%T%+v: %v, want valid", c.p, c.p, err)
		case c.want != "" && (!errors.Is(err, tuner.ErrConfig) || !strings.Contains(errText(err), c.want)):
			t.Errorf("%T%+v: %v, want ErrConfig with %q", c.p, c.p, err, c.want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A nil pruner, context or trial, or a trial with no report, never prunes
// (and does not panic).
func TestPrunersWithoutReports(t *testing.T) {
	done := *newFrozen(1, 0, tuner.Complete)
	done.Intermediate[0] = 1
	empty := newFrozen(2, 1, tuner.Running)
	for _, p := range []tuner.Pruner{
		Median{StartupTrials: 1}, Percentile{Percentile: 0, StartupTrials: 1},
		&SuccessiveHalving{MinResource: 1}, &Hyperband{MaxResource: 3},
		(*SuccessiveHalving)(nil), (*Hyperband)(nil),
	} {
		if p.Prune(nil) || p.Prune(&tuner.PruneContext{}) || p.Prune(&tuner.PruneContext{Trials: []tuner.FrozenTrial{done}, Trial: empty}) {
			t.Errorf("%T pruned without a report", p)
		}
	}
}
