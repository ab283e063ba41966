package schedulers

import (
	"fmt"
	"math"
)

// CosineAnnealing anneals the rate from LR to EtaMin over TMax epochs (or
// steps) along a half cosine (Loshchilov & Hutter 2017, SGDR, without
// restarts; torch.optim.lr_scheduler.CosineAnnealingLR):
//
//	lr_t = EtaMin + (LR − EtaMin)·(1 + cos(π·t/TMax))/2
//
// Past TMax the cosine goes on, as torch's: the rate climbs back to LR at
// 2·TMax, and so on. torch computes the same values recursively; they differ
// from this closed form by rounding only. Use CosineWarmRestarts for jumps
// back to LR.
type CosineAnnealing struct {
	LR     float64
	TMax   int
	EtaMin float64
}

var _ Schedule = CosineAnnealing{}

// At returns the annealed rate; t < 0 is treated as 0.
func (c CosineAnnealing) At(t int) float64 {
	return cosineAt(c.LR, c.EtaMin, float64(max(t, 0)), float64(c.TMax))
}

// cosineAt is torch's closed form, in its order of operations.
func cosineAt(lr, etaMin, cur, period float64) float64 {
	return etaMin + (lr-etaMin)*(1+math.Cos(math.Pi*cur/period))/2
}

func (c CosineAnnealing) Validate() error {
	if err := checkLR(c.LR); err != nil {
		return err
	}
	if c.TMax < 1 {
		return fmt.Errorf("%w: TMax = %d, want ≥ 1", ErrConfig, c.TMax)
	}
	return checkEtaMin(c.EtaMin, c.LR)
}

func (c CosineAnnealing) String() string {
	return fmt.Sprintf("cosine(lr=%g, t_max=%d, eta_min=%g)", c.LR, c.TMax, c.EtaMin)
}
