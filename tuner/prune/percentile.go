package prune

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/tuner"
)

// Percentile prunes a trial whose best intermediate value so far is
// worse than the Percentile-th percentile of the completed trials' values at
// the same step: optuna.pruners.PercentilePruner of Optuna 3.1
// (optuna/pruners/_percentile.py), decision for decision.
//
// At a check, with s the trial's last (highest) step and C the Complete
// trials (Running, Pruned and Failed ones never count):
//
//	no pruning        if |C| = 0, |C| < StartupTrials, s < WarmupSteps,
//	                  or s is not the first report in its interval (below)
//	best              = min over the trial's values (max when maximizing), NaN skipped
//	prune             if best is NaN (every value so far is NaN)
//	p                 = numpy.nanpercentile({c.Intermediate[s] : c ∈ C reported s},
//	                    Percentile, or 100 − Percentile when maximizing), linear method
//	no pruning        if fewer than MinTrials trials of C reported s (NaN values
//	                  count), or p is NaN
//	prune             if best > p (minimizing), best < p (maximizing); ties stay
//
// Checks happen at the pruning steps WarmupSteps + k·IntervalSteps: a report at
// step s is checked only if no earlier report of the trial reached
// WarmupSteps + ⌊(s − WarmupSteps)/IntervalSteps⌋·IntervalSteps (a check missed
// because nothing was reported at that step happens at the next report).
//
// The zero value of each field is Optuna's default, except Percentile, which
// Optuna requires: 0 is the 0th percentile (keep only trials at least as good as
// the best other trial). Use Median for the 50th.
type Percentile struct {
	// Percentile in [0, 100]: 25 keeps trials in the best quarter.
	Percentile float64
	// StartupTrials: no pruning until this many trials are Complete; 0 → 5.
	// Optuna's n_startup_trials=0 never prunes before one trial completes
	// either, so it is StartupTrials: 1 here.
	StartupTrials int
	// WarmupSteps: no pruning at steps below it (0, Optuna's default, means
	// from step 0).
	WarmupSteps int
	// IntervalSteps between checks, counted from WarmupSteps; 0 → 1.
	IntervalSteps int
	// MinTrials: no pruning at a step reported by fewer completed trials; 0 → 1.
	MinTrials int
}

// Median is Percentile at the 50th percentile, Optuna 3.1's
// optuna.pruners.MedianPruner (the median stopping rule of Google Vizier,
// Golovin et al., KDD 2017): a trial stops when its best value so far is worse
// than the median of the completed trials' values at the same step. The zero
// value is Median(n_startup_trials=5, n_warmup_steps=0,
// interval_steps=1, n_min_trials=1); see Percentile for the fields.
type Median struct {
	StartupTrials int // 0 → 5 (use 1 for Optuna's 0)
	WarmupSteps   int // 0: from step 0
	IntervalSteps int // 0 → 1
	MinTrials     int // 0 → 1
}

// Validate returns an error wrapping ErrConfig for a field out of range.
func (m Median) Validate() error { return m.percentile().Validate() }

// Prune implements Pruner; it never prunes when Validate fails.
func (m Median) Prune(c *tuner.PruneContext) bool { return m.percentile().Prune(c) }

// ValidateDirections refuses a study of several objectives
// (tuner.DirectionsValidator), as Percentile does.
func (m Median) ValidateDirections(dirs []tuner.Direction) error {
	return oneObjective("prune.Median", dirs)
}

// ValidateDirections refuses a study of several objectives with an error
// wrapping tuner.ErrConfig (tuner.DirectionsValidator): a percentile ranks
// numbers, and vectors have no percentile that Pareto dominance would
// agree with. SuccessiveHalving and Hyperband judge several objectives.
func (p Percentile) ValidateDirections(dirs []tuner.Direction) error {
	return oneObjective("prune.Percentile", dirs)
}

