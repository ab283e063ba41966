package schedulers

import "fmt"

// InverseTime decays the rate as lr_t = LR / (1 + DecayRate·p), p =
// t/DecaySteps, or ⌊t/DecaySteps⌋ with Staircase (Keras
// tf.keras.optimizers.schedules.InverseTimeDecay; in torch, a LambdaLR).
// DecaySteps 0 means 1. DecayRate 0 keeps the rate constant.
type InverseTime struct {
	LR         float64
	DecayRate  float64
	DecaySteps int
	Staircase  bool
}

var _ Schedule = InverseTime{}

func (s InverseTime) withDefaults() InverseTime {
	if s.DecaySteps == 0 {
		s.DecaySteps = 1
	}
	return s
}

// At returns LR / (1 + DecayRate·p); t < 0 is treated as 0.
func (s InverseTime) At(t int) float64 {
	s = s.withDefaults()
	t = max(t, 0)
	p := float64(t) / float64(s.DecaySteps)
	if s.Staircase {
		p = float64(t / s.DecaySteps)
	}
	return s.LR / (1 + s.DecayRate*p)
}

func (s InverseTime) Validate() error {
	s = s.withDefaults()
	if err := checkLR(s.LR); err != nil {
		return err
	}
	if err := checkNonNegative("DecayRate", s.DecayRate); err != nil {
		return err
	}
	if s.DecaySteps < 1 {
		return fmt.Errorf("%w: DecaySteps = %d, want ≥ 1 (0 = 1)", ErrConfig, s.DecaySteps)
	}
	return nil
}

func (s InverseTime) String() string {
	s = s.withDefaults()
	return fmt.Sprintf("inverse_time(lr=%g, decay_rate=%g, decay_steps=%d, staircase=%t)",
		s.LR, s.DecayRate, s.DecaySteps, s.Staircase)
}
