package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Initializer fills a parameter's initial values. fanIn and fanOut are those of
// the layer the parameter belongs to (for a dense weight of shape (in, out):
// fanIn = in, fanOut = out, as torch.nn.init computes them for nn.Linear's
// (out, in) weight). Implementations must draw only from rng, so that the
// same seed gives the same values, bit for bit.
//
// An Initializer may also have a method Validate(fanIn, fanOut int) error;
// Scope.Param calls it before Init and returns its error (e.g. a negative
// Std, or fans < 1 for a fan-scaled initializer). The built-in ones all have
// it; their Init fills NaN if called directly with an invalid setting, or
// with a nil rng where they draw random values (Init has no error to return).
type Initializer interface {
	Init(dst []float64, fanIn, fanOut int, rng *rand.Rand)
	String() string
}

type validator interface {
	Validate(fanIn, fanOut int) error
}

// Zeros sets every value to 0 (torch.nn.init.zeros_; the usual bias
// initializer).
type Zeros struct{}

func (Zeros) Init(dst []float64, _, _ int, _ *rand.Rand) { clear(dst) }
func (Zeros) String() string                             { return "zeros" }

// Constant sets every value to Value (torch.nn.init.constant_). The zero
// value is Zeros.
type Constant struct{ Value float64 }

// Init implements Initializer.
func (c Constant) Init(dst []float64, fanIn, fanOut int, _ *rand.Rand) {
	if c.Validate(fanIn, fanOut) != nil {
		fillNaN(dst)
		return
	}
	for i := range dst {
		dst[i] = c.Value
	}
}

// Validate reports a Value that is not finite.
func (c Constant) Validate(_, _ int) error {
	if !finite(c.Value) {
		return fmt.Errorf("%w: Constant Value = %v, want a finite value", ErrConfig, c.Value)
	}
	return nil
}

func (c Constant) String() string { return "constant(" + fmtFloat(c.Value) + ")" }

// Uniform draws from U(Low, High) as Low + (High − Low)·u, u ~ U[0, 1)
// (torch.nn.init.uniform_). The zero value (both 0) is torch's default
// U(0, 1); otherwise High must exceed Low.
type Uniform struct{ Low, High float64 }

// Init implements Initializer.
func (u Uniform) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	if rng == nil || u.Validate(fanIn, fanOut) != nil {
		fillNaN(dst)
		return
	}
	lo, hi := u.bounds(fanIn, fanOut)
	for i := range dst {
		dst[i] = lo + (hi-lo)*rng.Float64()
	}
}

func (u Uniform) bounds(_, _ int) (lo, hi float64) {
	if u.Low == 0 && u.High == 0 {
		return 0, 1
	}
	return u.Low, u.High
}

// Validate reports bounds that are not finite or not increasing.
func (u Uniform) Validate(_, _ int) error {
	lo, hi := u.bounds(0, 0)
	if !finite(lo) || !finite(hi) || !(hi > lo) {
		return fmt.Errorf("%w: Uniform Low = %v, High = %v, want finite bounds with High > Low (both 0: U(0, 1))", ErrConfig, u.Low, u.High)
	}
	return nil
}

func (u Uniform) String() string {
	lo, hi := u.bounds(0, 0)
	return "uniform(" + fmtFloat(lo) + ", " + fmtFloat(hi) + ")"
}

// Normal draws from N(Mean, Std²) (torch.nn.init.normal_). Std 0 means
// torch's default 1; Mean defaults to 0.
type Normal struct{ Mean, Std float64 }

// Init implements Initializer.
func (n Normal) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initNormal(n, dst, fanIn, fanOut, rng)
}

func (n Normal) moments(_, _ int) (mean, std float64) {
	if n.Std == 0 {
		return n.Mean, 1
	}
	return n.Mean, n.Std
}

// Validate reports a Mean that is not finite or a Std that is not finite
// and > 0.
func (n Normal) Validate(_, _ int) error {
	if !finite(n.Mean) {
		return fmt.Errorf("%w: Normal Mean = %v, want a finite value", ErrConfig, n.Mean)
	}
	if !finite(n.Std) || n.Std < 0 {
		return fmt.Errorf("%w: Normal Std = %v, want a finite value > 0 (0: 1)", ErrConfig, n.Std)
	}
	return nil
}

func (n Normal) String() string {
	mean, std := n.moments(0, 0)
	return "normal(" + fmtFloat(mean) + ", " + fmtFloat(std) + ")"
}

// TorchLinear draws from U(−1/√fanIn, 1/√fanIn): what PyTorch's nn.Linear does
// for both weight (kaiming_uniform_ with a=√5, whose bound equals 1/√fanIn up
// to rounding) and bias.
type TorchLinear struct{}

// Init implements Initializer.
func (t TorchLinear) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	initSymmetric(t, dst, fanIn, fanOut, rng)
}

func (TorchLinear) bounds(fanIn, _ int) (lo, hi float64) {
	a := 1 / math.Sqrt(float64(fanIn))
	return -a, a
}

// Validate reports fanIn < 1.
func (TorchLinear) Validate(fanIn, _ int) error { return needFan("torch_linear", "FanIn", fanIn) }

func (TorchLinear) String() string { return "torch_linear" }

// fillSymmetric draws from U(−a, a).
func fillSymmetric(dst []float64, a float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = a * (2*rng.Float64() - 1)
	}
}

func fillNormal(dst []float64, mean, std float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = mean + std*rng.NormFloat64()
	}
}

func fillNaN(dst []float64) {
	for i := range dst {
		dst[i] = math.NaN()
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// needFan reports a fan below 1: the fan-scaled formulas divide by it.
func needFan(name, field string, fan int) error {
	if fan < 1 {
		return fmt.Errorf("%w: %s: %s = %d, want ≥ 1", ErrConfig, name, field, fan)
	}
	return nil
}

// withParams formats name(k=v, ...) for the non-empty pairs, or name alone.
func withParams(name string, kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			parts = append(parts, kv[i]+"="+kv[i+1])
		}
	}
	if len(parts) == 0 {
		return name
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}

// normalInit and symmetricInit are initializers drawing from N(mean, std²)
// and from U(−hi, hi): their Init is one of the two below.
type normalInit interface {
	Validate(fanIn, fanOut int) error
	moments(fanIn, fanOut int) (mean, std float64)
}

type symmetricInit interface {
	Validate(fanIn, fanOut int) error
	bounds(fanIn, fanOut int) (lo, hi float64)
}

// initNormal fills dst from n's normal, or with NaN when n cannot serve
// these fans (Scope.Param reports the error) or rng is nil.
func initNormal(n normalInit, dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	if rng == nil || n.Validate(fanIn, fanOut) != nil {
		fillNaN(dst)
		return
	}
	mean, std := n.moments(fanIn, fanOut)
	fillNormal(dst, mean, std, rng)
}

// initSymmetric fills dst from U(−hi, hi) of u's bounds, or with NaN when u
// cannot serve these fans or rng is nil.
func initSymmetric(u symmetricInit, dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	if rng == nil || u.Validate(fanIn, fanOut) != nil {
		fillNaN(dst)
		return
	}
	_, hi := u.bounds(fanIn, fanOut)
	fillSymmetric(dst, hi, rng)
}
