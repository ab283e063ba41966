package optimizers_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// trainLinear runs opt for the golden's 20 steps on the float64 linear model
// and returns W and b after the last step.
func trainLinear(t *testing.T, gf *optGolden, opt optimizers.Optimizer, lr float64) []float64 {
	t.Helper()
	s, err := opt.Solver(lr)
	if err != nil {
		t.Fatal(err)
	}
	l := newLinearGraph(t, tensor.Float64, gf)
	for range gf.Linear.Steps {
		l.step(t, s)
	}
	W, b := l.params()
	return append(W, b...)
}

// A zero field means torch's default: the zero config trains bit for bit as
// the config spelled out with the defaults read from torch's constructors.
// AdamW is the documented exception: its zero WeightDecay means 0, not
// torch's 0.01, so AdamW{} is exactly Adam{}.
func TestZeroValuesAreTorchDefaults(t *testing.T) {
	gf := loadGolden(t)
	for _, c := range []struct {
		name     string
		zero     optimizers.Optimizer
		override func(*hyper) // where we differ from torch on purpose
	}{
		{"sgd", optimizers.SGD{}, nil},
		{"adam", optimizers.Adam{}, nil},
		{"adamw", optimizers.AdamW{}, func(h *hyper) {
			if h.WeightDecay != 0.01 {
				t.Errorf("torch's AdamW weight_decay default = %v, the docs say 0.01", h.WeightDecay)
			}
			h.WeightDecay = 0
		}},
		{"rmsprop", optimizers.RMSProp{}, nil},
		{"adagrad", optimizers.AdaGrad{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, ok := gf.Defaults[c.name]
			if !ok {
				t.Fatalf("no torch defaults for %s", c.name)
			}
			if c.override != nil {
				c.override(&h)
			}
			const lr = 0.05
			got := trainLinear(t, gf, c.zero, lr)
			want := trainLinear(t, gf, optimizerFor(t, c.name, h), lr)
			if !slices.Equal(got, want) {
				t.Errorf("%v trains to %v, the torch defaults %+v to %v", c.zero, got, h, want)
			}
		})
	}
	if a, w := trainLinear(t, gf, optimizers.Adam{}, 0.05), trainLinear(t, gf, optimizers.AdamW{}, 0.05); !slices.Equal(a, w) {
		t.Errorf("AdamW{} trains to %v, Adam{} to %v, want the same", w, a)
	}
}

func TestSolverTypes(t *testing.T) {
	for _, c := range []struct {
		opt  optimizers.Optimizer
		want G.Solver
	}{
		{optimizers.SGD{}, &optimizers.SGDSolver{}},
		{optimizers.Adam{}, &optimizers.AdamSolver{}},
		{optimizers.AdamW{}, &optimizers.AdamSolver{}},
		{optimizers.RMSProp{}, &optimizers.RMSPropSolver{}},
		{optimizers.AdaGrad{}, &optimizers.AdaGradSolver{}},
	} {
		s, err := c.opt.Solver(0.1)
		if err != nil {
			t.Fatalf("%v: %v", c.opt, err)
		}
		if got, want := fmt.Sprintf("%T", s), fmt.Sprintf("%T", c.want); got != want {
			t.Errorf("%v.Solver gives %s, want %s", c.opt, got, want)
		}
		if lr := s.(interface{ LR() float64 }).LR(); lr != 0.1 {
			t.Errorf("%v: LR() = %v, want 0.1", c.opt, lr)
		}
	}
}

