package schedulers

import (
	"fmt"
	"math"
)

// OneCycle is the 1cycle policy (Smith & Topin 2017, "Super-Convergence"),
// as torch.optim.lr_scheduler.OneCycleLR(max_lr = MaxLR, total_steps =
// TotalSteps, ...) with cycle_momentum=False: we schedule the rate only,
// while torch by default also cycles SGD's momentum (or Adam's beta1)
// inversely between 0.95 and 0.85.
//
// With initial = MaxLR/DivFactor and final = initial/FinalDivFactor, the rate
// goes initial → MaxLR over phase 1, ending at step PctStart·TotalSteps − 1,
// then MaxLR → final by step TotalSteps − 1. With ThreePhase it goes MaxLR →
// initial by step 2·PctStart·TotalSteps − 2, then initial → final. Within a
// phase from (s0, a) to (s1, b), with p = (t − s0)/(s1 − s0):
//
//	Anneal "cos":    lr_t = b + (a − b)/2·(1 + cos(π·p))
//	Anneal "linear": lr_t = a + (b − a)·p
//
// Zero values mean torch's defaults: PctStart 0.3, Anneal "cos", DivFactor
// 25, FinalDivFactor 1e4. We differ from torch past the last step: torch
// extrapolates the last phase at t = TotalSteps (a rate no step of the run
// uses; negative with "linear") and raises after it; At(t ≥ TotalSteps)
// holds the rate of the last step, At(TotalSteps − 1) = final.
type OneCycle struct {
	MaxLR          float64
	TotalSteps     int
	PctStart       float64
	Anneal         string
	DivFactor      float64
	FinalDivFactor float64
	ThreePhase     bool
}

var (
	_ Schedule   = OneCycle{}
	_ RunChecker = OneCycle{}
)

func (c OneCycle) withDefaults() OneCycle {
	if c.PctStart == 0 {
		c.PctStart = 0.3
	}
	if c.Anneal == "" {
		c.Anneal = "cos"
	}
	if c.DivFactor == 0 {
		c.DivFactor = 25
	}
	if c.FinalDivFactor == 0 {
		c.FinalDivFactor = 1e4
	}
	return c
}

// phase is one leg of the cycle: from rate start at step startStep (the
// previous leg's end) to rate end at step endStep.
type phase struct {
	endStep    float64
	start, end float64
}

// phases are torch's _schedule_phases, in its arithmetic.
func (c OneCycle) phases() []phase {
	initial := c.MaxLR / c.DivFactor
	final := initial / c.FinalDivFactor
	total := float64(c.TotalSteps)
	last := total - 1
	if c.ThreePhase {
		return []phase{
			{c.PctStart*total - 1, initial, c.MaxLR},
			{2*c.PctStart*total - 2, c.MaxLR, initial},
			{last, initial, final},
		}
	}
	return []phase{
		{c.PctStart*total - 1, initial, c.MaxLR},
		{last, c.MaxLR, final},
	}
}

// At returns the rate at step t; t < 0 is treated as 0 and t ≥ TotalSteps
// as TotalSteps − 1.
func (c OneCycle) At(t int) float64 {
	c = c.withDefaults()
	step := float64(min(max(t, 0), c.TotalSteps-1))
	ps := c.phases()
	startStep := 0.0
	for i, p := range ps {
		if step <= p.endStep || i == len(ps)-1 {
			pct := (step - startStep) / (p.endStep - startStep)
			if c.Anneal == "linear" {
				return (p.end-p.start)*pct + p.start
			}
			return p.end + (p.start-p.end)/2.0*(math.Cos(math.Pi*pct)+1)
		}
		startStep = p.endStep
	}
	return math.NaN() // unreachable: the last phase always answers
}

func (c OneCycle) Validate() error {
	c = c.withDefaults()
	if err := checkPositive("MaxLR", c.MaxLR); err != nil {
		return err
	}
	if c.TotalSteps < 2 {
		return fmt.Errorf("%w: one-cycle TotalSteps = %d, want ≥ 2", ErrConfig, c.TotalSteps)
	}
	if !(c.PctStart > 0 && c.PctStart < 1) {
		return fmt.Errorf("%w: one-cycle PctStart = %v, want a value in (0, 1) (0 = 0.3)", ErrConfig, c.PctStart)
	}
	if c.Anneal != "cos" && c.Anneal != "linear" {
		return fmt.Errorf("%w: one-cycle Anneal = %q, want \"cos\" or \"linear\" (\"\" = \"cos\")", ErrConfig, c.Anneal)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"DivFactor", c.DivFactor}, {"FinalDivFactor", c.FinalDivFactor}} {
		if !(f.v >= 1) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%w: one-cycle %s = %v, want a finite value ≥ 1", ErrConfig, f.name, f.v)
		}
	}
	ps := c.phases()
	// torch divides by each phase's length: a zero-length one is a crash.
	if ps[0].endStep == 0 {
		return fmt.Errorf("%w: one-cycle PctStart·TotalSteps = %v·%d = 1, want ≠ 1 (the first phase would last 0 steps)",
			ErrConfig, c.PctStart, c.TotalSteps)
	}
	if c.ThreePhase && !(ps[1].endStep < ps[2].endStep) {
		return fmt.Errorf("%w: one-cycle PctStart = %v, want < (TotalSteps+1)/(2·TotalSteps) = %v with ThreePhase (the last phase would have no steps)",
			ErrConfig, c.PctStart, float64(c.TotalSteps+1)/float64(2*c.TotalSteps))
	}
	return nil
}

// CheckRun wants the run to fit in the cycle: torch raises when stepped
// past TotalSteps.
func (c OneCycle) CheckRun(total int) error {
	if total > c.TotalSteps {
		return fmt.Errorf("%w: one-cycle TotalSteps = %d, want ≥ the run's %d steps (or epochs)", ErrConfig, c.TotalSteps, total)
	}
	return nil
}

func (c OneCycle) String() string {
	c = c.withDefaults()
	return fmt.Sprintf("one_cycle(max_lr=%g, total_steps=%d, pct_start=%g, anneal=%s, div_factor=%g, final_div_factor=%g, three_phase=%t)",
		c.MaxLR, c.TotalSteps, c.PctStart, c.Anneal, c.DivFactor, c.FinalDivFactor, c.ThreePhase)
}
