package model

import (
	"fmt"
	"math"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
)

// Activation is an elementwise nonlinearity. Apply adds it to x's graph;
// the output has x's shape (e.g. (batch, units)). An invalid parameter
// returns an error wrapping ErrConfig. String names it for logs and tuners.
//
// The built-in activations compute PyTorch 1.13's CPU formulas (forward and
// gradient, in the tensor's dtype), so they agree with torch.nn.functional
// to rounding, including at x = 0 and for large |x| (no NaN or Inf). In a
// Sequential, wrap one in Act.
type Activation interface {
	Apply(x *G.Node) (*G.Node, error)
	String() string
}

// ReLU is max(x, 0) (torch.nn.ReLU), with gradient 0 at x = 0 as in torch.
type ReLU struct{}

// LeakyReLU is x for x > 0 and Slope·x otherwise (torch.nn.LeakyReLU), with
// gradient Slope at x = 0 as in torch. Slope 0 means torch's default 0.01.
type LeakyReLU struct{ Slope float64 }

// ELU is x for x > 0 and Alpha·(exp(x) − 1) otherwise (Clevert et al. 2015;
// torch.nn.ELU). Its gradient at 0 is Alpha, as in torch. Alpha 0 means
// torch's default 1.
type ELU struct{ Alpha float64 }

// Tanh is tanh(x) (torch.nn.Tanh); gradient 1 − tanh²(x).
type Tanh struct{}

// Sigmoid is 1 / (1 + exp(−x)) (torch.nn.Sigmoid); gradient σ(x)·(1 − σ(x)).
// Finite everywhere: σ(−100) is 3.7e-44 in float64 and 0 in float32, as
// torch.
type Sigmoid struct{}

// Softplus is log(1 + exp(Beta·x)) / Beta, replaced by x where
// Beta·x > Threshold for numerical stability (torch.nn.Softplus);
// gradient σ(Beta·x), or 1 above the threshold. Zero fields mean torch's
// defaults Beta 1, Threshold 20.
type Softplus struct{ Beta, Threshold float64 }

// GELU is x·Φ(x) (Hendrycks & Gimpel 2016; torch.nn.GELU). Approximate ""
// or "none" is torch's exact form x·½·(1 + erf(x/√2)); "tanh" is torch's
// approximate='tanh': ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
// In float32 for x ≲ −3, where 1 + erf(x/√2) cancels, torch's erf (SLEEF)
// and ours (float64, rounded) can differ by an ulp, which the cancellation
// turns into ~2e-5 relative; ours is the closer to the exact value there.
type GELU struct{ Approximate string }

// Identity returns x unchanged (torch.nn.Identity).
type Identity struct{}

// Apply implements Activation.
func (ReLU) Apply(x *G.Node) (*G.Node, error) {
	return applyKernel(&kernel{name: "relu", f64: relu[float64](), f32: relu[float32]()}, x)
}

// Apply implements Activation. A Slope that is not finite is an error.
func (a LeakyReLU) Apply(x *G.Node) (*G.Node, error) {
	s := a.slope()
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("%w: LeakyReLU Slope = %v, want a finite value", ErrConfig, s)
	}
	return applyKernel(&kernel{name: a.String(), f64: leakyReLU[float64](s), f32: leakyReLU[float32](s)}, x)
}

// Apply implements Activation. Alpha must be finite and > 0 (0 means 1).
func (a ELU) Apply(x *G.Node) (*G.Node, error) {
	al := a.alpha()
	if !(al > 0) || math.IsInf(al, 0) {
		return nil, fmt.Errorf("%w: ELU Alpha = %v, want a finite value > 0", ErrConfig, a.Alpha)
	}
	return applyKernel(&kernel{name: a.String(), f64: elu[float64](al), f32: elu[float32](al)}, x)
}

// Apply implements Activation.
func (Tanh) Apply(x *G.Node) (*G.Node, error) {
	return applyKernel(&kernel{name: "tanh", f64: tanhAct[float64](), f32: tanhAct[float32]()}, x)
}

// Apply implements Activation.
func (Sigmoid) Apply(x *G.Node) (*G.Node, error) {
	return applyKernel(&kernel{name: "sigmoid", f64: sigmoid[float64](), f32: sigmoid[float32]()}, x)
}

