package lrfinder

// Result is the outcome of a range test.
type Result struct {
	// One entry per recorded step, all three of one length.
	// LRs[t] is the rate of step t, Losses[t] the mean data loss of its
	// minibatch (before the step's update; regularization penalties
	// excluded), Smoothed[t] the smoothed loss (Config.Smoothing). The step
	// that made the sweep diverge is included; a step whose loss or gradient
	// was NaN or ±Inf is not (its rate is DivergedAt).
	LRs, Losses, Smoothed []float64
	// Suggested is the rate at the steepest descent of the smoothed loss
	// (see analyze), or 0 when Trustworthy is false.
	Suggested float64
	// Reason explains the suggestion, or why there is none, with numbers.
	Reason string
	// Trustworthy is false when the curve does not support a suggestion: too
	// few points, no clear descent (< MinDrop), the steepest point at the
	// edge of the searched descent, or a noisy descent (< MinMonotone).
	Trustworthy bool
	// Diverged is true when the sweep stopped early: the smoothed loss
	// exceeded Config.DivergeFactor × its best, or a loss, gradient or
	// updated weight was NaN or ±Inf (trainer.ErrNonFinite). DivergedAt is
	// the rate of that step.
	Diverged   bool
	DivergedAt float64
}