// oneObjective is the ValidateDirections of a pruner of one objective.
func oneObjective(pruner string, dirs []tuner.Direction) error {
	if len(dirs) > 1 {
		return fmt.Errorf("%w: %s judges one objective, the study has %d (Directions %v): use prune.SuccessiveHalving or prune.Hyperband, which rank the trials' vectors",
			tuner.ErrConfig, pruner, len(dirs), dirs)
	}
	return nil
}

func (m Median) percentile() Percentile {
	return Percentile{Percentile: 50, StartupTrials: m.StartupTrials, WarmupSteps: m.WarmupSteps,
		IntervalSteps: m.IntervalSteps, MinTrials: m.MinTrials}
}

// Validate returns an error wrapping ErrConfig naming the field out of range.
func (p Percentile) Validate() error {
	switch {
	case !(p.Percentile >= 0 && p.Percentile <= 100):
		return fmt.Errorf("%w: pruner Percentile = %v, want 0 ≤ Percentile ≤ 100", tuner.ErrConfig, p.Percentile)
	case p.StartupTrials < 0:
		return fmt.Errorf("%w: pruner StartupTrials = %d, want ≥ 0 (0 = 5)", tuner.ErrConfig, p.StartupTrials)
	case p.WarmupSteps < 0:
		return fmt.Errorf("%w: pruner WarmupSteps = %d, want ≥ 0", tuner.ErrConfig, p.WarmupSteps)
	case p.IntervalSteps < 0:
		return fmt.Errorf("%w: pruner IntervalSteps = %d, want ≥ 1 (0 = 1)", tuner.ErrConfig, p.IntervalSteps)
	case p.MinTrials < 0:
		return fmt.Errorf("%w: pruner MinTrials = %d, want ≥ 1 (0 = 1)", tuner.ErrConfig, p.MinTrials)
	}
	return nil
}

// withDefaults resolves the zero values.
func (p Percentile) withDefaults() Percentile {
	if p.StartupTrials == 0 {
		p.StartupTrials = 5
	}
	if p.IntervalSteps == 0 {
		p.IntervalSteps = 1
	}
	if p.MinTrials == 0 {
		p.MinTrials = 1
	}
	return p
}

// Prune implements Pruner; it never prunes when Validate fails, nor a
// trial of several objectives (see ValidateDirections).
func (p Percentile) Prune(c *tuner.PruneContext) bool {
	if c == nil || c.Trial == nil || p.Validate() != nil || len(c.Directions) > 1 {
		return false
	}
	p = p.withDefaults()
	var completed []*tuner.FrozenTrial
	for i := range c.Trials {
		if c.Trials[i].State == tuner.Complete { // Trials are the others (PruneContext)
			completed = append(completed, &c.Trials[i])
		}
	}
	if len(completed) == 0 || len(completed) < p.StartupTrials {
		return false
	}
	step, _, ok := c.Trial.LastStep()
	if !ok || step < p.WarmupSteps {
		return false
	}
	if !firstInInterval(step, c.Trial.Intermediate, p.WarmupSteps, p.IntervalSteps) {
		return false
	}
	best := nanBest(c.Trial.Intermediate, c.Direction)
	if math.IsNaN(best) {
		return true
	}
	var atStep []float64
	for _, t := range completed {
		if v, ok := t.Intermediate[step]; ok {
			atStep = append(atStep, v)
		}
	}
	if len(atStep) < p.MinTrials {
		return false
	}
	q := p.Percentile
	if c.Direction == tuner.Maximize {
		q = 100 - q
	}
	ref := nanPercentile(atStep, q)
	if math.IsNaN(ref) {
		return false
	}
	if c.Direction == tuner.Maximize {
		return best < ref
	}
	return best > ref
}

// firstInInterval is Optuna's _is_first_in_interval_step: whether step
// is the trial's first report at or after the latest pruning step
// warmup + k·interval ≤ step. Steps below 0 never count as earlier reports
// (Optuna starts its search at −1).
func firstInInterval(step int, steps map[int]float64, warmup, interval int) bool {
	nearest := (step-warmup)/interval*interval + warmup
	secondLast := -1
	for s := range steps {
		if s > secondLast && s != step {
			secondLast = s
		}
	}
	return secondLast < nearest
}
