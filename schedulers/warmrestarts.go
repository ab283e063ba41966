package schedulers

import (
	"fmt"
	"math"
)

// CosineWarmRestarts anneals the rate from LR to EtaMin along a half cosine
// and restarts at LR, the i-th cycle lasting T0·TMult^i epochs (or steps)
// (Loshchilov & Hutter 2017, SGDR; torch.optim.lr_scheduler.
// CosineAnnealingWarmRestarts stepped once per epoch or step with no
// argument):
//
//	lr_t = EtaMin + (LR − EtaMin)·(1 + cos(π·Tcur/Ti))/2
//
// where Ti is the current cycle's length and Tcur the epochs (or steps) since
// its start. TMult 0 means torch's default 1 (equal cycles). torch also
// accepts fractional epochs in step(epoch); t here is an integer.
type CosineWarmRestarts struct {
	LR     float64
	T0     int
	TMult  int
	EtaMin float64
}

var _ Schedule = CosineWarmRestarts{}

func (c CosineWarmRestarts) withDefaults() CosineWarmRestarts {
	if c.TMult == 0 {
		c.TMult = 1
	}
	return c
}

// At returns the rate at t; t < 0 is treated as 0.
func (c CosineWarmRestarts) At(t int) float64 {
	c = c.withDefaults()
	if c.T0 < 1 || c.TMult < 1 { // invalid: the cycle search would not end
		return math.NaN()
	}
	cur, period := max(t, 0), c.T0
	if c.TMult == 1 {
		return cosineAt(c.LR, c.EtaMin, float64(cur%period), float64(period))
	}
	for cur >= period { // cycles grow geometrically: few iterations
		cur -= period
		if period > math.MaxInt/c.TMult {
			// The next cycle outlasts any int t; its length overflows int.
			return cosineAt(c.LR, c.EtaMin, float64(cur), float64(period)*float64(c.TMult))
		}
		period *= c.TMult
	}
	return cosineAt(c.LR, c.EtaMin, float64(cur), float64(period))
}

func (c CosineWarmRestarts) Validate() error {
	c = c.withDefaults()
	if err := checkLR(c.LR); err != nil {
		return err
	}
	if c.T0 < 1 {
		return fmt.Errorf("%w: T0 = %d, want ≥ 1", ErrConfig, c.T0)
	}
	if c.TMult < 1 {
		return fmt.Errorf("%w: TMult = %d, want ≥ 1 (0 = 1)", ErrConfig, c.TMult)
	}
	return checkEtaMin(c.EtaMin, c.LR)
}

func (c CosineWarmRestarts) String() string {
	c = c.withDefaults()
	return fmt.Sprintf("cosine_warm_restarts(lr=%g, t0=%d, t_mult=%d, eta_min=%g)", c.LR, c.T0, c.TMult, c.EtaMin)
}
