package model

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/golden"
)

// activationsFile mirrors testdata/torch/activations.json, written by
// testdata/torch/gen_activations.py.
type activationsFile struct {
	Generator struct{ Script, Torch string }
	Inputs    []float64
	Upstream  []float64
	// Each activation's forward values and gradients of sum(y ⊙ upstream)
	// at Inputs, in both dtypes.
	Activations []struct {
		Name             string
		Params           map[string]any
		Inputs           []float64 // if set, instead of the shared Inputs
		Float64, Float32 struct{ Forward, Grad []float64 }
	}
	Gains []struct {
		Nonlinearity string
		Param, Gain  float64
	}
	// The distribution torch.nn.init draws from: (Low, High) for uniform
	// ones, (Mean, Std) for normal ones.
	Inits []struct {
		Name                 string
		Params               map[string]any
		FanIn                int `json:"fan_in"`
		FanOut               int `json:"fan_out"`
		Low, High, Mean, Std *float64
	}
	Sequential struct {
		X, Upstream, W1, W2, Out [][]float64
		B1, B2                   []float64
		GradW1                   [][]float64 `json:"grad_w1"`
		GradW2                   [][]float64 `json:"grad_w2"`
		GradB1                   []float64   `json:"grad_b1"`
		GradB2                   []float64   `json:"grad_b2"`
	}
}

func loadActivations(t *testing.T) *activationsFile {
	t.Helper()
	var f activationsFile
	golden.Read(t, "activations.json", &f)
	if f.Generator.Script != "testdata/torch/gen_activations.py" || f.Generator.Torch == "" {
		t.Fatalf("activations.json generator = %+v", f.Generator)
	}
	return &f
}

// tolerance is the house rule: 1e-9 relative in float64, 1e-5 in float32.
func tolerance(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return 1e-5
	}
	return 1e-9
}

// relErr is |got − want| / |want|; an expected 0 must be met exactly (either
// sign), since a relative error to 0 means nothing.
func relErr(got, want float64) float64 {
	if want == 0 {
		if got == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// compare checks got against want elementwise at tol and returns the worst
// relative error.
func compare(t *testing.T, what string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		e := relErr(got[i], want[i])
		worst = max(worst, e)
		if !(e <= tol) {
			t.Errorf("%s[%d] = %v, want %v (relative error %.3g > %g)", what, i, got[i], want[i], e, tol)
		}
	}
	return worst
}
