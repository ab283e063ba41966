package schedulers

import (
	"fmt"
	"math"
)

// Polynomial decays the rate to EndLR over TotalSteps epochs (or steps):
//
//	lr_t = (LR − EndLR)·(1 − min(t, TotalSteps)/TotalSteps)^Power + EndLR
//
// With EndLR 0 this is torch.optim.lr_scheduler.PolynomialLR(total_iters =
// TotalSteps, power = Power). EndLR is Keras's PolynomialDecay
// end_learning_rate (with cycle=False); torch has no equivalent. Power 0
// means torch's default 1 (linear decay). After TotalSteps the rate stays at
// EndLR.
type Polynomial struct {
	LR         float64
	TotalSteps int
	Power      float64
	EndLR      float64
}

var (
	_ Schedule   = Polynomial{}
	_ RunChecker = Polynomial{}
)

func (p Polynomial) withDefaults() Polynomial {
	if p.Power == 0 {
		p.Power = 1
	}
	return p
}

// At returns the decayed rate; t < 0 is treated as 0.
func (p Polynomial) At(t int) float64 {
	p = p.withDefaults()
	done := float64(min(max(t, 0), p.TotalSteps)) / float64(p.TotalSteps)
	return (p.LR-p.EndLR)*math.Pow(1-done, p.Power) + p.EndLR
}

func (p Polynomial) Validate() error {
	p = p.withDefaults()
	if err := checkLR(p.LR); err != nil {
		return err
	}
	if p.TotalSteps < 1 {
		return fmt.Errorf("%w: TotalSteps = %d, want ≥ 1", ErrConfig, p.TotalSteps)
	}
	if err := checkPositive("Power", p.Power); err != nil {
		return err
	}
	if !(p.EndLR >= 0 && p.EndLR < p.LR) {
		return fmt.Errorf("%w: EndLR = %v, want a value in [0, lr = %v)", ErrConfig, p.EndLR, p.LR)
	}
	return nil
}

// CheckRun refuses a run longer than TotalSteps when EndLR is 0: its last
// epochs (or steps) would train at rate 0.
func (p Polynomial) CheckRun(total int) error {
	if p.EndLR == 0 && total > p.TotalSteps {
		return fmt.Errorf("%w: Polynomial TotalSteps = %d, want ≥ the run's %d epochs (or steps): the rate is 0 after TotalSteps (or set EndLR > 0)",
			ErrConfig, p.TotalSteps, total)
	}
	return nil
}

func (p Polynomial) String() string {
	p = p.withDefaults()
	return fmt.Sprintf("polynomial(lr=%g, total_steps=%d, power=%g, end_lr=%g)", p.LR, p.TotalSteps, p.Power, p.EndLR)
}
