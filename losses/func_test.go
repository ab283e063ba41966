package losses

import (
	"errors"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/rowmajor"
)

// mseFunc is MSE written as a user would: the mean over outputs of (pred − y)².
var mseFunc = Func("my_mse", func(pred, target *G.Node) (*G.Node, error) {
	d, err := G.Sub(pred, target)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq, 1)
})

// A Func that reproduces MSE gives MSE's per-sample values exactly, and its
// mean and gradient equal torch's mse_loss(reduction="mean") on the golden
// cases (every row has the same number of outputs, so the mean of the row
// means is the mean over all elements).
func TestFuncReproducesMSE(t *testing.T) {
	checked := 0
	for _, c := range loadCases(t) {
		if c.Loss != "mse" {
			continue
		}
		for _, d := range dtypeTols {
			want := eval(t, MSE{}, c, Mean, d.dt)
			got := eval(t, mseFunc, c, Mean, d.dt)
			if len(got.perSample) != len(want.perSample) {
				t.Fatalf("%s %v: %d per-sample values, want %d", c.Name, d.dt, len(got.perSample), len(want.perSample))
			}
			for i := range want.perSample {
				if got.perSample[i] != want.perSample[i] {
					t.Errorf("%s %v: per-sample[%d] = %.17g, MSE gives %.17g", c.Name, d.dt, i, got.perSample[i], want.perSample[i])
				}
			}
			if got.weights != nil {
				t.Errorf("%s: a Func has sample weights %v, want none", c.Name, got.weights)
			}
			torch := c.Reductions["mean"]
			d.tol.check(t, c.Name+" "+d.dt.String()+" mean", got.value, torch.Value)
			d.tol.check(t, c.Name+" "+d.dt.String()+" grad", got.grad, golden.Flat(torch.Grad))
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no mse cases in losses.json")
	}
}

// Targets pass through with the model's width; anything else is ErrTarget.
func TestFuncEncodeTargets(t *testing.T) {
	y := rowmajor.Matrix{Rows: 2, Cols: 2, Data: []float64{1, -2, 3.5, 4}}
	got, err := mseFunc.EncodeTargets(y, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != 2 || got.Cols != 2 || got.Data[0] != 1 || got.Data[1] != -2 || got.Data[2] != 3.5 || got.Data[3] != 4 {
		t.Errorf("EncodeTargets = %+v, want the targets unchanged", got)
	}
	if w := mseFunc.TargetWidth(3); w != 3 {
		t.Errorf("TargetWidth(3) = %d, want 3", w)
	}
	for _, c := range []struct {
		name    string
		y       rowmajor.Matrix
		outputs int
		mention []string
	}{
		{"width", y, 3, []string{"my_mse", "2 columns", "3 outputs"}},
		{"NaN", rowmajor.Matrix{Rows: 1, Cols: 1, Data: []float64{math.NaN()}}, 1, []string{"row 0", "NaN", "finite"}},
		{"length", rowmajor.Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 3}}, 2, []string{"3 values", "2 rows × 2 columns", "want 4"}},
	} {
		_, err := mseFunc.EncodeTargets(c.y, c.outputs)
		if !errors.Is(err, ErrTarget) {
			t.Errorf("%s: error = %v, want ErrTarget", c.name, err)
			continue
		}
		for _, m := range c.mention {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, m)
			}
		}
	}
}

// A Func that breaks its contract is an error naming the loss, never a
// panic or a graph that fails later.
func TestFuncContract(t *testing.T) {
	other := G.NewGraph()
	stray := G.NewVector(other, tensor.Float64, G.WithShape(2), G.WithName("stray"))
	for _, c := range []struct {
		name    string
		l       Loss
		kind    error
		mention string
	}{
		{"empty name", Func("", func(p, _ *G.Node) (*G.Node, error) { return p, nil }), ErrConfig, "empty name"},
		{"nil function", Func("nothing", nil), ErrConfig, "nil per-sample function"},
		{"scalar", Func("total", func(p, y *G.Node) (*G.Node, error) {
			d, err := G.Sub(p, y)
			if err != nil {
				return nil, err
			}
			return G.Sum(d)
		}), ErrConfig, "want (2,)"},
		{"matrix", Func("elementwise", G.Sub), ErrConfig, "returned shape (2, 3)"},
		{"nil node", Func("nil", func(_, _ *G.Node) (*G.Node, error) { return nil, nil }), ErrConfig, "nil node"},
		{"other graph", Func("stray", func(_, _ *G.Node) (*G.Node, error) { return stray, nil }), ErrConfig, "another graph"},
		{"panic", Func("must", func(p, _ *G.Node) (*G.Node, error) {
			return G.Must(G.Mul(p, p)), nil // (2, 3) × (2, 3): a shape panic
		}), panics.ErrUser, "losses: must"},
		{"error", Func("fails", func(_, _ *G.Node) (*G.Node, error) { return nil, errors.New("boom") }), nil, "boom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			p := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("p"))
			y := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("y"))
			_, err := c.l.PerSample(p, y)
			if err == nil || (c.kind != nil && !errors.Is(err, c.kind)) {
				t.Fatalf("PerSample error = %v, want one wrapping %v", err, c.kind)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("error %q does not mention %q", err, c.mention)
			}
		})
	}
	// The shapes are checked before the function runs.
	ran := false
	l := Func("spy", func(p, _ *G.Node) (*G.Node, error) { ran = true; return p, nil })
	g := G.NewGraph()
	p := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("p"))
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("y"))
	if _, err := l.PerSample(p, y); !errors.Is(err, ErrTarget) || ran {
		t.Errorf("target (2, 4) for pred (2, 3): error = %v, function ran = %v; want ErrTarget before it runs", err, ran)
	}
}
