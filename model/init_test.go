package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gain equals torch.nn.init.calculate_gain bit for bit.
func TestGainMatchesTorch(t *testing.T) {
	f := loadActivations(t)
	if len(f.Gains) < 12 {
		t.Fatalf("%d gain cases in activations.json", len(f.Gains))
	}
	for _, c := range f.Gains {
		got, err := Gain(c.Nonlinearity, c.Param)
		if err != nil || got != c.Gain {
			t.Errorf("Gain(%q, %v) = %v, %v; torch %v", c.Nonlinearity, c.Param, got, err, c.Gain)
		}
	}
	for _, c := range []struct {
		nl    string
		param float64
		says  string
	}{
		{"gelu", 0, `unsupported nonlinearity "gelu"`},
		{"", 0, `unsupported nonlinearity ""`},
		{"leaky_relu", math.NaN(), "negative slope = NaN"},
	} {
		if _, err := Gain(c.nl, c.param); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Gain(%q, %v): error = %v, want ErrConfig saying %q", c.nl, c.param, err, c.says)
		}
	}
}

type uniformInit interface {
	bounds(fanIn, fanOut int) (lo, hi float64)
}

var goldenInits = map[string]Initializer{
	"uniform":                                Uniform{},
	"uniform high=2 low=-0.5":                Uniform{Low: -0.5, High: 2},
	"normal":                                 Normal{},
	"normal mean=0.5 std=0.1":                Normal{Mean: 0.5, Std: 0.1},
	"xavier_uniform":                         XavierUniform{},
	"xavier_uniform gain=1.6666666666666667": XavierUniform{Gain: 5.0 / 3},
	"xavier_normal":                          XavierNormal{},
	"xavier_normal gain=2":                   XavierNormal{Gain: 2},
	"he_uniform":                             HeUniform{},
	"he_uniform mode=fan_out":                HeUniform{Mode: "fan_out"},
	"he_uniform negative_slope=0.2 nonlinearity=leaky_relu": HeUniform{Nonlinearity: "leaky_relu", NegativeSlope: 0.2},
	"he_uniform mode=fan_out nonlinearity=tanh":             HeUniform{Mode: "fan_out", Nonlinearity: "tanh"},
	"he_normal":                   HeNormal{},
	"he_normal mode=fan_out":      HeNormal{Mode: "fan_out"},
	"he_normal nonlinearity=relu": HeNormal{Nonlinearity: "relu"},
	"he_normal negative_slope=0.01 nonlinearity=leaky_relu": HeNormal{Nonlinearity: "leaky_relu", NegativeSlope: 0.01},
	"he_normal nonlinearity=selu":                           HeNormal{Nonlinearity: "selu"},
	"lecun_normal":                                          LeCunNormal{},
	"torch_linear":                                          TorchLinear{},
	"torch_linear_bias":                                     TorchLinear{},
}

// The bound (uniform) or mean and standard deviation (normal) of each
// initializer equal the arguments torch.nn.init passes to uniform_/normal_
// for the same fans, bit for bit; nn.Linear's weight bound (computed by torch
// as √3·√(1/3)/√fan) may differ from our 1/√fan by rounding.
func TestInitDistributionsMatchTorch(t *testing.T) {
	f := loadActivations(t)
	seen := map[string]bool{}
	for _, c := range f.Inits {
		key := goldenKey(c.Name, c.Params)
		init, ok := goldenInits[key]
		if !ok {
			t.Errorf("golden case %q has no Go initializer in the table", key)
			continue
		}
		seen[key] = true
		tol := 0.0
		if key == "torch_linear" {
			tol = 4e-16 // two ulps
		}
		switch {
		case c.Low != nil && c.High != nil:
			u, ok := init.(uniformInit)
			if !ok {
				t.Errorf("%s: torch draws uniformly, %T does not", key, init)
				continue
			}
			lo, hi := u.bounds(c.FanIn, c.FanOut)
			if relErr(lo, *c.Low) > tol || relErr(hi, *c.High) > tol {
				t.Errorf("%s fans (%d, %d): U(%v, %v), torch U(%v, %v)", key, c.FanIn, c.FanOut, lo, hi, *c.Low, *c.High)
			}
		case c.Mean != nil && c.Std != nil:
			n, ok := init.(normalInit)
			if !ok {
				t.Errorf("%s: torch draws normally, %T does not", key, init)
				continue
			}
			mean, std := n.moments(c.FanIn, c.FanOut)
			if mean != *c.Mean || std != *c.Std {
				t.Errorf("%s fans (%d, %d): N(%v, %v²), torch N(%v, %v²)", key, c.FanIn, c.FanOut, mean, std, *c.Mean, *c.Std)
			}
		default:
			t.Errorf("%s: golden case without low/high or mean/std", key)
		}
		if err := init.(validator).Validate(c.FanIn, c.FanOut); err != nil {
			t.Errorf("%s: Validate: %v", key, err)
		}
	}
	for key := range goldenInits {
		if !seen[key] {
			t.Errorf("table case %q is not in activations.json", key)
		}
	}
}

