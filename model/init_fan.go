package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// The fan-scaled initializers compute their bound or standard deviation with
// torch.nn.init's expressions in torch's order, so the values match PyTorch
// 1.13 bit for bit (testdata/torch/activations.json).

// XavierUniform draws from U(−a, a) with a = √3·gain·√(2 / (fanIn + fanOut))
// (Glorot & Bengio 2010; torch.nn.init.xavier_uniform_, Keras
// glorot_uniform). Gain 0 means 1; see Gain for a nonlinearity's gain.
type XavierUniform struct{ Gain float64 }

// XavierNormal draws from N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut))
// (torch.nn.init.xavier_normal_; Keras glorot_normal truncates at 2σ, we
// don't). Gain 0 means 1.
type XavierNormal struct{ Gain float64 }

// HeUniform draws from U(−b, b) with b = √3·gain/√fan (He et al. 2015;
// torch.nn.init.kaiming_uniform_).
//
// Mode selects fan: "fan_in" (default, "") or "fan_out". The gain is Gain if
// set, else Gain(Nonlinearity, NegativeSlope) with Nonlinearity defaulting to
// torch's "leaky_relu" and NegativeSlope to 0 (torch's a=0), which gives √2:
// the zero value is kaiming_uniform_'s defaults. Set either Gain or
// Nonlinearity/NegativeSlope, not both.
type HeUniform struct {
	Mode          string
	Nonlinearity  string
	NegativeSlope float64 // torch's a, for leaky_relu only
	Gain          float64
}

// HeNormal draws from N(0, σ²) with σ = gain/√fan (torch.nn.init.kaiming_normal_;
// Keras he_normal truncates at 2σ, we don't). Its fields mean what
// HeUniform's do; the zero value, σ = √2/√fanIn, is kaiming_normal_'s
// defaults.
type HeNormal struct {
	Mode          string
	Nonlinearity  string
	NegativeSlope float64
	Gain          float64
}

// LeCunNormal draws from N(0, 1/fanIn) (LeCun et al. 1998; in torch,
// kaiming_normal_ with nonlinearity='linear', as recommended for SELU; Keras
// lecun_normal truncates at 2σ, we don't).
type LeCunNormal struct{}

// Init implements Initializer.
func (x XavierUniform) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initSymmetric(x, dst, fanIn, fanOut, rng)
}

func (x XavierUniform) bounds(fanIn, fanOut int) (lo, hi float64) {
	std := gainOr1(x.Gain) * math.Sqrt(2.0/float64(fanIn+fanOut))
	a := math.Sqrt(3.0) * std
	return -a, a
}

// Validate reports fans < 1 and a Gain that is not finite and ≥ 0.
func (x XavierUniform) Validate(fanIn, fanOut int) error {
	return validateXavier("xavier_uniform", x.Gain, fanIn, fanOut)
}

func (x XavierUniform) String() string { return withParams("xavier_uniform", "gain", optFloat(x.Gain)) }

// Init implements Initializer.
func (x XavierNormal) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initNormal(x, dst, fanIn, fanOut, rng)
}

func (x XavierNormal) moments(fanIn, fanOut int) (mean, std float64) {
	return 0, gainOr1(x.Gain) * math.Sqrt(2.0/float64(fanIn+fanOut))
}

// Validate reports fans < 1 and a Gain that is not finite and ≥ 0.
func (x XavierNormal) Validate(fanIn, fanOut int) error {
	return validateXavier("xavier_normal", x.Gain, fanIn, fanOut)
}

func (x XavierNormal) String() string { return withParams("xavier_normal", "gain", optFloat(x.Gain)) }

func validateXavier(name string, gain float64, fanIn, fanOut int) error {
	if !finite(gain) || gain < 0 {
		return fmt.Errorf("%w: %s Gain = %v, want a finite value ≥ 0 (0: 1)", ErrConfig, name, gain)
	}
	return errors.Join(needFan(name, "FanIn", fanIn), needFan(name, "FanOut", fanOut))
}

// kaiming holds the settings HeUniform and HeNormal share.
type kaiming struct {
	name, mode, nonlinearity string
	slope, gain              float64
}

