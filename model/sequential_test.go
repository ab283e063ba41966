package model

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/regularizers"
)

// setParams overwrites the model's parameters with the given values (in
// Params order, row-major).
func setParams(t *testing.T, m *Model, vals ...[]float64) {
	t.Helper()
	if len(vals) != len(m.Params()) {
		t.Fatalf("%d values for %d params", len(vals), len(m.Params()))
	}
	for i, p := range m.Params() {
		v, err := dense.FromFloat64(m.Dtype(), vals[i], p.Value.Shape()...)
		if err != nil {
			t.Fatal(err)
		}
		if err := dense.CopyValues(p.Value, v); err != nil {
			t.Fatal(err)
		}
	}
}

// forwardAndGrads runs g on x with loss sum(Out ⊙ u) and returns Out and the
// gradients of the learnables.
func forwardAndGrads(t *testing.T, m *Model, g *Graph, x, u []float64) (out []float64, grads [][]float64) {
	t.Helper()
	err := gerr.Do("test", func() error {
		xv, err := dense.FromFloat64(m.Dtype(), x, g.X.Shape()...)
		if err != nil {
			return err
		}
		uv, err := dense.FromFloat64(m.Dtype(), u, g.Out.Shape()...)
		if err != nil {
			return err
		}
		un := G.NewMatrix(g.G, m.Dtype(), G.WithShape(g.Out.Shape()...), G.WithName("u"), G.WithValue(uv))
		prod, err := G.HadamardProd(g.Out, un)
		if err != nil {
			return err
		}
		cost, err := G.Sum(prod)
		if err != nil {
			return err
		}
		if _, err := G.Grad(cost, g.Learnables...); err != nil {
			return err
		}
		var outVal G.Value
		G.Read(g.Out, &outVal)
		vm := G.NewTapeMachine(g.G, G.BindDualValues(g.Learnables...))
		defer vm.Close()
		if err := G.Let(g.X, xv); err != nil {
			return err
		}
		if err := vm.RunAll(); err != nil {
			return err
		}
		out = dense.Float64s(outVal)
		for _, l := range g.Learnables {
			gv, err := l.Grad()
			if err != nil {
				return err
			}
			grads = append(grads, dense.Float64s(gv))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, grads
}

// x (2, 3) → Dense 4 → GELU → Dropout 0.5 → Dense 2 in an eval graph equals
// torch's F.gelu(x@W1 + b1)@W2 + b2 (dropout is the identity there), and so
// do the gradients of sum(out ⊙ u) with respect to every parameter.
func TestSequentialMatchesTorch(t *testing.T) {
	q := loadActivations(t).Sequential
	net := Sequential{Layers: []Layer{Dense{Units: 4}, Act{GELU{}}, Dropout{Rate: 0.5}, Dense{Units: 2}}}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			m, err := New(net, Config{Inputs: 3, Dtype: dt})
			if err != nil {
				t.Fatal(err)
			}
			setParams(t, m, golden.Flat(q.W1), q.B1, golden.Flat(q.W2), q.B2)
			g, err := m.NewGraph(2, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Feeds) != 0 {
				t.Errorf("eval graph has %d feeds, want none", len(g.Feeds))
			}
			out, grads := forwardAndGrads(t, m, g, golden.Flat(q.X), golden.Flat(q.Upstream))
			tol := tolerance(dt)
			worst := compare(t, "out", out, golden.Flat(q.Out), tol)
			for i, want := range [][]float64{golden.Flat(q.GradW1), q.GradB1, golden.Flat(q.GradW2), q.GradB2} {
				worst = max(worst, compare(t, "grad "+m.Params()[i].Name, grads[i], want, tol))
			}
			t.Logf("worst relative error vs torch: %.3g", worst)
		})
	}
}

func TestSequentialParams(t *testing.T) {
	l2 := regularizers.L2{Lambda: 0.01}
	l1 := regularizers.L1{Lambda: 0.001}
	net := Sequential{Layers: []Layer{
		Dense{Units: 5, Regularizers: []regularizers.Regularizer{l2, l1}},
		Act{ReLU{}},
		Dropout{Rate: 0.2},
		Dense{Units: 2, Init: Constant{Value: 0.5}, BiasInit: Constant{Value: -1}},
	}}
	m, err := New(net, Config{Inputs: 3, Seed: 4, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Name  string
		Shape []int
		Decay bool
		Regs  []regularizers.Regularizer
	}
	var got []summary
	for _, p := range m.Params() {
		got = append(got, summary{p.Name, p.Value.Shape(), p.Decay, p.Regularizers})
	}
	want := []summary{
		{"layer0/W", []int{3, 5}, true, []regularizers.Regularizer{l2, l1}},
		{"layer0/b", []int{1, 5}, false, nil},
		{"layer3/W", []int{5, 2}, true, nil},
		{"layer3/b", []int{1, 2}, false, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("params:\n%+v\nwant\n%+v", got, want)
	}
	// Default Dense init: XavierUniform weight, zero bias; then the given constants.
	_, a := XavierUniform{}.bounds(3, 5)
	for _, v := range dense.Float64s(m.Params()[0].Value) {
		if math.Abs(v) >= a || v == 0 {
			t.Errorf("layer0/W value %v, want in (−%v, %v), nonzero", v, a, a)
		}
	}
	for i, want := range []float64{0, 0.5, -1} {
		for _, v := range dense.Float64s(m.Params()[i+1].Value) {
			if v != want {
				t.Errorf("%s value %v, want %v", m.Params()[i+1].Name, v, want)
			}
		}
	}
	if m.Outputs() != 2 {
		t.Errorf("outputs %d, want 2", m.Outputs())
	}
}

func TestSequentialErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		net  Network
		says string
		reg  bool // also wraps regularizers.ErrConfig
	}{
		{"no layers", Sequential{}, "Sequential has no Layers, want ≥ 1", false},
		{"nil layer", Sequential{Layers: []Layer{Dense{Units: 2}, nil}}, "Sequential Layers[1] is nil", false},
		{"nil activation", Sequential{Layers: []Layer{Act{}}}, "layer layer0: Act with a nil Activation", false},
		{"units", Sequential{Layers: []Layer{Dense{Units: 2}, Dense{Units: -1}}}, "layer layer1 Units = -1, want ≥ 1", false},
		{"rate 1", Sequential{Layers: []Layer{Dropout{Rate: 1}}}, "layer layer0 Dropout Rate = 1, want 0 ≤ Rate < 1", false},
		{"rate negative", Sequential{Layers: []Layer{Dropout{Rate: -0.1}}}, "Dropout Rate = -0.1, want 0 ≤ Rate < 1", false},
		{"rate NaN", Sequential{Layers: []Layer{Dropout{Rate: math.NaN()}}}, "Dropout Rate = NaN", false},
		{"bad lambda", Sequential{Layers: []Layer{Dense{Units: 2, Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: -1}}}}},
			"parameter layer0/W: regularizers: invalid configuration: l2 Lambda = -1", true},
		{"nil regularizer", Sequential{Layers: []Layer{Dense{Units: 2, Regularizers: []regularizers.Regularizer{nil}}}},
			"parameter layer0/W has a nil regularizer", false},
		{"bad init", Sequential{Layers: []Layer{Dense{Units: 2, BiasInit: Normal{Std: -2}}}}, "parameter layer0/b", false},
	} {
		_, err := New(c.net, Config{Inputs: 2})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) || c.reg && !errors.Is(err, regularizers.ErrConfig) {
			t.Errorf("%s: error = %v, want ErrConfig saying %q", c.name, err, c.says)
		}
	}
}
