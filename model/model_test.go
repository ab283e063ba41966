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
)

func values(m *Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, dense.Float64s(p.Value))
	}
	return out
}

func TestSameSeedSameWeights(t *testing.T) {
	net := MLP{Hidden: []int{32, 16}, Out: 10}
	a, err := New(net, Config{Inputs: 20, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(net, Config{Inputs: 20, Seed: 42})
	c, _ := New(net, Config{Inputs: 20, Seed: 43})
	if !reflect.DeepEqual(values(a), values(b)) {
		t.Error("seed 42 twice gave different weights")
	}
	if reflect.DeepEqual(values(a), values(c)) {
		t.Error("seeds 42 and 43 gave the same weights")
	}
	var names []string
	for _, p := range a.Params() {
		names = append(names, p.Name)
	}
	want := []string{"dense0/W", "dense0/b", "dense1/W", "dense1/b", "dense2/W", "dense2/b"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("params = %v, want %v", names, want)
	}
	if a.Outputs() != 10 || a.Dtype() != tensor.Float32 {
		t.Errorf("outputs %d dtype %v, want 10 float32", a.Outputs(), a.Dtype())
	}
}

// moments returns the mean and variance of vs.
func moments(vs []float64) (mean, variance float64) {
	for _, v := range vs {
		mean += v
	}
	mean /= float64(len(vs))
	for _, v := range vs {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(vs))
}

// The initializers draw from the documented distributions: checked on
// 256×512 = 131,072 draws, where the sample variance is within 2 % of theory.
func TestInitializerDistributions(t *testing.T) {
	const in, out = 256, 512
	for _, c := range []struct {
		init    Initializer
		wantVar float64
		bound   float64 // 0: unbounded
	}{
		{XavierUniform{}, 2.0 / (in + out), math.Sqrt(6.0 / (in + out))},
		{HeNormal{}, 2.0 / in, 0},
		{TorchLinear{}, 1.0 / (3 * in), 1 / math.Sqrt(in)},
	} {
		m, err := New(Func(func(s *Scope, x *G.Node) (*G.Node, error) {
			return Dense{Units: out, Init: c.init}.Build(s, x, "d")
		}), Config{Inputs: in, Dtype: tensor.Float64, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		w := dense.Float64s(m.Params()[0].Value)
		mean, v := moments(w)
		if math.Abs(v/c.wantVar-1) > 0.02 || math.Abs(mean) > 3*math.Sqrt(c.wantVar/float64(len(w))) {
			t.Errorf("%v: mean %.3g variance %.4g, want 0 and %.4g", c.init, mean, v, c.wantVar)
		}
		for _, x := range w {
			if c.bound > 0 && math.Abs(x) > c.bound {
				t.Fatalf("%v: value %v outside ±%v", c.init, x, c.bound)
			}
		}
		if b := dense.Float64s(m.Params()[1].Value); b[0] != 0 || b[len(b)-1] != 0 {
			t.Errorf("bias not zero: %v", b[:3])
		}
	}
}

// float32 weights are the float64 draws rounded: the dtype does not change
// the stream.
func TestFloat32IsRoundedFloat64(t *testing.T) {
	net := MLP{Hidden: []int{8}, Out: 2}
	a, _ := New(net, Config{Inputs: 3, Seed: 1, Dtype: tensor.Float64})
	b, _ := New(net, Config{Inputs: 3, Seed: 1, Dtype: tensor.Float32})
	for i := range a.Params() {
		av := a.Params()[i].Value.Data().([]float64)
		bv := b.Params()[i].Value.Data().([]float32)
		for j := range av {
			if float32(av[j]) != bv[j] {
				t.Fatalf("param %d[%d]: float32 %v, float64 %v", i, j, bv[j], av[j])
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		net  Network
		cfg  Config
		says string
	}{
		{"no inputs", MLP{Out: 2}, Config{}, "Inputs = 0"},
		{"nil net", nil, Config{Inputs: 1}, "nil network"},
		{"dtype", MLP{Out: 2}, Config{Inputs: 1, Dtype: tensor.Int}, "Dtype"},
		{"zero units", MLP{Hidden: []int{0}, Out: 2}, Config{Inputs: 1}, "dense0 Units = 0, want ≥ 1"},
		{"zero out", MLP{Out: 0}, Config{Inputs: 1}, "dense0 Units = 0, want ≥ 1"},
		{"activation", MLP{Hidden: []int{3}, Out: 2, Activation: ELU{Alpha: -1}}, Config{Inputs: 1}, "ELU Alpha = -1, want a finite value > 0"},
		{"duplicate name", Func(func(s *Scope, x *G.Node) (*G.Node, error) {
			if _, err := (Dense{Units: 2}).Build(s, x, "d"); err != nil {
				return nil, err
			}
			return Dense{Units: 2}.Build(s, x, "d")
		}), Config{Inputs: 1}, "used twice"},
	} {
		_, err := New(c.net, c.cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error = %v, want ErrConfig mentioning %s", c.name, err, c.says)
		}
	}
}

// A user's network that makes Gorgonia panic (here: a shape mismatch in Mul)
// gets an error, not a panic.
func TestGorgoniaPanicBecomesError(t *testing.T) {
	net := Func(func(s *Scope, x *G.Node) (*G.Node, error) {
		w, err := s.Param(ParamSpec{Name: "w", Shape: []int{5, 2}, Init: XavierUniform{}, FanIn: 5, FanOut: 2})
		if err != nil {
			return nil, err
		}
		return G.Must(G.Mul(x, w)), nil // x is (1, 3): mismatched
	})
	_, err := New(net, Config{Inputs: 3})
	if !errors.Is(err, gerr.ErrGorgonia) {
		t.Fatalf("error = %v, want one wrapping gerr.ErrGorgonia", err)
	}
}

func TestNewGraphSharesParameterValues(t *testing.T) {
	m, _ := New(Linear{Out: 2}, Config{Inputs: 3, Seed: 9})
	g, err := m.NewGraph(5, true)
	if err != nil {
		t.Fatal(err)
	}
	if !g.X.Shape().Eq(tensor.Shape{5, 3}) || !g.Out.Shape().Eq(tensor.Shape{5, 2}) || len(g.Learnables) != 2 {
		t.Fatalf("graph shapes x %v out %v, %d learnables", g.X.Shape(), g.Out.Shape(), len(g.Learnables))
	}
	for i, n := range g.Learnables {
		if !reflect.DeepEqual(dense.Float64s(n.Value()), dense.Float64s(m.Params()[i].Value)) {
			t.Errorf("learnable %d does not start from the parameter value", i)
		}
		if n.Value() == m.Params()[i].Value {
			t.Errorf("learnable %d aliases the parameter tensor; want a copy", i)
		}
	}
	if _, err := m.NewGraph(0, false); !errors.Is(err, ErrConfig) {
		t.Errorf("batch 0: error = %v, want ErrConfig", err)
	}
}

// Hidden activations are recorded for diagnostics, in build order.
func TestWatchedActivations(t *testing.T) {
	m, err := New(MLP{Hidden: []int{4, 3}, Out: 2}, Config{Inputs: 5})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.NewGraph(7, true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range g.Watched {
		names = append(names, w.Name)
		if w.Node.Shape()[0] != 7 {
			t.Errorf("%s shape %v, want (7, units)", w.Name, w.Node.Shape())
		}
	}
	if !reflect.DeepEqual(names, []string{"dense0/relu", "dense1/relu"}) {
		t.Errorf("watched %v, want [dense0/relu dense1/relu]", names)
	}
}
