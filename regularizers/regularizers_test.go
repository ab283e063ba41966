package regularizers

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
)

// evalPenalty returns r's penalty over the matrices ws and its gradient with
// respect to each.
func evalPenalty(t *testing.T, r Regularizer, ws [][][]float64, dt tensor.Dtype) (float64, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	var nodes G.Nodes
	for i, w := range ws {
		v, err := dense.FromFloat64(dt, golden.Flat(w), len(w), len(w[0]))
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, G.NewMatrix(g, dt, G.WithShape(len(w), len(w[0])), G.WithValue(v), G.WithName(string(rune('a'+i)))))
	}
	p, err := r.Penalty(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(p, nodes...); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(nodes...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	var grads [][]float64
	for _, n := range nodes {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads = append(grads, dense.Float64s(gv))
	}
	return dense.Scalar(p.Value()), grads
}

func TestPenaltiesMatchTorch(t *testing.T) {
	gf := golden.Load(t)
	cases := []struct {
		name string
		c    golden.Penalty
		r    Regularizer
	}{
		{"l1", gf.L1[0], L1{Lambda: gf.L1[0].Lambda}},
		{"l2", gf.L2[0], L2{Lambda: gf.L2[0].Lambda}},
		// Same weights in both golden cases: the elastic net is their sum.
		{"elastic_net", elasticGolden(gf.L1[0], gf.L2[0]), ElasticNet{L1: gf.L1[0].Lambda, L2: gf.L2[0].Lambda}},
	}
	for _, c := range cases {
		for _, d := range []struct {
			dt  tensor.Dtype
			rel float64
		}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-6}} {
			t.Run(c.name+"/"+d.dt.String(), func(t *testing.T) {
				pen, grads := evalPenalty(t, c.r, c.c.Weights, d.dt)
				if math.Abs(pen-c.c.Penalty) > d.rel*c.c.Penalty {
					t.Errorf("penalty = %.17g, want %.17g (torch)", pen, c.c.Penalty)
				}
				for i, g := range grads {
					want := golden.Flat(c.c.Grads[i])
					for j := range g {
						if math.Abs(g[j]-want[j]) > d.rel*math.Max(math.Abs(want[j]), 1e-3) {
							t.Errorf("grad[%d][%d] = %.17g, want %.17g (torch)", i, j, g[j], want[j])
						}
					}
				}
			})
		}
	}
}

// elasticGolden sums the torch L1 and L2 cases, which share their weights.
func elasticGolden(l1, l2 golden.Penalty) golden.Penalty {
	out := golden.Penalty{Name: "elastic_net", Weights: l1.Weights, Penalty: l1.Penalty + l2.Penalty}
	for i := range l1.Grads {
		var m [][]float64
		for j := range l1.Grads[i] {
			row := make([]float64, len(l1.Grads[i][j]))
			for k := range row {
				row[k] = l1.Grads[i][j][k] + l2.Grads[i][j][k]
			}
			m = append(m, row)
		}
		out.Grads = append(out.Grads, m)
	}
	return out
}

func TestPenaltyRejectsBadLambda(t *testing.T) {
	g := G.NewGraph()
	w := G.NewMatrix(g, G.Float64, G.WithShape(2, 2), G.WithName("w"))
	for _, r := range []Regularizer{L1{Lambda: -1}, L2{Lambda: math.NaN()}, L2{Lambda: math.Inf(1)}, ElasticNet{L1: 0.1, L2: -0.1}} {
		if _, err := r.Penalty(G.Nodes{w}); !errors.Is(err, ErrConfig) {
			t.Errorf("%v: error = %v, want ErrConfig", r, err)
		}
	}
	if _, err := (L2{Lambda: 1}).Penalty(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("no params: error = %v, want ErrConfig", err)
	}
}
