package schedulers

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/goal"
)

// ReduceLROnPlateau configures a Plateau: it multiplies the rate by Factor
// once a monitored metric (say, the validation loss) has not improved for
// more than Patience epochs (torch.optim.lr_scheduler.ReduceLROnPlateau).
//
// A metric m improves on the best so far when, in Mode goal.Minimize,
// m < best·(1 − Threshold) (ThresholdMode "rel") or m < best − Threshold
// ("abs"); in Mode goal.Maximize, m > best·(1 + Threshold) or
// m > best + Threshold.
// A NaN metric never improves (as torch's comparisons). After a reduction,
// Cooldown epochs are not counted as bad. A reduction sets the rate to
// max(lr·Factor, MinLR), and is skipped when it would lower the rate by Eps
// or less.
//
// Mode's zero value, goal.Auto, takes the direction of the monitored
// metric: the trainer.ReduceLROnPlateau callback resolves it
// (a loss is minimized, an accuracy maximized) before making the Plateau.
// NewPlateau has no metric to ask, so it refuses Auto: set goal.Minimize
// (torch's mode="min") or goal.Maximize when you drive a Plateau yourself.
//
// Zero values mean torch's defaults for Factor (0.1),
// Threshold (1e-4), ThresholdMode ("rel") and Eps (1e-8); torch's Cooldown
// and MinLR defaults are 0 too. Patience is used as given, because 0 is a
// meaningful value (reduce after the first epoch without improvement), so a
// zero Patience is NOT torch's default of 10: start from DefaultPlateau() to
// get it. A Threshold or Eps of exactly 0 cannot be expressed (0 means the
// default); use math.SmallestNonzeroFloat64 for "any improvement counts".
type ReduceLROnPlateau struct {
	Mode          goal.Direction // goal.Auto (resolved from the metric), goal.Minimize or goal.Maximize
	Factor        float64
	Patience      int
	Threshold     float64
	ThresholdMode string // "rel" (default) or "abs"
	Cooldown      int
	MinLR         float64
	Eps           float64
}

// DefaultPlateau returns torch's defaults: factor 0.1, patience 10,
// threshold 1e-4 rel, cooldown 0, min_lr 0, eps 1e-8; Mode is left
// goal.Auto, to follow the monitored metric (torch's default is "min": set
// goal.Minimize for a Plateau you drive yourself).
func DefaultPlateau() ReduceLROnPlateau {
	return ReduceLROnPlateau{Patience: 10}.withDefaults()
}

