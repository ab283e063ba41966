package diagnose

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/trainer"
)

// Divergence holds the thresholds that call a run diverging, shared by
// Watchdog (during training) and Analyze (afterwards). The zero value means
// the defaults.
//
// Loss rule. With the batch losses L_1, L_2, … smoothed as in fastai's
// lr_find (Smith 2017's LR range test) by a debiased exponential moving
// average,
//
//	a_t = β·a_{t−1} + (1 − β)·L_t,  a_0 = 0,  s_t = a_t / (1 − β^t),
//
// the run diverges at step t when s_t > LossFactor·min(s_1 … s_{t−1}) and
// s_t > L_1: the smoothed loss grew by a large factor over its best and is
// now worse than where training started. The defaults are fastai's (its
// range test stops at 4× the best smoothed loss, β = 0.98); the second
// condition is ours, not fastai's: in healthy training it is the one that
// binds, since a smoothed loss rarely climbs back above the first, while a
// batch loss may well be 4× a lucky minimum. Analyze applies the same rule,
// unsmoothed, to the epochs' training losses.
//
// Norm rule. On the steps the trainer monitors (Config.MonitorEvery), the
// run diverges when the global gradient norm rose at each of the last
// NormSteps monitored steps, by NormFactor or more in all, while the
// monitored loss rose too (a norm that grows while the loss falls is a
// model leaving a flat start, not divergence).
type Divergence struct {
	LossFactor float64 // > 1; 0 → 4
	Smoothing  float64 // β in (0, 1); 0 → 0.98 (fastai's)
	NormSteps  int     // ≥ 1; 0 → 3
	NormFactor float64 // > 1; 0 → 100
}

// resolved returns d with its defaults filled in, or an error wrapping
// ErrConfig naming the first bad field.
func (d Divergence) resolved() (Divergence, error) {
	if d.LossFactor == 0 {
		d.LossFactor = 4
	}
	if d.Smoothing == 0 {
		d.Smoothing = 0.98
	}
	if d.NormSteps == 0 {
		d.NormSteps = 3
	}
	if d.NormFactor == 0 {
		d.NormFactor = 100
	}
	switch {
	case !(d.LossFactor > 1) || math.IsInf(d.LossFactor, 0):
		return d, fmt.Errorf("%w: Divergence.LossFactor = %v, want a finite value > 1 (0 = 4)", ErrConfig, d.LossFactor)
	case !(d.Smoothing > 0 && d.Smoothing < 1):
		return d, fmt.Errorf("%w: Divergence.Smoothing = %v, want 0 < β < 1 (0 = 0.98)", ErrConfig, d.Smoothing)
	case d.NormSteps < 1:
		return d, fmt.Errorf("%w: Divergence.NormSteps = %d, want ≥ 1 (0 = 3)", ErrConfig, d.NormSteps)
	case !(d.NormFactor > 1) || math.IsInf(d.NormFactor, 0):
		return d, fmt.Errorf("%w: Divergence.NormFactor = %v, want a finite value > 1 (0 = 100)", ErrConfig, d.NormFactor)
	}
	return d, nil
}

// smoother tracks the loss rule over a stream of batch losses.
type smoother struct {
	beta     float64
	avg      float64
	n        int
	first    float64 // L_1
	best     float64 // min s over the steps before the current one
	smoothed float64 // s_t of the last add
}

// add feeds L_t and reports whether the loss rule fires at this step.
func (s *smoother) add(loss, factor float64) bool {
	s.n++
	s.avg = s.beta*s.avg + (1-s.beta)*loss
	prev := s.smoothed
	s.smoothed = s.avg / (1 - math.Pow(s.beta, float64(s.n)))
	switch s.n {
	case 1:
		s.first, s.best = loss, math.Inf(1)
		return !finite(loss)
	case 2:
		s.best = prev
	default:
		s.best = math.Min(s.best, prev)
	}
	return !finite(s.smoothed) || s.smoothed > factor*s.best && s.smoothed > s.first
}

// normGrowth finds the first window of k+1 consecutive monitored steps
// (from index i to i+k) whose global gradient norm rose at every step, by
// factor or more in all, while the loss rose. It returns i, or −1.
func normGrowth(mons []trainer.StepMonitor, k int, factor float64) int {
	for end := k; end < len(mons); end++ {
		start := end - k
		rising := true
		for j := start + 1; j <= end; j++ {
			if !(mons[j].GradNorm > mons[j-1].GradNorm) {
				rising = false
				break
			}
		}
		if rising && mons[end].GradNorm >= factor*mons[start].GradNorm && mons[end].Loss > mons[start].Loss {
			return start
		}
	}
	return -1
}

// largestGrad returns the parameter with the largest gradient norm at a
// monitored step ("" if none was recorded).
func largestGrad(m *trainer.StepMonitor) (string, float64) {
	name, best := "", math.Inf(-1)
	for _, p := range m.Params {
		if p.GradNorm > best || math.IsNaN(p.GradNorm) {
			name, best = p.Name, p.GradNorm
			if math.IsNaN(best) {
				break
			}
		}
	}
	return name, best
}
