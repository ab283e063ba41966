// Package noise tells whether a study's winner won by more than seed noise.
//
// A study ranks configurations by one evaluation each, so the best value is
// biased (the winner's curse) and the gap to the runner-up may be noise.
// Reevaluate runs the top-k configurations of a finished study again with
// R other seeds (or folds), ranks them by their mean over those runs, and
// tests whether the best beats the runner-up across the same seeds by a
// one-sided Wilcoxon signed-rank test (scipy.stats.wilcoxon's, see
// Report.P). The per-fold pruner of the same test is prune.Wilcoxon.
//
// Why signed ranks and not a paired t-test: training runs are not
// Gaussian across seeds — one seed that diverges is a huge outlier that
// would swamp a t statistic's mean and variance, while it moves a rank by
// at most one place; the test needs no normality assumption. The price:
// with R seeds its smallest p-value is 2⁻ᴿ, so R ≥ 5 is needed for
// α = 0.05 (the default R is 5), and a paired t-test would be more
// powerful for truly Gaussian noise.
//
// ReevaluateObjective does the same with the study's own objective, given
// a seed: each re-run is a trial of a scratch study with the parameters
// enqueued, so no second evaluation function is needed.
//
// PlateauStopper stops a study once its last trials improve the best value
// by no more than the noise σ (Report.Noise, the pooled spread of one
// evaluation across seeds, or a known σ): its Callback, given to
// Study.Optimize, checks after every trial and calls Study.Stop, so the
// workers never wait for each other; OptimizeUntilPlateau wraps the two.
package noise