// Large draws have the documented moments: 200,000 values, mean within 5
// standard errors, variance within 5 standard errors of the sample
// variance, uniform draws inside [lo, hi) and reaching near both ends.
func TestInitSampleMoments(t *testing.T) {
	const n, fanIn, fanOut = 200_000, 300, 100
	for _, init := range []Initializer{
		Uniform{}, Uniform{Low: -3, High: -1}, Normal{}, Normal{Mean: 2, Std: 0.5},
		XavierUniform{}, XavierUniform{Gain: 2}, XavierNormal{}, HeUniform{}, HeUniform{Mode: "fan_out", Nonlinearity: "tanh"},
		HeNormal{}, HeNormal{Nonlinearity: "leaky_relu", NegativeSlope: 0.2}, LeCunNormal{}, TorchLinear{},
	} {
		t.Run(init.String(), func(t *testing.T) {
			vals := make([]float64, n)
			init.Init(vals, fanIn, fanOut, rand.New(rand.NewPCG(11, 12)))
			var mean, variance, kurt float64 // kurt: Var(X²)/σ⁴ + 1 = E(X−μ)⁴/σ⁴
			if u, ok := init.(uniformInit); ok {
				lo, hi := u.bounds(fanIn, fanOut)
				mean, variance, kurt = (lo+hi)/2, (hi-lo)*(hi-lo)/12, 1.8
				minV, maxV := math.Inf(1), math.Inf(-1)
				for _, v := range vals {
					minV, maxV = min(minV, v), max(maxV, v)
				}
				if minV < lo || maxV >= hi || minV > lo+(hi-lo)*1e-3 || maxV < hi-(hi-lo)*1e-3 {
					t.Errorf("range [%v, %v], want inside and near [%v, %v)", minV, maxV, lo, hi)
				}
			} else {
				m, s := init.(normalInit).moments(fanIn, fanOut)
				mean, variance, kurt = m, s*s, 3
			}
			gotMean, gotVar := moments(vals)
			if se := math.Sqrt(variance / n); math.Abs(gotMean-mean) > 5*se {
				t.Errorf("mean %v, want %v ± %v", gotMean, mean, 5*se)
			}
			if se := variance * math.Sqrt((kurt-1)/n); math.Abs(gotVar-variance) > 5*se {
				t.Errorf("variance %v, want %v ± %v", gotVar, variance, 5*se)
			}
		})
	}
}

// Same generator state → same values, bit for bit; another seed → others.
func TestInitSameSeedSameValues(t *testing.T) {
	for name, init := range initializersByName {
		draw := func(seed uint64) []float64 {
			v := make([]float64, 64)
			init.Init(v, 8, 8, rand.New(rand.NewPCG(seed, 1)))
			return v
		}
		a, b, c := draw(1), draw(1), draw(2)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: seed 1 twice gave different values", name)
		}
		_, constant := init.(Constant)
		if _, zeros := init.(Zeros); !zeros && !constant && reflect.DeepEqual(a, c) {
			t.Errorf("%s: seeds 1 and 2 gave the same values", name)
		}
	}
}