// Apply implements Activation. Beta and Threshold must be finite and > 0
// (or 0 for their defaults).
func (a Softplus) Apply(x *G.Node) (*G.Node, error) {
	b, th := a.params()
	if !(b > 0) || math.IsInf(b, 0) {
		return nil, fmt.Errorf("%w: Softplus Beta = %v, want a finite value > 0", ErrConfig, a.Beta)
	}
	if !(th > 0) || math.IsInf(th, 0) {
		return nil, fmt.Errorf("%w: Softplus Threshold = %v, want a finite value > 0", ErrConfig, a.Threshold)
	}
	return applyKernel(&kernel{name: a.String(), f64: softplus[float64](b, th), f32: softplus[float32](b, th)}, x)
}

// Apply implements Activation. Approximate must be "", "none" or "tanh".
func (a GELU) Apply(x *G.Node) (*G.Node, error) {
	switch a.Approximate {
	case "", "none":
		return applyKernel(&kernel{name: "gelu", f64: geluErf[float64](), f32: geluErf[float32]()}, x)
	case "tanh":
		return applyKernel(&kernel{name: "gelu_tanh", f64: geluTanh[float64](), f32: geluTanh[float32]()}, x)
	}
	return nil, fmt.Errorf("%w: GELU Approximate = %q, want \"none\" (or \"\") or \"tanh\"", ErrConfig, a.Approximate)
}

// Apply implements Activation.
func (Identity) Apply(x *G.Node) (*G.Node, error) { return x, nil }

func (a LeakyReLU) slope() float64 {
	if a.Slope == 0 {
		return 0.01
	}
	return a.Slope
}

func (a ELU) alpha() float64 {
	if a.Alpha == 0 {
		return 1
	}
	return a.Alpha
}

func (a Softplus) params() (beta, threshold float64) {
	beta, threshold = a.Beta, a.Threshold
	if beta == 0 {
		beta = 1
	}
	if threshold == 0 {
		threshold = 20
	}
	return beta, threshold
}

// String implements Activation: the name ActivationByName accepts, with the
// parameters that differ from the defaults.
func (ReLU) String() string { return "relu" }

// String implements Activation.
func (a LeakyReLU) String() string {
	if a.Slope == 0 {
		return "leaky_relu"
	}
	return "leaky_relu(slope=" + fmtFloat(a.Slope) + ")"
}

// String implements Activation.
func (a ELU) String() string {
	if a.Alpha == 0 {
		return "elu"
	}
	return "elu(alpha=" + fmtFloat(a.Alpha) + ")"
}

// String implements Activation.
func (Tanh) String() string { return "tanh" }

// String implements Activation.
func (Sigmoid) String() string { return "sigmoid" }

// String implements Activation.
func (a Softplus) String() string {
	if a.Beta == 0 && a.Threshold == 0 {
		return "softplus"
	}
	b, th := a.params()
	return "softplus(beta=" + fmtFloat(b) + ", threshold=" + fmtFloat(th) + ")"
}

// String implements Activation.
func (a GELU) String() string {
	if a.Approximate == "tanh" {
		return "gelu_tanh"
	}
	if a.Approximate == "" || a.Approximate == "none" {
		return "gelu"
	}
	return fmt.Sprintf("gelu(approximate=%q)", a.Approximate)
}

// String implements Activation.
func (Identity) String() string { return "identity" }

var activationsByName = map[string]Activation{
	"relu":       ReLU{},
	"leaky_relu": LeakyReLU{},
	"elu":        ELU{},
	"tanh":       Tanh{},
	"sigmoid":    Sigmoid{},
	"softplus":   Softplus{},
	"gelu":       GELU{},
	"gelu_tanh":  GELU{Approximate: "tanh"},
	"identity":   Identity{},
}

// ActivationByName returns the activation with torch's default parameters
// for one of the names relu, leaky_relu, elu, tanh, sigmoid, softplus, gelu,
// gelu_tanh, identity (what tuners choose from). An unknown name returns an
// error wrapping ErrConfig that lists the known ones.
func ActivationByName(name string) (Activation, error) {
	if a, ok := activationsByName[name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("%w: unknown activation %q, want one of %s", ErrConfig, name, strings.Join(sortedKeys(activationsByName), ", "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
