package model

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
)

// A user's own graph code: a 3-4-2 network, h = tanh(x·W1 + b1),
// out = h·W2 + b2, declared with s.Param only.
func twoLayer(s *Scope, x *G.Node) (*G.Node, error) {
	in := x.Shape()[1]
	w1, err := s.Param(ParamSpec{Name: "w1", Shape: []int{in, 4}, Init: XavierNormal{}, FanIn: in, FanOut: 4, Decay: true})
	if err != nil {
		return nil, err
	}
	b1, err := s.Param(ParamSpec{Name: "b1", Shape: []int{1, 4}, Init: Uniform{Low: -1, High: 1}})
	if err != nil {
		return nil, err
	}
	w2, err := s.Param(ParamSpec{Name: "w2", Shape: []int{4, 2}, Init: HeUniform{}, FanIn: 4, FanOut: 2, Decay: true})
	if err != nil {
		return nil, err
	}
	b2, err := s.Param(ParamSpec{Name: "b2", Shape: []int{1, 2}, Init: Normal{Mean: 0.5, Std: 0.1}})
	if err != nil {
		return nil, err
	}
	xw := G.Must(G.Mul(x, w1))
	h, err := Tanh{}.Apply(G.Must(G.BroadcastAdd(xw, b1, nil, []byte{0})))
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(G.Must(G.Mul(h, w2)), b2, nil, []byte{0})
}

// The user's Func builds, its parameters are created once from the seed,
// and a forward pass on a TapeMachine gives tanh(x·W1 + b1)·W2 + b2
// computed here by hand from those parameters.
func TestFuncTwoLayerForward(t *testing.T) {
	const batch, in = 5, 3
	x := []float64{0.5, -1, 2, 1.5, 0.25, -0.75, -2, 0, 1, 3, -3, 0.1, 0.2, 0.3, -0.4}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		m, err := New(Func(twoLayer), Config{Inputs: in, Dtype: dt, Seed: 21})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Params()) != 4 || m.Outputs() != 2 {
			t.Fatalf("%d params, %d outputs; want 4 and 2", len(m.Params()), m.Outputs())
		}
		p := make([][]float64, 4)
		for i, q := range m.Params() {
			p[i] = dense.Float64s(q.Value)
		}
		h := affine(x, p[0], p[1], batch, in, 4)
		for i := range h {
			h[i] = math.Tanh(h[i])
		}
		want := affine(h, p[2], p[3], batch, 4, 2)

		g, err := m.NewGraph(batch, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		err = gerr.Do("test", func() error {
			xv, err := dense.FromFloat64(dt, x, batch, in)
			if err != nil {
				return err
			}
			if err := G.Let(g.X, xv); err != nil {
				return err
			}
			vm := G.NewTapeMachine(g.G)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				return err
			}
			got = dense.Float64s(g.Out.Value())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// float64 sums in another order: 1e-12; float32: the house 1e-5.
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = tolerance(dt)
		}
		t.Logf("%v: worst relative error %.3g", dt, compare(t, "out", got, want, tol))
	}
}
