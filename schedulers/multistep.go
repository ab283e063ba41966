package schedulers

import (
	"fmt"
	"math"
	"sort"
)

// MultiStep multiplies the rate by Gamma at each milestone:
// lr_t = LR·Gamma^k, k = the number of Milestones ≤ t
// (torch.optim.lr_scheduler.MultiStepLR). Milestones must be strictly
// increasing and ≥ 1; torch also accepts repeats (applying Gamma once per
// copy) and a milestone 0 (scaling the initial rate), we refuse both.
// Gamma 0 means torch's default 0.1.
type MultiStep struct {
	LR         float64
	Milestones []int
	Gamma      float64
}

var _ Schedule = MultiStep{}

func (m MultiStep) withDefaults() MultiStep {
	if m.Gamma == 0 {
		m.Gamma = 0.1
	}
	return m
}

// At returns LR·Gamma^(milestones ≤ t); t < 0 is treated as 0.
func (m MultiStep) At(t int) float64 {
	m = m.withDefaults()
	// Milestones are sorted: the count ≤ t is the index of the first > t.
	k := sort.SearchInts(m.Milestones, max(t, 0)+1)
	return m.LR * math.Pow(m.Gamma, float64(k))
}

func (m MultiStep) Validate() error {
	m = m.withDefaults()
	if err := checkLR(m.LR); err != nil {
		return err
	}
	if len(m.Milestones) == 0 {
		return fmt.Errorf("%w: Milestones is empty, want at least one epoch (or step) ≥ 1", ErrConfig)
	}
	for i, ms := range m.Milestones {
		if ms < 1 {
			return fmt.Errorf("%w: Milestones[%d] = %d, want ≥ 1", ErrConfig, i, ms)
		}
		if i > 0 && ms <= m.Milestones[i-1] {
			return fmt.Errorf("%w: Milestones = %v, want strictly increasing (Milestones[%d] = %d ≤ Milestones[%d] = %d)",
				ErrConfig, m.Milestones, i, ms, i-1, m.Milestones[i-1])
		}
	}
	return checkGamma(m.Gamma)
}

func (m MultiStep) String() string {
	m = m.withDefaults()
	return fmt.Sprintf("multistep(lr=%g, milestones=%v, gamma=%g)", m.LR, m.Milestones, m.Gamma)
}
