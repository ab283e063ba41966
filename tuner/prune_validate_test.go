package tuner

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Each invalid setting is an ErrConfig naming the field, the value and the
// allowed range; the zero values and Optuna's edge settings are valid.
func TestPrunerValidate(t *testing.T) {
	for _, c := range []struct {
		p    interface{ Validate() error }
		want string // "" for valid
	}{
		{MedianPruner{}, ""},
		{PercentilePruner{}, ""}, // the 0th percentile
		{PercentilePruner{Percentile: 100, StartupTrials: 1, WarmupSteps: 3, IntervalSteps: 2, MinTrials: 4}, ""},
		{&SuccessiveHalvingPruner{}, ""},
		{&SuccessiveHalvingPruner{MinResource: 3, ReductionFactor: 2, MinEarlyStoppingRate: 2, BootstrapCount: 1}, ""},
		{&HyperbandPruner{}, ""},
		{&HyperbandPruner{MinResource: 3, MaxResource: 3, ReductionFactor: 2, BootstrapCount: 2}, ""},

		{MedianPruner{StartupTrials: -1}, "StartupTrials = -1, want ≥ 0"},
		{MedianPruner{WarmupSteps: -2}, "WarmupSteps = -2, want ≥ 0"},
		{MedianPruner{IntervalSteps: -1}, "IntervalSteps = -1, want ≥ 1"},
		{MedianPruner{MinTrials: -3}, "MinTrials = -3, want ≥ 1"},
		{PercentilePruner{Percentile: -0.5}, "Percentile = -0.5, want 0 ≤ Percentile ≤ 100"},
		{PercentilePruner{Percentile: 100.5}, "Percentile = 100.5, want 0 ≤ Percentile ≤ 100"},
		{PercentilePruner{Percentile: math.NaN()}, "Percentile = NaN, want 0 ≤ Percentile ≤ 100"},
		{&SuccessiveHalvingPruner{MinResource: -1}, "MinResource = -1, want ≥ 1 (0 = auto)"},
		{&SuccessiveHalvingPruner{ReductionFactor: 1}, "ReductionFactor = 1, want ≥ 2"},
		{&SuccessiveHalvingPruner{ReductionFactor: -4}, "ReductionFactor = -4, want ≥ 2"},
		{&SuccessiveHalvingPruner{MinEarlyStoppingRate: -1}, "MinEarlyStoppingRate = -1, want ≥ 0"},
		{&SuccessiveHalvingPruner{MinResource: 1, BootstrapCount: -1}, "BootstrapCount = -1, want ≥ 0"},
		{&SuccessiveHalvingPruner{BootstrapCount: 2}, "BootstrapCount = 2 with MinResource auto"},
		{&HyperbandPruner{MinResource: -1}, "MinResource = -1, want ≥ 1"},
		{&HyperbandPruner{MaxResource: -1}, "MaxResource = -1, want ≥ MinResource"},
		{&HyperbandPruner{MinResource: 5, MaxResource: 4}, "MaxResource = 4, want ≥ MinResource (5)"},
		{&HyperbandPruner{ReductionFactor: 1}, "ReductionFactor = 1, want ≥ 2"},
		{&HyperbandPruner{MaxResource: 9, BootstrapCount: -1}, "BootstrapCount = -1, want ≥ 0"},
		{&HyperbandPruner{BootstrapCount: 1}, "BootstrapCount = 1 with MaxResource auto"},
		{(*SuccessiveHalvingPruner)(nil), "nil *SuccessiveHalvingPruner"},
		{(*HyperbandPruner)(nil), "nil *HyperbandPruner"},
	} {
		err := c.p.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%T%+v: %v, want valid", c.p, c.p, err)
		case c.want != "" && (!errors.Is(err, ErrConfig) || !strings.Contains(pruneErrText(err), c.want)):
			t.Errorf("%T%+v: %v, want ErrConfig with %q", c.p, c.p, err, c.want)
		}
	}
}

func pruneErrText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A nil pruner, context or trial, or a trial with no report, never prunes
// (and does not panic).
func TestPrunersWithoutReports(t *testing.T) {
	done := *newFrozen(1, 0, Complete)
	done.Intermediate[0] = 1
	empty := newFrozen(2, 1, Running)
	for _, p := range []Pruner{
		MedianPruner{StartupTrials: 1}, PercentilePruner{Percentile: 0, StartupTrials: 1},
		&SuccessiveHalvingPruner{MinResource: 1}, &HyperbandPruner{MaxResource: 3},
		(*SuccessiveHalvingPruner)(nil), (*HyperbandPruner)(nil),
	} {
		if p.Prune(nil) || p.Prune(&PruneContext{}) || p.Prune(&PruneContext{Trials: []FrozenTrial{done}, Trial: empty}) {
			t.Errorf("%T pruned without a report", p)
		}
	}
}
