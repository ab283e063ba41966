package losses

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/rowmajor"
)

// evalMean builds Mean(loss) over pred and target in dtype dt and returns the
// per-sample losses, the mean and d mean / d pred.
func evalMean(t *testing.T, l Loss, pred, target [][]float64, dt tensor.Dtype) (perSample []float64, mean float64, grad []float64) {
	t.Helper()
	g := G.NewGraph()
	r, c := len(pred), len(pred[0])
	pv, err := dense.FromFloat64(dt, golden.Flat(pred), r, c)
	if err != nil {
		t.Fatal(err)
	}
	tv, err := dense.FromFloat64(dt, golden.Flat(target), r, len(target[0]))
	if err != nil {
		t.Fatal(err)
	}
	p := G.NewMatrix(g, dt, G.WithShape(r, c), G.WithName("pred"), G.WithValue(pv))
	y := G.NewMatrix(g, dt, G.WithShape(r, len(target[0])), G.WithName("target"), G.WithValue(tv))
	ps, err := l.PerSample(p, y)
	if err != nil {
		t.Fatal(err)
	}
	m, err := G.Mean(ps)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(m, p); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(p))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := p.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return dense.Float64s(ps.Value()), dense.Scalar(m.Value()), dense.Float64s(gv)
}

func oneHot(labels []int, classes int) [][]float64 {
	out := make([][]float64, len(labels))
	for i, l := range labels {
		out[i] = make([]float64, classes)
		out[i][l] = 1
	}
	return out
}

func near(a, b, rel float64) bool {
	return a == b || math.Abs(a-b) <= rel*math.Max(math.Max(math.Abs(a), math.Abs(b)), 1e-3)
}

func assertNear(t *testing.T, what string, got, want []float64, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i], rel) {
			t.Errorf("%s[%d] = %.17g, want %.17g (torch)", what, i, got[i], want[i])
		}
	}
}

// Tolerances: float64 agrees with torch to rounding; float32 to its epsilon.
var dtypes = []struct {
	dt  tensor.Dtype
	rel float64
}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-5}}

func TestMSEMatchesTorch(t *testing.T) {
	gf := golden.Load(t)
	for _, c := range gf.MSE {
		for _, d := range dtypes {
			t.Run(c.Name+"/"+d.dt.String(), func(t *testing.T) {
				_, mean, grad := evalMean(t, MSE{}, c.Pred, c.Target, d.dt)
				assertNear(t, "loss", []float64{mean}, []float64{c.Loss}, d.rel)
				assertNear(t, "grad", grad, golden.Flat(c.GradPred), d.rel)
			})
		}
	}
}

func TestCrossEntropyMatchesTorch(t *testing.T) {
	gf := golden.Load(t)
	for _, c := range gf.CrossEntropy {
		for _, d := range dtypes {
			t.Run(c.Name+"/"+d.dt.String(), func(t *testing.T) {
				ps, mean, grad := evalMean(t, CrossEntropy{}, c.Logits, oneHot(c.Labels, len(c.Logits[0])), d.dt)
				assertNear(t, "loss", []float64{mean}, []float64{c.Loss}, d.rel)
				assertNear(t, "per_sample", ps, c.PerSample, d.rel)
				assertNear(t, "grad", grad, golden.Flat(c.GradLogits), d.rel)
			})
		}
	}
}

// The stability check, stated directly, alone and in a batch whose
// rows' maxima differ (Gorgonia's own LogSoftMax gives +Inf for the second).
func TestCrossEntropyStableAtLargeLogits(t *testing.T) {
	for _, d := range dtypes {
		for label, want := range []float64{0, 1000} {
			ps, _, grad := evalMean(t, CrossEntropy{}, [][]float64{{1000, 0}}, oneHot([]int{label}, 2), d.dt)
			if ps[0] != want {
				t.Errorf("%v: CE([1000, 0], label %d) = %v, want %v", d.dt, label, ps[0], want)
			}
			for _, g := range grad {
				if math.IsNaN(g) || math.IsInf(g, 0) {
					t.Errorf("%v: gradient %v not finite", d.dt, grad)
				}
			}
		}
		ps, _, grad := evalMean(t, CrossEntropy{}, [][]float64{{1000, 0}, {0, 0}, {0, 1000}}, oneHot([]int{1, 0, 1}, 2), d.dt)
		wantPS := []float64{1000, math.Ln2, 0}
		wantGrad := []float64{1.0 / 3, -1.0 / 3, -1.0 / 6, 1.0 / 6, 0, 0}
		assertNear(t, d.dt.String()+" batch per_sample", ps, wantPS, d.rel)
		assertNear(t, d.dt.String()+" batch grad", grad, wantGrad, d.rel)
	}
}

func TestCrossEntropyEncodeTargets(t *testing.T) {
	got, err := CrossEntropy{}.EncodeTargets(rowmajor.Matrix{Rows: 2, Cols: 1, Data: []float64{2, 0}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0, 1, 1, 0, 0}
	for i := range want {
		if got.Data[i] != want[i] {
			t.Fatalf("one-hot = %v, want %v", got.Data, want)
		}
	}
	for _, bad := range []struct {
		y       []float64
		k, outs int
	}{
		{[]float64{3}, 1, 3},    // label = classes
		{[]float64{-1}, 1, 3},   // negative
		{[]float64{1.5}, 1, 3},  // not an integer
		{[]float64{0, 1}, 2, 3}, // two target columns
		{[]float64{0}, 1, 1},    // one class
		{[]float64{math.NaN()}, 1, 3},
	} {
		if _, err := (CrossEntropy{}).EncodeTargets(rowmajor.Matrix{Rows: 1, Cols: bad.k, Data: bad.y}, bad.outs); !errors.Is(err, ErrTarget) {
			t.Errorf("EncodeTargets(%v, k=%d, outputs=%d) error = %v, want ErrTarget", bad.y, bad.k, bad.outs, err)
		}
	}
}

func TestMSERejectsWrongTargetWidth(t *testing.T) {
	if _, err := (MSE{}).EncodeTargets(rowmajor.Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}}, 1); !errors.Is(err, ErrTarget) {
		t.Fatalf("error = %v, want ErrTarget", err)
	}
}

func allLosses() []Loss {
	return []Loss{MSE{}, MAE{}, Huber{}, SmoothL1{}, BCE{}, BCEWithLogits{}, CrossEntropy{}, NLL{},
		CrossEntropy{ClassWeights: []float64{1, 2, 3}}, NLL{ClassWeights: []float64{1, 2, 3}}, BCEWithLogits{PosWeight: []float64{1, 2, 3}}}
}

func TestPerSampleRejectsMismatchedShapes(t *testing.T) {
	g := G.NewGraph()
	p := G.NewMatrix(g, G.Float64, G.WithShape(4, 3), G.WithName("p"))
	y := G.NewMatrix(g, G.Float64, G.WithShape(4, 2), G.WithName("y"))
	for _, l := range allLosses() {
		if _, err := l.PerSample(p, y); !errors.Is(err, ErrTarget) {
			t.Errorf("%v: error = %v, want ErrTarget", l, err)
		}
	}
}
