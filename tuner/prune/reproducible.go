package prune

import (
	"fmt"

	"github.com/gradtune/gradtune/tuner"
)

// CheckReproducible implements tuner.ReproducibilityChecker: the automatic
// MinResource (0) is refused, since it is fixed once, from the trials the
// first check after a completion happens to see, which timing decides.
func (p *SuccessiveHalving) CheckReproducible() error {
	if p != nil && p.MinResource == 0 {
		return fmt.Errorf("%w: SuccessiveHalving with MinResource auto (0) is not reproducible (it is estimated once, from whichever trials have completed at the time); set MinResource", tuner.ErrConfig)
	}
	return nil
}

// CheckReproducible implements tuner.ReproducibilityChecker: the automatic
// MaxResource (0) is refused, since it is fixed once, from the trials the
// first check after a completion happens to see, which timing decides.
func (p *Hyperband) CheckReproducible() error {
	if p != nil && p.MaxResource == 0 {
		return fmt.Errorf("%w: Hyperband with MaxResource auto (0) is not reproducible (it is estimated once, from whichever trials have completed at the time); set MaxResource", tuner.ErrConfig)
	}
	return nil
}
