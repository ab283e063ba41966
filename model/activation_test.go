package model

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
)

// goldenKey names a golden case: its name and sorted params.
func goldenKey(name string, params map[string]any) string {
	var kv []string
	for k, v := range params {
		kv = append(kv, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(kv)
	return strings.Join(append([]string{name}, kv...), " ")
}

// activationForward builds act on x (3, 5) = values, with loss
// sum(act(x) ⊙ upstream), and returns act(x) and dloss/dx. The tape machine
// runs twice: the second run writes into the buffers of the first
// (UsePreallocDo), and both must agree.
func activationForward(t *testing.T, act Activation, dt tensor.Dtype, values, upstream []float64) (y, grad []float64) {
	t.Helper()
	err := gerr.Do("test", func() error {
		g := G.NewGraph()
		xv, err := dense.FromFloat64(dt, values, 3, 5)
		if err != nil {
			return err
		}
		uv, err := dense.FromFloat64(dt, upstream, 3, 5)
		if err != nil {
			return err
		}
		x := G.NewMatrix(g, dt, G.WithShape(3, 5), G.WithName("x"), G.WithValue(xv))
		u := G.NewMatrix(g, dt, G.WithShape(3, 5), G.WithName("u"), G.WithValue(uv))
		out, err := act.Apply(x)
		if err != nil {
			return err
		}
		var yVal G.Value
		G.Read(out, &yVal)
		prod, err := G.HadamardProd(out, u)
		if err != nil {
			return err
		}
		cost, err := G.Sum(prod)
		if err != nil {
			return err
		}
		if _, err := G.Grad(cost, x); err != nil {
			return err
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(x))
		defer vm.Close()
		for run := range 2 {
			if err := vm.RunAll(); err != nil {
				return err
			}
			gv, err := x.Grad()
			if err != nil {
				return err
			}
			ry, rg := dense.Float64s(yVal), dense.Float64s(gv)
			if run == 1 {
				for i := range y {
					// Bitwise: NaN would fail too.
					if math.Float64bits(ry[i]) != math.Float64bits(y[i]) || math.Float64bits(rg[i]) != math.Float64bits(grad[i]) {
						return fmt.Errorf("run 2 [%d]: y %v grad %v, run 1: %v %v", i, ry[i], rg[i], y[i], grad[i])
					}
				}
			}
			y, grad = ry, rg
			vm.Reset()
			// Gradients accumulate across runs: zero x's before the next.
			if d, ok := gv.(*tensor.Dense); ok {
				d.Zero()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%v %v: %v", act, dt, err)
	}
	return y, grad
}

var goldenActivations = map[string]Activation{
	"relu":                         ReLU{},
	"leaky_relu":                   LeakyReLU{},
	"leaky_relu slope=0.2":         LeakyReLU{Slope: 0.2},
	"elu":                          ELU{},
	"elu alpha=0.5":                ELU{Alpha: 0.5},
	"tanh":                         Tanh{},
	"sigmoid":                      Sigmoid{},
	"softplus":                     Softplus{},
	"softplus beta=2 threshold=10": Softplus{Beta: 2, Threshold: 10},
	"gelu":                         GELU{},
	"gelu approximate=tanh":        GELU{Approximate: "tanh"},
	"identity":                     Identity{},
}

// Forward values and gradients match torch.nn.functional on inputs from
// −100 to 100, in float64 (1e-9) and float32 (1e-5), and are all finite.
func TestActivationsMatchTorch(t *testing.T) {
	f := loadActivations(t)
	seen := map[string]bool{}
	worst := map[tensor.Dtype]float64{}
	for _, c := range f.Activations {
		key := goldenKey(c.Name, c.Params)
		act, ok := goldenActivations[key]
		if !ok {
			t.Errorf("golden case %q has no Go activation in the table", key)
			continue
		}
		seen[key] = true
		inputs := f.Inputs
		if c.Inputs != nil {
			inputs = c.Inputs
			key += " (extra inputs)"
		}
		for _, d := range []struct {
			dt   tensor.Dtype
			want struct{ Forward, Grad []float64 }
		}{{tensor.Float64, c.Float64}, {tensor.Float32, c.Float32}} {
			t.Run(key+"/"+d.dt.String(), func(t *testing.T) {
				y, grad := activationForward(t, act, d.dt, inputs, f.Upstream)
				tol := tolerance(d.dt)
				if d.dt == tensor.Float64 {
					worst[d.dt] = max(worst[d.dt], compare(t, "forward", y, d.want.Forward, tol), compare(t, "grad", grad, d.want.Grad, tol))
				} else {
					worst[d.dt] = max(worst[d.dt], compare32(t, "forward", inputs, y, d.want.Forward, c.Float64.Forward),
						compare32(t, "grad", inputs, grad, d.want.Grad, c.Float64.Grad))
				}
				for i := range y {
					if !finite(y[i]) || !finite(grad[i]) {
						t.Errorf("x = %v: y = %v, grad = %v, want finite", inputs[i], y[i], grad[i])
					}
				}
			})
		}
	}
	for key := range goldenActivations {
		if !seen[key] {
			t.Errorf("table case %q is not in activations.json", key)
		}
	}
	t.Logf("worst relative error vs torch: float64 %.3g, float32 %.3g", worst[tensor.Float64], worst[tensor.Float32])
}

// compare32 checks float32 results against torch's float32 values at 1e-5.
// Where a formula cancels, torch's float32 erf/exp (SLEEF, up to 1 ulp off)
// and ours (float64, rounded) can round differently by more than that: at
// x = −3, 1 + erf(x/√2) ≈ 0.0027 turns one ulp of erf into 2e-5 relative.
// There we accept a value within 1e-5 of torch's float64 result, the
// better-rounded answer, and log it. It returns the worst error against
// torch's float32 values among the points that met them.
func compare32(t *testing.T, what string, xs, got, want32, want64 []float64) float64 {
	t.Helper()
	worst := 0.0
	for i := range want32 {
		e := relErr(got[i], want32[i])
		if e <= 1e-5 {
			worst = max(worst, e)
			continue
		}
		if e64 := relErr(got[i], want64[i]); e64 <= 1e-5 {
			t.Logf("%s at x = %v: %v is %.2g from torch float32 %v but %.2g from torch float64 %v", what, xs[i], got[i], e, want32[i], e64, want64[i])
			continue
		}
		t.Errorf("%s[%d] (x = %v) = %v, want %v (relative error %.3g > 1e-5; float64 %v)", what, i, xs[i], got[i], want32[i], e, want64[i])
	}
	return worst
}

// The stability cases spelled out (they are also in the golden file).
func TestActivationsStableAtLargeInputs(t *testing.T) {
	xs := []float64{-100, 100, -1000, 1000}
	ones := []float64{1, 1, 1, 1}
	for _, c := range []struct {
		act  Activation
		dt   tensor.Dtype
		want []float64 // forward at xs
	}{
		{Softplus{}, tensor.Float64, []float64{math.Log1p(math.Exp(-100)), 100, 0, 1000}},
		{Softplus{}, tensor.Float32, []float64{float64(float32(math.Log1p(float64(float32(math.Exp(-100)))))), 100, 0, 1000}},
		{Sigmoid{}, tensor.Float64, []float64{1 / (1 + math.Exp(100)), 1, 0, 1}},
		{Sigmoid{}, tensor.Float32, []float64{0, 1, 0, 1}},
		{ELU{}, tensor.Float64, []float64{-1, 100, -1, 1000}},
		{GELU{}, tensor.Float64, []float64{0, 100, 0, 1000}},
		{GELU{Approximate: "tanh"}, tensor.Float32, []float64{0, 100, 0, 1000}},
		{Tanh{}, tensor.Float32, []float64{-1, 1, -1, 1}},
	} {
		t.Run(c.act.String()+"/"+c.dt.String(), func(t *testing.T) {
			// Pad to the (3, 5) shape activationForward uses.
			in := append(append([]float64{}, xs...), make([]float64, 11)...)
			up := append(append([]float64{}, ones...), make([]float64, 11)...)
			y, grad := activationForward(t, c.act, c.dt, in, up)
			compare(t, "forward", y[:4], c.want, 0)
			for i := range 4 {
				if !finite(grad[i]) {
					t.Errorf("x = %v: gradient %v, want finite", xs[i], grad[i])
				}
			}
		})
	}
	// σ(−100) must be a positive number in float64, not a rounded 0.
	y, _ := activationForward(t, Sigmoid{}, tensor.Float64, append([]float64{-100}, make([]float64, 14)...), make([]float64, 15))
	if !(y[0] > 0) {
		t.Errorf("sigmoid(-100) = %v, want > 0", y[0])
	}
}

// Two activations that differ only in a parameter must stay two nodes:
// Gorgonia merges nodes whose op hashes and inputs are equal.
func TestActivationParamsAreHashed(t *testing.T) {
	in := []float64{-1, -2, -3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	up := make([]float64, 15)
	a, _ := activationForward(t, LeakyReLU{Slope: 0.1}, tensor.Float64, in, up)
	b, _ := activationForward(t, LeakyReLU{Slope: 0.2}, tensor.Float64, in, up)
	if a[0] != -0.1 || b[0] != -0.2 {
		t.Fatalf("leaky_relu(-1) = %v and %v, want -0.1 and -0.2", a[0], b[0])
	}
	err := gerr.Do("test", func() error {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{-1, 1}))))
		y1, err := LeakyReLU{Slope: 0.1}.Apply(x)
		if err != nil {
			return err
		}
		y2, err := LeakyReLU{Slope: 0.2}.Apply(x)
		if err != nil {
			return err
		}
		if y1 == y2 {
			return errors.New("slopes 0.1 and 0.2 gave one node")
		}
		if y3, _ := (LeakyReLU{Slope: 0.1}).Apply(x); y3 != y1 {
			return errors.New("the same activation twice gave two nodes; want Gorgonia's usual deduplication")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestActivationByName(t *testing.T) {
	for _, c := range []struct {
		name string
		want Activation
	}{
		{"relu", ReLU{}}, {"leaky_relu", LeakyReLU{}}, {"elu", ELU{}}, {"tanh", Tanh{}},
		{"sigmoid", Sigmoid{}}, {"softplus", Softplus{}}, {"gelu", GELU{}},
		{"gelu_tanh", GELU{Approximate: "tanh"}}, {"identity", Identity{}},
	} {
		got, err := ActivationByName(c.name)
		if err != nil || got != c.want || got.String() != c.name {
			t.Errorf("ActivationByName(%q) = %v (%q), %v; want %#v named %q", c.name, got, got, err, c.want, c.name)
		}
	}
	_, err := ActivationByName("swish")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"swish"`) || !strings.Contains(err.Error(), "leaky_relu") {
		t.Errorf("swish: error = %v, want ErrConfig naming it and listing the known names", err)
	}
}

func TestActivationStrings(t *testing.T) {
	for _, c := range []struct {
		act  Activation
		want string
	}{
		{LeakyReLU{Slope: 0.2}, "leaky_relu(slope=0.2)"},
		{ELU{Alpha: 0.5}, "elu(alpha=0.5)"},
		{Softplus{Beta: 2}, "softplus(beta=2, threshold=20)"},
		{GELU{Approximate: "none"}, "gelu"},
	} {
		if got := c.act.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.act, got, c.want)
		}
	}
}

func TestActivationParamErrors(t *testing.T) {
	for _, c := range []struct {
		act  Activation
		says string
	}{
		{LeakyReLU{Slope: math.NaN()}, "LeakyReLU Slope = NaN, want a finite value"},
		{LeakyReLU{Slope: math.Inf(-1)}, "LeakyReLU Slope = -Inf"},
		{ELU{Alpha: -1}, "ELU Alpha = -1, want a finite value > 0"},
		{ELU{Alpha: math.Inf(1)}, "ELU Alpha = +Inf"},
		{Softplus{Beta: -2}, "Softplus Beta = -2, want a finite value > 0"},
		{Softplus{Threshold: math.NaN()}, "Softplus Threshold = NaN"},
		{GELU{Approximate: "fast"}, `GELU Approximate = "fast"`},
	} {
		_, err := New(Sequential{Layers: []Layer{Act{c.act}}}, Config{Inputs: 2})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%#v: error = %v, want ErrConfig saying %q", c.act, err, c.says)
		}
	}
}
