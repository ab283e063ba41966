package schedulers

import (
	"fmt"
	"math"
)

// Warmup raises the rate linearly for Steps epochs (or steps), then follows
// Then, started afresh:
//
//	t < Steps:  lr_t = Then.At(0)·(StartFactor + (1 − StartFactor)·t/Steps)
//	t ≥ Steps:  lr_t = Then.At(t − Steps)
//
// This is torch.optim.lr_scheduler.SequentialLR([LinearLR(start_factor =
// StartFactor, total_iters = Steps), then], milestones = [Steps]) with then
// the torch counterpart of Then. Then may be any Schedule, another Warmup
// included. StartFactor 0 means torch LinearLR's default 1/3; torch also
// accepts a start factor of 0 (a first epoch at rate 0), we do not.
type Warmup struct {
	Steps       int
	StartFactor float64
	Then        Schedule
}

var (
	_ Schedule   = Warmup{}
	_ RunChecker = Warmup{}
)

func (w Warmup) withDefaults() Warmup {
	if w.StartFactor == 0 {
		w.StartFactor = 1.0 / 3
	}
	return w
}

// At returns the warm-up or Then's rate; t < 0 is treated as 0.
func (w Warmup) At(t int) float64 {
	w = w.withDefaults()
	if w.Then == nil {
		return math.NaN()
	}
	t = max(t, 0)
	if t >= w.Steps {
		return w.Then.At(t - w.Steps)
	}
	return w.Then.At(0) * (w.StartFactor + (1-w.StartFactor)*float64(t)/float64(w.Steps))
}

func (w Warmup) Validate() error {
	w = w.withDefaults()
	if w.Steps < 1 {
		return fmt.Errorf("%w: warm-up Steps = %d, want ≥ 1", ErrConfig, w.Steps)
	}
	if !(w.StartFactor > 0 && w.StartFactor <= 1) {
		return fmt.Errorf("%w: warm-up StartFactor = %v, want a value in (0, 1] (0 = 1/3)", ErrConfig, w.StartFactor)
	}
	if w.Then == nil {
		return fmt.Errorf("%w: warm-up Then is nil, want the schedule that follows the warm-up", ErrConfig)
	}
	if err := w.Then.Validate(); err != nil {
		return fmt.Errorf("warm-up Then: %w", err)
	}
	return nil
}

// CheckRun wants the warm-up to end before the run does, and Then (if a
// RunChecker) to fit the rest of the run.
func (w Warmup) CheckRun(total int) error {
	if w.Steps >= total {
		return fmt.Errorf("%w: warm-up Steps = %d, want < the run's %d epochs (or steps)", ErrConfig, w.Steps, total)
	}
	if rc, ok := w.Then.(RunChecker); ok {
		if err := rc.CheckRun(total - w.Steps); err != nil {
			return fmt.Errorf("warm-up Then: %w", err)
		}
	}
	return nil
}

func (w Warmup) String() string {
	w = w.withDefaults()
	return fmt.Sprintf("warmup(steps=%d, start_factor=%g, then=%v)", w.Steps, w.StartFactor, w.Then)
}
