package losses

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/rowmajor"
)

// lossCase is one case of testdata/torch/losses.json (gen_losses.py).
type lossCase struct {
	Loss, Name string
	Config     struct {
		Delta, Beta    float64
		LabelSmoothing float64   `json:"label_smoothing"`
		PosWeight      []float64 `json:"pos_weight"`
		ClassWeights   []float64 `json:"class_weights"`
	}
	Pred, Target [][]float64
	Cotangent    []float64
	Reductions   map[string]struct {
		Value []float64
		Grad  [][]float64
	}
}

type lossFile struct {
	Generator struct{ Script, Torch, Python string }
	Cases     []lossCase
}

func loadCases(t *testing.T) []lossCase {
	t.Helper()
	var f lossFile
	golden.Read(t, "losses.json", &f)
	if len(f.Cases) == 0 || f.Generator.Torch == "" {
		t.Fatalf("losses.json: %d cases, generator %+v", len(f.Cases), f.Generator)
	}
	return f.Cases
}

// loss builds the gradtune loss of a case from its name and settings.
func (c lossCase) loss(t *testing.T) Loss {
	t.Helper()
	cfg := c.Config
	switch c.Loss {
	case "mse":
		return MSE{}
	case "mae":
		return MAE{}
	case "huber":
		return Huber{Delta: cfg.Delta}
	case "smooth_l1":
		return SmoothL1{Beta: cfg.Beta}
	case "bce":
		return BCE{}
	case "bce_with_logits":
		return BCEWithLogits{PosWeight: cfg.PosWeight}
	case "cross_entropy":
		return CrossEntropy{LabelSmoothing: cfg.LabelSmoothing, ClassWeights: cfg.ClassWeights}
	case "nll":
		return NLL{ClassWeights: cfg.ClassWeights}
	}
	t.Fatalf("unknown loss %q", c.Loss)
	return nil
}

var reductions = []struct {
	r    Reduction
	name string
}{{Mean, "mean"}, {Sum, "sum"}, {None, "none"}}

// evaluated holds what one graph gave for one case and reduction.
type evaluated struct {
	value     []float64 // Reduce(l, pred, target, r)
	grad      []float64 // d value / d pred; for None, d Σ_i v_i·value_i / d pred
	perSample []float64 // l.PerSample
	weights   []float64 // l.SampleWeights, or nil
}

// eval encodes the case's raw targets with l.EncodeTargets and runs
// Reduce(l, pred, target, r) on a fresh graph of dtype dt.
func eval(t *testing.T, l Loss, c lossCase, r Reduction, dt tensor.Dtype) evaluated {
	t.Helper()
	n, outputs, k := len(c.Pred), len(c.Pred[0]), len(c.Target[0])
	enc, err := l.EncodeTargets(rowmajor.Matrix{Rows: n, Cols: k, Data: golden.Flat(c.Target)}, outputs)
	if err != nil {
		t.Fatalf("EncodeTargets: %v", err)
	}
	width := l.TargetWidth(outputs)
	g := G.NewGraph()
	p := matrix(t, g, dt, "pred", golden.Flat(c.Pred), n, outputs)
	y := matrix(t, g, dt, "target", enc.Data, n, width)
	out, err := Reduce(l, p, y, r)
	if err != nil {
		t.Fatalf("Reduce: %v", err)
	}
	cost := out
	if r == None {
		v := G.NewVector(g, dt, G.WithShape(n), G.WithName("cotangent"), G.WithValue(tensorOf(t, dt, c.Cotangent, n)))
		if cost, err = G.HadamardProd(out, v); err == nil {
			cost, err = G.Sum(cost)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	ps, err := l.PerSample(p, y)
	if err != nil {
		t.Fatalf("PerSample: %v", err)
	}
	var e evaluated
	var outV, psV, cV G.Value
	G.Read(out, &outV)
	G.Read(ps, &psV)
	if sw, ok := l.(SampleWeighter); ok {
		cw, err := sw.SampleWeights(y)
		if err != nil {
			t.Fatalf("SampleWeights: %v", err)
		}
		G.Read(cw, &cV)
	}
	if _, err := G.Grad(cost, p); err != nil {
		t.Fatalf("Grad: %v", err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(p))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	gv, err := p.Grad()
	if err != nil {
		t.Fatal(err)
	}
	e.value, e.perSample, e.grad = dense.Float64s(outV), dense.Float64s(psV), dense.Float64s(gv)
	if cV != nil {
		e.weights = dense.Float64s(cV)
	}
	return e
}

func tensorOf(t *testing.T, dt tensor.Dtype, vals []float64, shape ...int) *tensor.Dense {
	t.Helper()
	v, err := dense.FromFloat64(dt, vals, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func matrix(t *testing.T, g *G.ExprGraph, dt tensor.Dtype, name string, vals []float64, r, c int) *G.Node {
	t.Helper()
	return G.NewMatrix(g, dt, G.WithShape(r, c), G.WithName(name), G.WithValue(tensorOf(t, dt, vals, r, c)))
}

// tolerance: |got − want| ≤ rel·|want| + floor·max_j |want_j|. The floor is
// 0 in float64; in float32 it bounds the absolute error of small elements
// next to large ones (inputs and sums rounded to float32).
type tolerance struct{ rel, floor float64 }

var dtypeTols = []struct {
	dt  tensor.Dtype
	tol tolerance
}{{tensor.Float64, tolerance{1e-9, 0}}, {tensor.Float32, tolerance{1e-5, 1e-6}}}

// worst returns the largest error of got against want relative to the
// tolerance (≤ 1 passes), and a description of that element.
func (tl tolerance) worst(got, want []float64) (float64, string) {
	if len(got) != len(want) {
		return math.Inf(1), fmt.Sprintf("%d values, want %d", len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	worst, at := 0.0, ""
	for i := range got {
		if got[i] == want[i] {
			continue
		}
		allowed := tl.rel*math.Abs(want[i]) + tl.floor*scale
		r := math.Abs(got[i]-want[i]) / allowed
		if math.IsNaN(r) || allowed == 0 {
			r = math.Inf(1)
		}
		if r > worst {
			worst, at = r, fmt.Sprintf("[%d] = %.17g, want %.17g", i, got[i], want[i])
		}
	}
	return worst, at
}

func (tl tolerance) check(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if w, at := tl.worst(got, want); w > 1 {
		t.Errorf("%s%s (torch): %.3g × tolerance", what, at, w)
	}
}
