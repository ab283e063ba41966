package prune

import (
	"fmt"
	"math"
	"sort"

	"github.com/gradtune/gradtune/internal/signedrank"
	"github.com/gradtune/gradtune/tuner"
)

// Wilcoxon prunes a trial whose per-fold (per-instance) values are worse
// than the best trial's on the same folds by a one-sided Wilcoxon
// signed-rank test: optuna.pruners.WilcoxonPruner of Optuna 5
// (optuna/pruners/_wilcoxon.py), decision for decision.
//
// Each step is a fold or problem instance, not an epoch: a trial reports
// one value per fold with Report(value, fold id), in any order, and the
// reported value need not converge. At a check, with b the best Complete
// trial (the first one, by number, to reach the best value):
//
//	no pruning   if the trial reported nothing, or any of its values or b's is
//	             NaN or ±Inf, or there is no b, or b reported nothing
//	d            = the trial's value − b's, over the folds both reported
//	no pruning   if |d| < max(2, StartupSteps)
//	p            = scipy.stats.wilcoxon(d, alternative="greater" (minimizing)
//	               or "less" (maximizing), zero_method="zsplit").pvalue
//	             (package internal/signedrank: exact, permutation or normal,
//	             as SciPy ≥ 1.13 chooses)
//	prune        if p < PThreshold, unless b's mean over all its folds is not
//	             better than the trial's mean over its folds so far (Optuna's
//	             safety: then no pruning)
//
// The test is repeated at every report, so the false-pruning rate is above
// PThreshold (Optuna suggests a Pocock-corrected threshold). A trial that
// is pruned may return the mean of its values so far instead of
// tuner.ErrPruned, as Optuna's example does, so that its mean still counts.
// One objective only (ValidateDirections).
type Wilcoxon struct {
	// PThreshold in (0, 1]: prune when the test's p-value is below it;
	// larger prunes more. 0 → 0.1, Optuna's default (use tuner.NopPruner
	// never to prune).
	PThreshold float64
	// StartupSteps: no pruning before this many folds are paired with the
	// best trial's; 0 → 2, Optuna's default (Optuna's 0 and 1 act as 2 too).
	StartupSteps int
}

// Validate returns an error wrapping tuner.ErrConfig naming the field out
// of range.
func (w Wilcoxon) Validate() error {
	switch {
	case !(w.PThreshold >= 0 && w.PThreshold <= 1):
		return fmt.Errorf("%w: prune.Wilcoxon PThreshold = %v, want 0 < PThreshold ≤ 1 (0 = 0.1)", tuner.ErrConfig, w.PThreshold)
	case w.StartupSteps < 0:
		return fmt.Errorf("%w: prune.Wilcoxon StartupSteps = %d, want ≥ 0 (0 = 2)", tuner.ErrConfig, w.StartupSteps)
	}
	return nil
}

// ValidateDirections refuses a study of several objectives with an error
// wrapping tuner.ErrConfig (tuner.DirectionsValidator).
func (w Wilcoxon) ValidateDirections(dirs []tuner.Direction) error {
	return oneObjective("prune.Wilcoxon", dirs)
}

// Prune implements tuner.Pruner; it never prunes when Validate fails, nor
// a trial of several objectives.
func (w Wilcoxon) Prune(c *tuner.PruneContext) bool {
	if c == nil || c.Trial == nil || w.Validate() != nil || len(c.Directions) > 1 {
		return false
	}
	p, ok := w.PValue(c)
	if !ok || !(p < w.threshold()) {
		return false
	}
	best := bestComplete(c.Trials, c.Direction)
	mb, mt := foldMean(best.Intermediate), foldMean(c.Trial.Intermediate)
	if c.Direction == tuner.Maximize {
		return !(mb <= mt)
	}
	return !(mb >= mt)
}

// PValue returns the p-value of the test Prune would make at this check,
// and false where Prune returns before testing (see Wilcoxon).
func (w Wilcoxon) PValue(c *tuner.PruneContext) (float64, bool) {
	if c == nil || c.Trial == nil || len(c.Trial.Intermediate) == 0 || !allFinite(c.Trial.Intermediate) {
		return 0, false
	}
	best := bestComplete(c.Trials, c.Direction)
	if best == nil || len(best.Intermediate) == 0 || !allFinite(best.Intermediate) {
		return 0, false
	}
	var d []float64
	for _, s := range sortedSteps(c.Trial.Intermediate) {
		if b, ok := best.Intermediate[s]; ok {
			d = append(d, c.Trial.Intermediate[s]-b)
		}
	}
	if len(d) < max(2, w.StartupSteps) {
		return 0, false
	}
	alt := signedrank.Greater
	if c.Direction == tuner.Maximize {
		alt = signedrank.Less
	}
	p, _ := signedrank.Test(d, alt)
	return p, true
}

func (w Wilcoxon) threshold() float64 {
	if w.PThreshold == 0 {
		return 0.1
	}
	return w.PThreshold
}

// bestComplete is Optuna's study.best_trial among trials (ordered by
// number): the first Complete trial with the best value, NaN skipped; nil
// when none.
func bestComplete(trials []tuner.FrozenTrial, dir tuner.Direction) *tuner.FrozenTrial {
	var best *tuner.FrozenTrial
	for i := range trials {
		t := &trials[i]
		if t.State != tuner.Complete || math.IsNaN(t.Value) {
			continue
		}
		if best == nil || dir == tuner.Maximize && t.Value > best.Value || dir != tuner.Maximize && t.Value < best.Value {
			best = t
		}
	}
	return best
}

func allFinite(m map[int]float64) bool {
	for _, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// foldMean is the mean of a trial's values, summed in step order (Optuna
// sums in report order; the two differ only in the last bits).
func foldMean(m map[int]float64) float64 {
	s := 0.0
	for _, k := range sortedSteps(m) {
		s += m[k]
	}
	return s / float64(len(m))
}

func sortedSteps(m map[int]float64) []int {
	steps := make([]int, 0, len(m))
	for s := range m {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	return steps
}