func (c ReduceLROnPlateau) withDefaults() ReduceLROnPlateau {
	if c.Factor == 0 {
		c.Factor = 0.1
	}
	if c.Threshold == 0 {
		c.Threshold = 1e-4
	}
	if c.ThresholdMode == "" {
		c.ThresholdMode = "rel"
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	return c
}

// Validate returns an error wrapping ErrConfig naming a bad field. Mode
// goal.Auto is valid here: NewPlateau wants it resolved.
func (c ReduceLROnPlateau) Validate() error {
	c = c.withDefaults()
	if err := c.Mode.Validate(); err != nil {
		return fmt.Errorf("%w: plateau Mode: %w", ErrConfig, err)
	}
	if c.ThresholdMode != "rel" && c.ThresholdMode != "abs" {
		return fmt.Errorf("%w: plateau ThresholdMode = %q, want \"rel\" or \"abs\" (\"\" = \"rel\")", ErrConfig, c.ThresholdMode)
	}
	if !(c.Factor > 0 && c.Factor < 1) {
		return fmt.Errorf("%w: plateau Factor = %v, want a value in (0, 1) (0 = 0.1)", ErrConfig, c.Factor)
	}
	if c.Patience < 0 {
		return fmt.Errorf("%w: plateau Patience = %d, want ≥ 0", ErrConfig, c.Patience)
	}
	if c.Cooldown < 0 {
		return fmt.Errorf("%w: plateau Cooldown = %d, want ≥ 0", ErrConfig, c.Cooldown)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Threshold", c.Threshold}, {"MinLR", c.MinLR}, {"Eps", c.Eps}} {
		if err := checkNonNegative("plateau "+f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

func (c ReduceLROnPlateau) String() string {
	c = c.withDefaults()
	return fmt.Sprintf("plateau(mode=%s, factor=%g, patience=%d, threshold=%g, threshold_mode=%s, cooldown=%d, min_lr=%g, eps=%g)",
		c.Mode, c.Factor, c.Patience, c.Threshold, c.ThresholdMode, c.Cooldown, c.MinLR, c.Eps)
}

// Plateau is the state of a ReduceLROnPlateau: the best metric so far, the
// bad epochs since, the cooldown left, and Scale, the product of the
// reductions so far. It only decides: feed it one metric per epoch with
// Step(metric, solver.LR()) after Solver.EpochEnd, and on a reduction lower
// the solver's rate with Solver.ScaleLR(newLR/lr), as trainer's
// ReduceLROnPlateau callback does. That one way composes with any schedule:
// the rate is At(t) times the reductions, as torch's chaining of a
// scheduler with ReduceLROnPlateau on one optimizer.
type Plateau struct {
	cfg      ReduceLROnPlateau
	best     float64
	bad      int
	cooldown int
	scale    float64
}

// NewPlateau returns a fresh Plateau, or an error wrapping ErrConfig if cfg
// is invalid or its Mode is goal.Auto (a Plateau cannot tell on its own
// whether its metric should fall or rise).
func NewPlateau(cfg ReduceLROnPlateau) (*Plateau, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Mode == goal.Auto {
		return nil, fmt.Errorf("%w: plateau Mode is goal.Auto, which only the code that knows the monitored metric can resolve; "+
			"set goal.Minimize (a loss, torch's mode=\"min\") or goal.Maximize (an accuracy)", ErrConfig)
	}
	c := cfg.withDefaults()
	return &Plateau{cfg: c, best: c.Mode.Worst(), scale: 1}, nil
}

// Step is torch's ReduceLROnPlateau.step(metric) for one epoch on a
// parameter group whose rate is lr. It returns the rate torch would set and
// whether it reduced the rate; on a reduction Scale is multiplied by
// newLR/lr.
func (p *Plateau) Step(metric, lr float64) (newLR float64, reduced bool) {
	if p.better(metric) {
		p.best, p.bad = metric, 0
	} else {
		p.bad++
	}
	if p.cooldown > 0 {
		p.cooldown--
		p.bad = 0 // bad epochs in cooldown do not count
	}
	if p.bad <= p.cfg.Patience {
		return lr, false
	}
	// torch resets the counters even when Eps vetoes the reduction.
	p.cooldown, p.bad = p.cfg.Cooldown, 0
	newLR = max(lr*p.cfg.Factor, p.cfg.MinLR)
	if !(lr-newLR > p.cfg.Eps) {
		return lr, false
	}
	p.scale *= newLR / lr
	return newLR, true
}

// better is torch's is_better; comparisons with NaN are false.
func (p *Plateau) better(m float64) bool {
	th := p.cfg.Threshold
	switch {
	case p.cfg.Mode == goal.Minimize && p.cfg.ThresholdMode == "rel":
		return m < p.best*(1-th)
	case p.cfg.Mode == goal.Minimize:
		return m < p.best-th
	case p.cfg.ThresholdMode == "rel":
		return m > p.best*(th+1)
	default:
		return m > p.best+th
	}
}

// Scale is the product of the reductions so far (1 before any).
func (p *Plateau) Scale() float64 { return p.scale }

// Best is the best metric so far (+Inf when minimizing, −Inf when
// maximizing, before any finite metric).
func (p *Plateau) Best() float64 { return p.best }

// BadEpochs is the number of epochs without improvement counted toward
// Patience.
func (p *Plateau) BadEpochs() int { return p.bad }

// Config returns the configuration with defaults filled in.
func (p *Plateau) Config() ReduceLROnPlateau { return p.cfg }

func (p *Plateau) String() string { return p.cfg.String() }

// PlateauState is a Plateau's counters: what its next Step depends on
// besides its configuration.
type PlateauState struct {
	Best     float64 // may be ±Inf (nothing yet)
	Bad      int
	Cooldown int
	Scale    float64
}

// State returns the counters.
func (p *Plateau) State() PlateauState {
	return PlateauState{Best: p.best, Bad: p.bad, Cooldown: p.cooldown, Scale: p.scale}
}

// SetState puts back st, as returned by State. It returns an error wrapping
// ErrConfig, changing nothing, for negative counts or a scale that is not
// finite and > 0, or on a nil Plateau.
func (p *Plateau) SetState(st PlateauState) error {
	if p == nil {
		return fmt.Errorf("%w: SetState on a nil *Plateau, want one made by NewPlateau", ErrConfig)
	}
	if st.Bad < 0 || st.Cooldown < 0 || !(st.Scale > 0) || math.IsInf(st.Scale, 0) {
		return fmt.Errorf("%w: plateau state bad epochs %d, cooldown %d, scale %v: want counts ≥ 0 and a finite scale > 0",
			ErrConfig, st.Bad, st.Cooldown, st.Scale)
	}
	p.best, p.bad, p.cooldown, p.scale = st.Best, st.Bad, st.Cooldown, st.Scale
	return nil
}
