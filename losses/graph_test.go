package losses

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/rowmajor"
)

// BCE on a "probability" outside [0, 1] fails the run, as torch raises,
// rather than returning NaN.
func TestBCEPredictionOutsideDomain(t *testing.T) {
	for _, p := range []float64{1.5, -0.25, math.NaN()} {
		for _, d := range dtypeTols {
			g := G.NewGraph()
			pn := matrix(t, g, d.dt, "p", []float64{0.5, p}, 1, 2)
			yn := matrix(t, g, d.dt, "y", []float64{1, 0}, 1, 2)
			out, err := Reduce(BCE{}, pn, yn, Mean)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(out, pn); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g, G.BindDualValues(pn))
			err = vm.RunAll()
			vm.Close()
			// Gorgonia's TapeMachine error has no Unwrap; its Err() does.
			var inner interface{ Err() error }
			if errors.As(err, &inner) {
				err = inner.Err()
			}
			if !errors.Is(err, ErrPrediction) {
				t.Errorf("%v p = %v: RunAll error = %v, want ErrPrediction", d.dt, p, err)
			}
		}
	}
}

func TestReduceErrors(t *testing.T) {
	g := G.NewGraph()
	p := G.NewMatrix(g, G.Float64, G.WithShape(4, 3), G.WithName("p"))
	y := G.NewMatrix(g, G.Float64, G.WithShape(4, 3), G.WithName("y"))
	y32 := G.NewMatrix(g, G.Float32, G.WithShape(4, 3), G.WithName("y32"))
	narrow := G.NewMatrix(g, G.Float64, G.WithShape(4, 2), G.WithName("narrow"))
	short := G.NewMatrix(g, G.Float64, G.WithShape(3, 3), G.WithName("short"))
	vec := G.NewVector(g, G.Float64, G.WithShape(4), G.WithName("vec"))
	for _, c := range []struct {
		name         string
		l            Loss
		pred, target *G.Node
		r            Reduction
		want         error
	}{
		{"nil loss", nil, p, y, Mean, ErrConfig},
		{"unknown reduction", MSE{}, p, y, Reduction(3), ErrConfig},
		{"negative reduction", MSE{}, p, y, Reduction(-1), ErrConfig},
		{"mixed dtypes", MAE{}, p, y32, Sum, ErrTarget},
		{"vector pred", Huber{}, vec, y, Mean, ErrTarget},
		{"ce weights without flag column", CrossEntropy{ClassWeights: []float64{1, 1, 1}}, p, y, Mean, ErrTarget},
	} {
		if _, err := Reduce(c.l, c.pred, c.target, c.r); !errors.Is(err, c.want) {
			t.Errorf("%s: error = %v, want %v", c.name, err, c.want)
		}
	}
	for _, l := range allLosses() {
		for _, bad := range []*G.Node{narrow, short, vec} {
			if _, err := Reduce(l, p, bad, None); !errors.Is(err, ErrTarget) {
				t.Errorf("%v with target %v: error = %v, want ErrTarget", l, bad.Shape(), err)
			}
		}
	}
}

func TestReductionString(t *testing.T) {
	for r, want := range map[Reduction]string{Mean: "mean", Sum: "sum", None: "none", 7: "Reduction(7)"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(r), r.String(), want)
		}
	}
}

// Gorgonia merges nodes and constants with equal hashes or names: losses
// with different settings in one graph must stay different.
func TestDistinctSettingsInOneGraph(t *testing.T) {
	pred := []float64{0.2, -1.5, 3, 0.75, 0, -0.5}
	for _, set := range [][]Loss{
		{Huber{Delta: 0.5}, Huber{Delta: 2}, Huber{}},
		{SmoothL1{Beta: 0.5}, SmoothL1{Beta: 2}},
		{BCEWithLogits{}, BCEWithLogits{PosWeight: []float64{2, 3, 0.5}}, BCEWithLogits{PosWeight: []float64{3, 2, 0.5}}},
		{CrossEntropy{ClassWeights: []float64{1, 2, 3}}, CrossEntropy{ClassWeights: []float64{3, 2, 1}}, CrossEntropy{ClassWeights: []float64{3, 2, 1}, LabelSmoothing: 0.2}},
		{NLL{ClassWeights: []float64{1, 2, 3}}, NLL{}, NLL{ClassWeights: []float64{0.5, 1, 1}}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			raw, k := []float64{1, 0, 0.5, 0, 1, 0}, 3
			if _, ok := set[0].(CrossEntropy); ok {
				raw, k = []float64{2, 0}, 1
			} else if _, ok := set[0].(NLL); ok {
				raw, k = []float64{2, 0}, 1
			}
			lc := lossCase{Pred: [][]float64{pred[:3], pred[3:]}, Cotangent: []float64{1, 2}}
			for i := 0; i < len(raw); i += k {
				lc.Target = append(lc.Target, raw[i:i+k])
			}
			// Alone, each in its own graph.
			var alone []float64
			for _, l := range set {
				alone = append(alone, eval(t, l, lc, Sum, dt).value...)
			}
			// Together, in one graph.
			g := G.NewGraph()
			p := matrix(t, g, dt, "pred", pred, 2, 3)
			var together []float64
			vals := make([]G.Value, len(set))
			for i, l := range set {
				enc, err := l.EncodeTargets(rowmajor.Matrix{Rows: 2, Cols: k, Data: raw}, 3)
				if err != nil {
					t.Fatal(err)
				}
				y := matrix(t, g, dt, "target"+string(rune('a'+i)), enc.Data, 2, l.TargetWidth(3))
				out, err := Reduce(l, p, y, Sum)
				if err != nil {
					t.Fatal(err)
				}
				G.Read(out, &vals[i])
			}
			vm := G.NewTapeMachine(g)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			vm.Close()
			for _, v := range vals {
				together = append(together, dense.Scalar(v))
			}
			tolerance{0, 0}.check(t, set[0].String()+" "+dt.String()+" together", together, alone)
		}
	}
}
