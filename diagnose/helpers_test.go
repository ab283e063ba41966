package diagnose

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/model"
)

var ctx = context.Background()

// torchFile mirrors testdata/torch/diagnose.json (gen_diagnose.py).
type torchFile struct {
	Generator  struct{ Script, Torch, Python string }
	LinregAdam linregCase `json:"linreg_adam"`
	LinregSGD  linregCase `json:"linreg_sgd"`
	Sigmoid10  struct {
		Inputs, Classes int
		Hidden          []int
		X               [][]float64
		Labels          []int
		Weights         [][][]float64 // torch layout (out, in)
		Biases          [][]float64
		Loss            float64
		ParamNames      []string  `json:"param_names"`
		GradNorms       []float64 `json:"grad_norms"`
		GradNorm        float64   `json:"grad_norm"`
		Overfit         struct {
			LR        float64
			Steps     int
			FinalLoss float64 `json:"final_loss"`
		}
		ScaledOut struct{ Factor, Loss float64 } `json:"scaled_out"`
	}
	Floors []struct {
		Loss           string
		Classes        int
		LabelSmoothing float64   `json:"label_smoothing"`
		ClassWeights   []float64 `json:"class_weights"`
		PosWeight      []float64 `json:"pos_weight"`
		Labels         []int
		Probs          [][]float64
		Floor, Chance  float64
	}
}

type linregCase struct {
	Optimizer string
	LR        float64
	X, Y      []float64
	W0, B0    float64
	Loss      []float64
	GradNormW []float64 `json:"grad_norm_w"`
	GradNormB []float64 `json:"grad_norm_b"`
	GradNorm  []float64 `json:"grad_norm"`
}

func loadTorch(t *testing.T) *torchFile {
	t.Helper()
	var f torchFile
	golden.Read(t, "diagnose.json", &f)
	if !strings.HasPrefix(f.Generator.Torch, "1.13") {
		t.Fatalf("diagnose.json made by torch %q, want 1.13", f.Generator.Torch)
	}
	return &f
}

// closeTo compares with a relative tolerance (absolute near 0).
func closeTo(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300)
}

// setParam copies vals (row-major in the parameter's shape) into m's
// parameter i.
func setParam(t *testing.T, m *model.Model, i int, vals []float64) {
	t.Helper()
	p := m.Params()[i]
	src, err := dense.FromFloat64(m.Dtype(), vals, p.Value.Shape()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := dense.CopyValues(p.Value, src); err != nil {
		t.Fatal(err)
	}
}

// transpose turns torch's (out, in) weight into gradtune's (in, out), flat.
func transpose(w [][]float64) []float64 {
	out := make([]float64, 0, len(w)*len(w[0]))
	for j := range w[0] {
		for i := range w {
			out = append(out, w[i][j])
		}
	}
	return out
}

// linregData builds the torch case's dataset (float64).
func linregData(t *testing.T, c linregCase) *data.Dataset {
	t.Helper()
	xs, ys := make([][]float64, len(c.X)), make([][]float64, len(c.X))
	for i := range c.X {
		xs[i], ys[i] = []float64{c.X[i]}, []float64{c.Y[i]}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// seedLinreg is README's seed data: X = rand(100, 1), y = 3X + rand(100, 1).
func seedLinreg(t *testing.T, dt tensor.Dtype) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([][]float64, 100), make([][]float64, 100)
	for i := range xs {
		x := rng.Float64()
		xs[i], ys[i] = []float64{x}, []float64{3*x + rng.Float64()}
	}
	ds, err := data.FromRows(xs, ys, dt)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// sigmoid10Model builds the torch case's network with its weights.
func sigmoid10Model(t *testing.T, f *torchFile) (*model.Model, *data.Dataset) {
	t.Helper()
	s := f.Sigmoid10
	m, err := model.New(model.MLP{Hidden: s.Hidden, Out: s.Classes, Activation: model.Sigmoid{}},
		model.Config{Inputs: s.Inputs, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	for l := range s.Weights {
		setParam(t, m, 2*l, transpose(s.Weights[l]))
		setParam(t, m, 2*l+1, s.Biases[l])
	}
	ds, err := data.FromLabels(s.X, s.Labels, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return m, ds
}

// kinds lists the diagnoses' kinds, in order.
func kinds(ds []Diagnosis) []Kind {
	var out []Kind
	for _, d := range ds {
		out = append(out, d.Kind)
	}
	return out
}

// find returns the first diagnosis of kind k.
func find(ds []Diagnosis, k Kind) (Diagnosis, bool) {
	for _, d := range ds {
		if d.Kind == k {
			return d, true
		}
	}
	return Diagnosis{}, false
}