func TestInvalidSettings(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		opt  optimizers.Optimizer
		lr   float64
		want string // in the message: the field and its bad value
	}{
		{"lr 0", optimizers.SGD{}, 0, "lr = 0, want a finite value > 0"},
		{"lr negative", optimizers.Adam{}, -0.1, "lr = -0.1"},
		{"lr NaN", optimizers.RMSProp{}, nan, "lr = NaN"},
		{"lr Inf", optimizers.AdaGrad{}, inf, "lr = +Inf"},
		{"sgd momentum", optimizers.SGD{Momentum: -0.1}, 0.1, "sgd Momentum = -0.1, want a finite value ≥ 0"},
		{"sgd momentum NaN", optimizers.SGD{Momentum: nan}, 0.1, "sgd Momentum = NaN"},
		{"sgd dampening > 1", optimizers.SGD{Momentum: 0.9, Dampening: 1.5}, 0.1, "sgd Dampening = 1.5, want a value in [0, 1]"},
		{"sgd dampening < 0", optimizers.SGD{Momentum: 0.9, Dampening: -0.5}, 0.1, "sgd Dampening = -0.5"},
		{"sgd weight decay", optimizers.SGD{WeightDecay: -1}, 0.1, "sgd WeightDecay = -1, want a finite value ≥ 0"},
		{"sgd nesterov no momentum", optimizers.SGD{Nesterov: true}, 0.1, "sgd Nesterov = true with Momentum = 0 and Dampening = 0, want Momentum > 0 and Dampening = 0"},
		{"sgd nesterov dampening", optimizers.SGD{Nesterov: true, Momentum: 0.9, Dampening: 0.1}, 0.1, "Dampening = 0.1, want Momentum > 0 and Dampening = 0"},
		{"adam beta1 1", optimizers.Adam{Beta1: 1}, 0.1, "adam Beta1 = 1, want a value in [0, 1)"},
		{"adam beta1 negative", optimizers.Adam{Beta1: -0.5}, 0.1, "adam Beta1 = -0.5"},
		{"adam beta2 1", optimizers.Adam{Beta2: 1}, 0.1, "adam Beta2 = 1, want a value in [0, 1)"},
		{"adam eps negative", optimizers.Adam{Eps: -1e-8}, 0.1, "adam Eps = -1e-08, want a finite value > 0"},
		{"adam eps Inf", optimizers.Adam{Eps: inf}, 0.1, "adam Eps = +Inf"},
		{"adam weight decay", optimizers.Adam{WeightDecay: -0.01}, 0.1, "adam WeightDecay = -0.01, want a finite value ≥ 0"},
		{"adamw beta2 NaN", optimizers.AdamW{Beta2: nan}, 0.1, "adamw Beta2 = NaN"},
		{"adamw weight decay", optimizers.AdamW{WeightDecay: -0.01}, 0.1, "adamw WeightDecay = -0.01"},
		{"rmsprop alpha 1", optimizers.RMSProp{Alpha: 1}, 0.1, "rmsprop Alpha = 1, want a value in [0, 1)"},
		{"rmsprop alpha negative", optimizers.RMSProp{Alpha: -0.9}, 0.1, "rmsprop Alpha = -0.9"},
		{"rmsprop eps", optimizers.RMSProp{Eps: -1}, 0.1, "rmsprop Eps = -1, want a finite value > 0"},
		{"rmsprop momentum", optimizers.RMSProp{Momentum: -0.9}, 0.1, "rmsprop Momentum = -0.9, want a finite value ≥ 0"},
		{"rmsprop weight decay", optimizers.RMSProp{WeightDecay: inf}, 0.1, "rmsprop WeightDecay = +Inf"},
		{"adagrad lr decay", optimizers.AdaGrad{LRDecay: -0.01}, 0.1, "adagrad LRDecay = -0.01, want a finite value ≥ 0"},
		{"adagrad weight decay", optimizers.AdaGrad{WeightDecay: -0.1}, 0.1, "adagrad WeightDecay = -0.1"},
		{"adagrad initial accumulator", optimizers.AdaGrad{InitialAccumulatorValue: -0.1}, 0.1, "adagrad InitialAccumulatorValue = -0.1, want a finite value ≥ 0"},
		{"adagrad eps", optimizers.AdaGrad{Eps: -1e-10}, 0.1, "adagrad Eps = -1e-10, want a finite value > 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.opt.Solver(c.lr)
			if !errors.Is(err, optimizers.ErrConfig) {
				t.Fatalf("Solver(%v) = %v, %v; want an error wrapping ErrConfig", c.lr, s, err)
			}
			if s != nil {
				t.Errorf("Solver returned %v with its error, want nil", s)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// The edges of each range are accepted.
func TestEdgeSettingsAccepted(t *testing.T) {
	for _, opt := range []optimizers.Optimizer{
		optimizers.SGD{Momentum: 0.9, Dampening: 1},
		optimizers.SGD{Momentum: 1e-9, Nesterov: true},
		optimizers.Adam{Beta1: 0.999999, Beta2: 1e-300, Eps: 1e-300, AMSGrad: true},
		optimizers.AdamW{WeightDecay: 10},
		optimizers.RMSProp{Alpha: 1e-9, Momentum: 5, Centered: true},
		optimizers.AdaGrad{LRDecay: 1e6, InitialAccumulatorValue: 1e-300},
	} {
		if _, err := opt.Solver(1e-300); err != nil {
			t.Errorf("%v: %v", opt, err)
		}
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		opt  optimizers.Optimizer
		want string
	}{
		{optimizers.SGD{}, "sgd(momentum=0, dampening=0, nesterov=false, weight_decay=0)"},
		{optimizers.SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4}, "sgd(momentum=0.9, dampening=0, nesterov=true, weight_decay=0.0001)"},
		{optimizers.Adam{}, "adam(beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0, amsgrad=false)"},
		{optimizers.AdamW{WeightDecay: 0.01, AMSGrad: true}, "adamw(beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01, amsgrad=true)"},
		{optimizers.RMSProp{Centered: true}, "rmsprop(alpha=0.99, eps=1e-08, momentum=0, centered=true, weight_decay=0)"},
		{optimizers.AdaGrad{LRDecay: 0.01}, "adagrad(lr_decay=0.01, weight_decay=0, initial_accumulator_value=0, eps=1e-10)"},
	} {
		if got := c.opt.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}
