package prune

import (
	"fmt"
	"sync"

	"github.com/gradtune/gradtune/tuner"
)

// SuccessiveHalving is asynchronous successive halving (ASHA: Li et
// al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020,
// arXiv:1810.05934), as Optuna 3.1's optuna.pruners.SuccessiveHalvingPruner
// (optuna/pruners/_successive_halving.py), decision for decision.
//
// Rung k ends at step r·η^(MinEarlyStoppingRate+k), r = MinResource,
// η = ReductionFactor. When a trial asks at or past the end of its current
// rung with value v (its last step's value), v is recorded as its value at
// that rung and the trial goes on only if v is at least as good as the
// ⌊n/η⌋-th best of the n values recorded at that rung by all trials so far,
// itself included (as the best while n < η); it then faces the next rung in
// the same call. A NaN
// value is pruned. With BootstrapCount b, a trial is pruned at a rung while
// n ≤ b. A trial must ask (Trial.ShouldPrune) to have its rungs recorded, as
// in Optuna.
//
// Use it as a pointer (&SuccessiveHalving{}); it keeps the rungs and
// the estimated min resource, so give each study its own.
//
// The rungs are stored, as Optuna's system attributes, in the trials'
// attributes "completed_rung_k", so a reopened study keeps them.
type SuccessiveHalving struct {
	// MinResource r: steps of the first rung. 0 is Optuna's "auto": the
	// largest last step of the Complete trials at the first check after one
	// completes, ⌊/100⌋, at least 1; until then nothing is pruned or recorded.
	MinResource int
	// ReductionFactor η ≥ 2: about 1/η of the trials pass each rung; 0 → 4.
	ReductionFactor int
	// MinEarlyStoppingRate s ≥ 0: the first rung ends at r·η^s (0 is
	// Optuna's default).
	MinEarlyStoppingRate int
	// BootstrapCount: trials reaching a rung are pruned until more than this
	// many have reached it (0 by default; needs an explicit MinResource).
	BootstrapCount int

	mu        sync.Mutex
	estimated int // the "auto" min resource once known
	rungs     rungTable
}

// Validate returns an error wrapping ErrConfig naming the field out of range.
func (p *SuccessiveHalving) Validate() error {
	switch {
	case p == nil:
		return fmt.Errorf("%w: nil *prune.SuccessiveHalving", tuner.ErrConfig)
	case p.MinResource < 0:
		return fmt.Errorf("%w: pruner MinResource = %d, want ≥ 1 (0 = auto)", tuner.ErrConfig, p.MinResource)
	case p.ReductionFactor < 0 || p.ReductionFactor == 1:
		return fmt.Errorf("%w: pruner ReductionFactor = %d, want ≥ 2 (0 = 4)", tuner.ErrConfig, p.ReductionFactor)
	case p.MinEarlyStoppingRate < 0:
		return fmt.Errorf("%w: pruner MinEarlyStoppingRate = %d, want ≥ 0", tuner.ErrConfig, p.MinEarlyStoppingRate)
	case p.BootstrapCount < 0:
		return fmt.Errorf("%w: pruner BootstrapCount = %d, want ≥ 0", tuner.ErrConfig, p.BootstrapCount)
	case p.BootstrapCount > 0 && p.MinResource == 0:
		return fmt.Errorf("%w: pruner BootstrapCount = %d with MinResource auto (0), want BootstrapCount 0 or MinResource ≥ 1", tuner.ErrConfig, p.BootstrapCount)
	}
	return nil
}

// Prune implements Pruner; it never prunes when Validate fails.
func (p *SuccessiveHalving) Prune(c *tuner.PruneContext) bool {
	if p == nil || c == nil || c.Trial == nil || p.Validate() != nil {
		return false
	}
	dirs := directions(c)
	if checkDirections(dirs) != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, _, ok := lastReport(c.Trial, len(dirs)); !ok {
		return false
	}
	r := p.MinResource
	if r == 0 {
		if p.estimated == 0 {
			est, ok := estimateMinResource(c.Trials)
			if !ok {
				return false
			}
			p.estimated = est
		}
		r = p.estimated
	}
	eta := p.ReductionFactor
	if eta == 0 {
		eta = 4
	}
	return shaDecide(otherTrials(c), c.Trial, dirs, r, eta, p.MinEarlyStoppingRate, p.BootstrapCount, &p.rungs, c.SetAttr)
}

// ValidateDirections accepts a study of any number of objectives, each
// minimized or maximized (tuner.DirectionsValidator): with several, the
// rungs rank the trials' vectors (see the package documentation).
func (p *SuccessiveHalving) ValidateDirections(dirs []tuner.Direction) error {
	return checkDirections(dirs)
}

// otherTrials returns the context's trials, the study's others
// (PruneContext.Trials): the asking trial is not among them, and trials
// built by hand need no IDs to tell them apart.
func otherTrials(c *tuner.PruneContext) []*tuner.FrozenTrial {
	out := make([]*tuner.FrozenTrial, len(c.Trials))
	for i := range c.Trials {
		out[i] = &c.Trials[i]
	}
	return out
}