func (k kaiming) validate(fanIn, fanOut int) error {
	switch k.mode {
	case "", "fan_in":
	case "fan_out":
	default:
		return fmt.Errorf("%w: %s Mode = %q, want \"fan_in\" (or \"\") or \"fan_out\"", ErrConfig, k.name, k.mode)
	}
	if !finite(k.gain) || k.gain < 0 {
		return fmt.Errorf("%w: %s Gain = %v, want a finite value ≥ 0 (0: from Nonlinearity)", ErrConfig, k.name, k.gain)
	}
	if k.gain > 0 && (k.nonlinearity != "" || k.slope != 0) {
		return fmt.Errorf("%w: %s sets Gain = %v and Nonlinearity = %q, NegativeSlope = %v; want Gain or Nonlinearity, not both", ErrConfig, k.name, k.gain, k.nonlinearity, k.slope)
	}
	if k.slope != 0 && k.nonlinearity != "" && k.nonlinearity != "leaky_relu" {
		return fmt.Errorf("%w: %s NegativeSlope = %v applies to leaky_relu only, Nonlinearity = %q", ErrConfig, k.name, k.slope, k.nonlinearity)
	}
	if _, err := k.gainValue(); err != nil {
		return fmt.Errorf("%s: %w", k.name, err)
	}
	if k.mode == "fan_out" {
		return needFan(k.name, "FanOut", fanOut)
	}
	return needFan(k.name, "FanIn", fanIn)
}

func (k kaiming) gainValue() (float64, error) {
	if k.gain > 0 {
		return k.gain, nil
	}
	nl := k.nonlinearity
	if nl == "" {
		nl = "leaky_relu"
	}
	return Gain(nl, k.slope)
}

// std is torch's gain / math.sqrt(fan).
func (k kaiming) std(fanIn, fanOut int) float64 {
	fan := fanIn
	if k.mode == "fan_out" {
		fan = fanOut
	}
	gain, _ := k.gainValue()
	return gain / math.Sqrt(float64(fan))
}

func (k kaiming) String() string {
	return withParams(k.name, "mode", k.mode, "nonlinearity", k.nonlinearity,
		"negative_slope", optFloat(k.slope), "gain", optFloat(k.gain))
}

func (h HeUniform) k() kaiming {
	return kaiming{"he_uniform", h.Mode, h.Nonlinearity, h.NegativeSlope, h.Gain}
}

// Init implements Initializer.
func (h HeUniform) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initSymmetric(h, dst, fanIn, fanOut, rng)
}

func (h HeUniform) bounds(fanIn, fanOut int) (lo, hi float64) {
	b := math.Sqrt(3.0) * h.k().std(fanIn, fanOut)
	return -b, b
}

// Validate reports an unknown Mode or Nonlinearity, conflicting settings,
// and a fan < 1.
func (h HeUniform) Validate(fanIn, fanOut int) error { return h.k().validate(fanIn, fanOut) }

func (h HeUniform) String() string { return h.k().String() }

func (h HeNormal) k() kaiming {
	return kaiming{"he_normal", h.Mode, h.Nonlinearity, h.NegativeSlope, h.Gain}
}

// Init implements Initializer.
func (h HeNormal) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initNormal(h, dst, fanIn, fanOut, rng)
}

func (h HeNormal) moments(fanIn, fanOut int) (mean, std float64) {
	return 0, h.k().std(fanIn, fanOut)
}

// Validate reports an unknown Mode or Nonlinearity, conflicting settings,
// and a fan < 1.
func (h HeNormal) Validate(fanIn, fanOut int) error { return h.k().validate(fanIn, fanOut) }

func (h HeNormal) String() string { return h.k().String() }

// Init implements Initializer.
func (l LeCunNormal) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initNormal(l, dst, fanIn, fanOut, rng)
}

func (LeCunNormal) moments(fanIn, _ int) (mean, std float64) {
	return 0, 1 / math.Sqrt(float64(fanIn))
}

// Validate reports fanIn < 1.
func (LeCunNormal) Validate(fanIn, _ int) error { return needFan("lecun_normal", "FanIn", fanIn) }

func (LeCunNormal) String() string { return "lecun_normal" }

func gainOr1(g float64) float64 {
	if g == 0 {
		return 1
	}
	return g
}

// optFloat formats v, or "" for 0 (a default withParams leaves out).
func optFloat(v float64) string {
	if v == 0 {
		return ""
	}
	return fmtFloat(v)
}
