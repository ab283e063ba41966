package lrfinder

import "math"

// smoother is fastai's AvgSmoothLoss together with its LRFinder's stop rule:
// a bias-corrected exponential moving average of the losses, and divergence
// once the smoothed loss exceeds factor × the best smoothed loss so far.
type smoother struct {
	beta, factor float64
	avg, best    float64
	n            int
}

func newSmoother(beta, factor float64) *smoother { return &smoother{beta: beta, factor: factor} }

// add takes the next raw loss and returns its smoothed value and whether the
// sweep has diverged. The best value is updated before the check, as in
// fastai's after_batch.
func (s *smoother) add(loss float64) (smoothed float64, diverged bool) {
	s.n++
	s.avg = s.beta*s.avg + (1-s.beta)*loss
	smoothed = s.avg / (1 - math.Pow(s.beta, float64(s.n)))
	if s.n == 1 || smoothed < s.best {
		s.best = smoothed
	}
	return smoothed, smoothed > s.factor*s.best
}
