package prune

import (
	"fmt"
	"sync"

	"github.com/gradtune/gradtune/tuner"
)

// Hyperband is Hyperband (Li et al., "Hyperband: A Novel Bandit-Based
// Approach to Hyperparameter Optimization", JMLR 18(185), 2018) over
// asynchronous successive halving, as Optuna 3.1's
// optuna.pruners.HyperbandPruner (optuna/pruners/_hyperband.py), decision for
// decision.
//
// With r = MinResource, R = MaxResource and η = ReductionFactor there are
// n = ⌊log(R/r)/log η⌋ + 1 brackets (float64 logarithms, as Optuna). Bracket
// b gets the budget B_b = ⌈n·η^s/(s+1)⌉, s = n−1−b, and trial number i goes
// to the bracket where crc32("<StudyName>_<i>") mod ΣB falls, counting the
// budgets from bracket 0. Within bracket b, a trial is judged by
// SuccessiveHalving{MinResource: r, ReductionFactor: η,
// MinEarlyStoppingRate: b, BootstrapCount} against the trials of its bracket
// only: bracket 0 stops trials earliest, bracket n−1 at r·η^(n−1) ≤ R.
//
// Use it as a pointer (&Hyperband{StudyName: ...}); it keeps the rungs
// and the brackets, so give each study its own.
//
// The bracket hash uses the study's name, passed in by the study (set
// StudyName only to use the pruner outside a study). Rungs are stored in the
// trials' attributes as in SuccessiveHalving. Where we differ from
// Optuna: its
// TPE sampler also restricts itself to the trials of the current bracket when
// the pruner is a Hyperband; our samplers see all trials. MaxResource
// below MinResource is an error here (Optuna silently never prunes).
type Hyperband struct {
	// MinResource r: steps of bracket 0's first rung; 0 → 1.
	MinResource int
	// MaxResource R: the steps a trial may run. 0 is Optuna's "auto": the
	// largest last step of the Complete trials, + 1, at the first check after
	// one completes; until then nothing is pruned.
	MaxResource int
	// ReductionFactor η ≥ 2; 0 → 3.
	ReductionFactor int
	// BootstrapCount, as in SuccessiveHalving (needs MaxResource).
	BootstrapCount int
	// StudyName names the study in the bracket hash; "" → the name the
	// study passes in (its Config.Name), then "default".
	StudyName string
	studyName string // from the PruneContext

	mu      sync.Mutex
	ready   bool  // brackets resolved
	budgets []int // per bracket; empty if there is no bracket (R < r)
	rungs   rungTable
}

// Validate returns an error wrapping ErrConfig naming the field out of range.
func (p *Hyperband) Validate() error {
	switch {
	case p == nil:
		return fmt.Errorf("%w: nil *prune.Hyperband", tuner.ErrConfig)
	case p.MinResource < 0:
		return fmt.Errorf("%w: pruner MinResource = %d, want ≥ 1 (0 = 1)", tuner.ErrConfig, p.MinResource)
	case p.MaxResource < 0:
		return fmt.Errorf("%w: pruner MaxResource = %d, want ≥ MinResource (0 = auto)", tuner.ErrConfig, p.MaxResource)
	case p.MaxResource > 0 && p.MaxResource < max(p.MinResource, 1):
		return fmt.Errorf("%w: pruner MaxResource = %d, want ≥ MinResource (%d)", tuner.ErrConfig, p.MaxResource, max(p.MinResource, 1))
	case p.ReductionFactor < 0 || p.ReductionFactor == 1:
		return fmt.Errorf("%w: pruner ReductionFactor = %d, want ≥ 2 (0 = 3)", tuner.ErrConfig, p.ReductionFactor)
	case p.BootstrapCount < 0:
		return fmt.Errorf("%w: pruner BootstrapCount = %d, want ≥ 0", tuner.ErrConfig, p.BootstrapCount)
	case p.BootstrapCount > 0 && p.MaxResource == 0:
		return fmt.Errorf("%w: pruner BootstrapCount = %d with MaxResource auto (0), want BootstrapCount 0 or MaxResource ≥ 1", tuner.ErrConfig, p.BootstrapCount)
	}
	return nil
}

// resources returns r, η and the study name with defaults resolved.
func (p *Hyperband) resources() (r, eta int, name string) {
	r, eta, name = max(p.MinResource, 1), p.ReductionFactor, p.StudyName
	if name == "" {
		name = p.studyName
	}
	if eta == 0 {
		eta = 3
	}
	if name == "" {
		name = "default"
	}
	return r, eta, name
}

// resolve resolves the brackets (Optuna's _try_initialization); false while
// MaxResource is auto and no trial is Complete.
func (p *Hyperband) resolve(trials []tuner.FrozenTrial) bool {
	if p.ready {
		return true
	}
	R := p.MaxResource
	if R == 0 {
		last, found := 0, false
		for i := range trials {
			if trials[i].State != tuner.Complete {
				continue
			}
			if s, _, ok := trials[i].LastStep(); ok && (!found || s > last) {
				last, found = s, true
			}
		}
		if !found {
			return false
		}
		R = last + 1
	}
	r, eta, _ := p.resources()
	if n := hyperbandBrackets(r, R, eta); n > 0 {
		p.budgets = hyperbandBudgets(n, eta)
	}
	p.ready = true
	return true
}

// bracket returns trial number i's bracket (0 before the brackets are known).
func (p *Hyperband) bracket(i int) int {
	_, _, name := p.resources()
	return hyperbandBracket(name, i, p.budgets)
}

// Prune implements Pruner; it never prunes when Validate fails.
func (p *Hyperband) Prune(c *tuner.PruneContext) bool {
	if p == nil || c == nil || c.Trial == nil || p.Validate() != nil {
		return false
	}
	dirs := directions(c)
	if checkDirections(dirs) != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.studyName = c.StudyName
	if !p.resolve(c.Trials) || len(p.budgets) == 0 {
		return false
	}
	b := p.bracket(c.Trial.Number)
	var same []*tuner.FrozenTrial
	for _, o := range otherTrials(c) {
		if p.bracket(o.Number) == b {
			same = append(same, o)
		}
	}
	r, eta, _ := p.resources()
	return shaDecide(same, c.Trial, dirs, r, eta, b, p.BootstrapCount, &p.rungs, c.SetAttr)
}

// ValidateDirections accepts a study of any number of objectives, each
// minimized or maximized (tuner.DirectionsValidator), as SuccessiveHalving.
func (p *Hyperband) ValidateDirections(dirs []tuner.Direction) error { return checkDirections(dirs) }
