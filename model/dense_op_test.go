package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// denseGrads builds loss = Σ (x·W + b) ⊙ r for random x, W, b, r, either
// through denseOp or through Gorgonia's Mul + BroadcastAdd, and returns
// the output, dx (nil when x is not differentiated), dW and db as float64s,
// with the graph's text.
func denseGrads(t *testing.T, dt tensor.Dtype, fused, withDX bool) (out, dx, dw, db []float64, graph string) {
	t.Helper()
	const batch, in, units = 7, 5, 3
	rng := rand.New(rand.NewPCG(3, 4))
	val := func(shape ...int) *tensor.Dense {
		n := shape[0] * shape[1]
		if dt == tensor.Float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
			return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(batch, in), G.WithName("x"), G.WithValue(val(batch, in)))
	w := G.NewMatrix(g, dt, G.WithShape(in, units), G.WithName("W"), G.WithValue(val(in, units)))
	b := G.NewMatrix(g, dt, G.WithShape(1, units), G.WithName("b"), G.WithValue(val(1, units)))
	r := G.NewMatrix(g, dt, G.WithShape(batch, units), G.WithName("r"), G.WithValue(val(batch, units)))
	var y *G.Node
	if fused {
		y = G.Must(denseLayer(x, w, b, withDX))
	} else {
		y = G.Must(G.BroadcastAdd(G.Must(G.Mul(x, w)), b, nil, []byte{0}))
	}
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	wrt := G.Nodes{w, b}
	if withDX {
		wrt = append(wrt, x)
	}
	grads, err := G.Grad(loss, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	var yv G.Value
	G.Read(y, &yv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	f := func(v G.Value) []float64 {
		switch d := v.Data().(type) {
		case []float32:
			out := make([]float64, len(d))
			for i, x := range d {
				out[i] = float64(x)
			}
			return out
		case []float64:
			return d
		}
		t.Fatalf("value %T", v)
		return nil
	}
	out, dw, db = f(yv), f(grads[0].Value()), f(grads[1].Value())
	if withDX {
		dx = f(grads[2].Value())
	}
	return out, dx, dw, db, opNames(g)
}

// opNames lists the ops of g's nodes, one per line.
func opNames(g *G.ExprGraph) string {
	var b strings.Builder
	for _, n := range g.AllNodes() {
		if n.Op() != nil {
			b.WriteString(n.Op().String() + "\n")
		}
	}
	return b.String()
}

// The fused op computes what Mul + BroadcastAdd compute, bit for bit, and
// leaves out dx when x is data.
func TestDenseOpEqualsMulBroadcastAdd(t *testing.T) {
	same := func(t *testing.T, what string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s[%d] = %v, want %v bit for bit", what, i, got[i], want[i])
			}
		}
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			out, dx, dw, db, _ := denseGrads(t, dt, false, true)
			fOut, fdx, fdw, fdb, _ := denseGrads(t, dt, true, true)
			same(t, "output", fOut, out)
			same(t, "dx", fdx, dx)
			same(t, "dW", fdw, dw)
			same(t, "db", fdb, db)
			_, _, ndw, ndb, graph := denseGrads(t, dt, true, false)
			same(t, "dW without dx", ndw, dw)
			same(t, "db without dx", ndb, db)
			if strings.Contains(graph, "gemm(N,T)") {
				t.Errorf("x is data, yet the graph computes dx = g·Wᵀ:\n%s", graph)
			}
		})
	}
}

// A dense layer on data computes no input gradient; a second layer does.
func TestDenseInputGradientOnlyPastTheFirstLayer(t *testing.T) {
	m, err := New(MLP{Hidden: []int{4}, Out: 2}, Config{Inputs: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := m.NewGraph(5, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(G.Must(G.Sum(gr.Out)), gr.Learnables...); err != nil {
		t.Fatal(err)
	}
	text := opNames(gr.G)
	for name, want := range map[string]int{"dense(dx=false)": 1, "dense(dx=true)": 1, "gemm(N,T)": 1, "gemm(T,N)": 2} {
		if got := strings.Count(text, name); got != want {
			t.Errorf("%d %s nodes, want %d (dx only for the second layer's input):\n%s", got, name, want, text)
		}
	}
}

// Shapes that cannot multiply are an error naming the layer, not a panic.
func TestDenseShapeErrorNamesLayer(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("W"))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 2), G.WithName("b"))
	if _, err := denseLayer(x, w, b, false); err == nil || !strings.Contains(err.Error(), "dense") {
		t.Errorf("x (2,3) · W (4,2): error %v, want one from dense", err)
	}
}

// Across runs of a tape machine (which forgets its registers at Reset), a
// dense layer writes into the tensor it returned before, with new values.
func TestDenseOutputIsReusedAcrossRuns(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 1), G.WithName("W"), G.WithValue(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2}))))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 1), G.WithName("b"), G.WithValue(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0.5}))))
	y := G.Must(denseLayer(x, w, b, false))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	var outs []G.Value
	for _, xs := range [][]float64{{1, 0, 0, 1}, {2, 1, 3, 4}} {
		if err := G.Let(x, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(xs))); err != nil {
			t.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, y.Value())
		vm.Reset()
	}
	if outs[0] != outs[1] {
		t.Errorf("the second run allocated a new output")
	}
	if got, want := outs[1].Data().([]float64), []float64{4.5, 11.5}; !slices.Equal(got, want) {
		t.Errorf("second run: %v, want %v", got, want)
	}
}