func TestInitializerByName(t *testing.T) {
	for _, name := range []string{"zeros", "uniform", "normal", "xavier_uniform", "xavier_normal",
		"he_uniform", "he_normal", "lecun_normal", "torch_linear"} {
		init, err := InitializerByName(name)
		if err != nil || !strings.HasPrefix(init.String(), name) {
			t.Errorf("InitializerByName(%q) = %v, %v", name, init, err)
		}
	}
	for alias, want := range map[string]Initializer{
		"glorot_uniform": XavierUniform{}, "kaiming_normal": HeNormal{}, "ones": Constant{Value: 1},
	} {
		if got, err := InitializerByName(alias); err != nil || got != want {
			t.Errorf("InitializerByName(%q) = %#v, %v; want %#v", alias, got, err, want)
		}
	}
	_, err := InitializerByName("orthogonal")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"orthogonal"`) || !strings.Contains(err.Error(), "he_normal") {
		t.Errorf("orthogonal: error = %v, want ErrConfig naming it and listing the known names", err)
	}
}

func TestInitializerStrings(t *testing.T) {
	for _, c := range []struct {
		init Initializer
		want string
	}{
		{Uniform{}, "uniform(0, 1)"},
		{Normal{Mean: 1}, "normal(1, 1)"},
		{Constant{Value: 0.5}, "constant(0.5)"},
		{XavierUniform{Gain: 2}, "xavier_uniform(gain=2)"},
		{HeNormal{}, "he_normal"},
		{HeUniform{Mode: "fan_out", Nonlinearity: "leaky_relu", NegativeSlope: 0.2}, "he_uniform(mode=fan_out, nonlinearity=leaky_relu, negative_slope=0.2)"},
	} {
		if got := c.init.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.init, got, c.want)
		}
	}
}

// An invalid setting is an error from New naming the parameter, the field
// and the bad value; nothing is drawn.
func TestInitializerErrors(t *testing.T) {
	for _, c := range []struct {
		init          Initializer
		fanIn, fanOut int
		says          string
	}{
		{Uniform{Low: 1, High: 0}, 1, 1, "Uniform Low = 1, High = 0, want finite bounds with High > Low"},
		{Uniform{Low: math.Inf(-1), High: 0}, 1, 1, "Uniform Low = -Inf"},
		{Normal{Std: -1}, 1, 1, "Normal Std = -1, want a finite value > 0"},
		{Normal{Mean: math.NaN()}, 1, 1, "Normal Mean = NaN"},
		{Constant{Value: math.Inf(1)}, 1, 1, "Constant Value = +Inf"},
		{XavierUniform{Gain: -1}, 2, 2, "xavier_uniform Gain = -1, want a finite value ≥ 0"},
		{XavierNormal{}, 2, 0, "xavier_normal: FanOut = 0, want ≥ 1"},
		{XavierUniform{}, 0, 2, "xavier_uniform: FanIn = 0, want ≥ 1"},
		{HeUniform{Mode: "fan_avg"}, 2, 2, `he_uniform Mode = "fan_avg", want "fan_in" (or "") or "fan_out"`},
		{HeNormal{Nonlinearity: "gelu"}, 2, 2, `he_normal: model: invalid configuration: unsupported nonlinearity "gelu"`},
		{HeNormal{Gain: 2, Nonlinearity: "relu"}, 2, 2, "want Gain or Nonlinearity, not both"},
		{HeUniform{Nonlinearity: "relu", NegativeSlope: 0.2}, 2, 2, `he_uniform NegativeSlope = 0.2 applies to leaky_relu only, Nonlinearity = "relu"`},
		{HeUniform{Gain: math.NaN()}, 2, 2, "he_uniform Gain = NaN"},
		{HeNormal{Mode: "fan_out"}, 2, 0, "he_normal: FanOut = 0, want ≥ 1"},
		{LeCunNormal{}, 0, 2, "lecun_normal: FanIn = 0, want ≥ 1"},
		{TorchLinear{}, 0, 2, "torch_linear: FanIn = 0, want ≥ 1"},
	} {
		net := Func(func(s *Scope, x *G.Node) (*G.Node, error) {
			if _, err := s.Param(ParamSpec{Name: "p", Shape: []int{2, 2}, Init: c.init, FanIn: c.fanIn, FanOut: c.fanOut}); err != nil {
				return nil, err
			}
			return x, nil
		})
		_, err := New(net, Config{Inputs: 1, Dtype: tensor.Float64})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "parameter p") {
			t.Errorf("%#v: error = %v, want ErrConfig for parameter p saying %q", c.init, err, c.says)
		}
		// Init alone (no Validate) marks the values as unusable.
		v := []float64{7}
		c.init.Init(v, c.fanIn, c.fanOut, rand.New(rand.NewPCG(1, 1)))
		if !math.IsNaN(v[0]) {
			t.Errorf("%#v.Init with an invalid setting wrote %v, want NaN", c.init, v[0])
		}
	}
}

// A user's initializer with its own Validate gets ErrConfig too.
type badInit struct{}

func (badInit) Init(dst []float64, _, _ int, _ *rand.Rand) { clear(dst) }
func (badInit) String() string                             { return "bad" }
func (badInit) Validate(_, _ int) error                    { return errors.New("bad init says no") }

func TestUserInitializerValidate(t *testing.T) {
	_, err := New(Linear{Out: 1, Init: badInit{}}, Config{Inputs: 1})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "linear/W") || !strings.Contains(err.Error(), "bad init says no") {
		t.Errorf("error = %v, want ErrConfig for linear/W with the initializer's message", err)
	}
}
