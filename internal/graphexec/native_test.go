package graphexec

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelGraph uses every Gorgonia op that has a native kernel, in every
// form of operands the kernels take: tensor ∘ tensor, tensor ∘ scalar,
// scalar ∘ tensor and scalar ∘ scalar for + − ⊙ ÷; neg and square of a
// tensor and of a scalar; sums over all axes, axis 0 and axis 1 of a
// matrix and over a vector; a reshape; and the sizes and repeats of a
// sum's gradient.
type kernelGraph struct {
	g          *G.ExprGraph
	x, w, v    *G.Node // (3, 4), (3, 4), (4)
	s, s2      *G.Node // scalars
	nativeOnly int     // op nodes that must run as kernels
}

func newKernelGraph(t *testing.T, dt tensor.Dtype) *kernelGraph {
	t.Helper()
	g := G.NewGraph()
	k := &kernelGraph{g: g}
	k.x = G.NewMatrix(g, dt, G.WithShape(3, 4), G.WithName("x"))
	k.w = G.NewMatrix(g, dt, G.WithShape(3, 4), G.WithName("w"), G.WithInit(G.Zeroes()))
	k.v = G.NewVector(g, dt, G.WithShape(4), G.WithName("v"))
	k.s = G.NewScalar(g, dt, G.WithName("s"))
	k.s2 = G.NewScalar(g, dt, G.WithName("s2"))
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var terms G.Nodes
	for _, f := range []func(a, b *G.Node) (*G.Node, error){G.Add, G.Sub, G.HadamardProd, G.HadamardDiv} {
		terms = append(terms, must(f(k.x, k.w)))
	}
	for _, f := range []func(a, b *G.Node) (*G.Node, error){G.Add, G.Sub, G.Mul, G.Div} {
		terms = append(terms, must(f(k.x, k.s)), must(f(k.s, k.x)))
		terms = append(terms, must(G.Sum(must(f(k.s, k.s2)))))
	}
	terms = append(terms, must(G.Neg(k.x)), must(G.Square(k.x)), must(G.Neg(k.s)), must(G.Square(k.s)))
	terms = append(terms, must(G.Sum(k.x, 0)), must(G.Sum(k.x, 1)), must(G.Sum(k.v)), must(G.Reshape(k.x, tensor.Shape{4, 3})))
	var cost *G.Node
	for _, n := range terms {
		if n.Shape().IsScalar() {
			n = must(G.Mul(n, k.s))
		} else {
			n = must(G.Sum(n))
		}
		if cost == nil {
			cost = n
		} else {
			cost = must(G.Add(cost, n))
		}
	}
	// Σ_i Σ_j x_ij·w_ij: its gradient reshapes, sizes and repeats.
	cost = must(G.Add(cost, must(G.Sum(must(G.Sum(must(G.HadamardProd(k.x, k.w)), 1))))))
	if _, err := G.Grad(cost, k.w); err != nil {
		t.Fatal(err)
	}
	return k
}

// special values the kernels must treat as Gorgonia does, besides normal
// numbers: signed zeros (a sum from 0 and a sum from the first element
// differ on −0), infinities, NaN, a subnormal.
var special = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, -1, 2.5}

// fill draws a value of dt and shape (a scalar for none): normal numbers,
// a quarter of them special values where specials is set.
func fill(rng *rand.Rand, specials bool, dt tensor.Dtype, shape ...int) G.Value {
	vals := make([]float64, max(tensor.Shape(shape).TotalSize(), 1))
	for i := range vals {
		vals[i] = rng.NormFloat64()
		if specials && rng.IntN(4) == 0 {
			vals[i] = special[rng.IntN(len(special))]
		}
	}
	if len(shape) == 0 {
		if dt == tensor.Float32 {
			return G.NewF32(float32(vals[0]))
		}
		return G.NewF64(vals[0])
	}
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// negZeroLines sets, on odd runs, one row and one column of the (3, 4)
// matrix v to −0: their sums are −0 summed from the first element, +0 from
// zero, and only such lines tell the two apart.
func negZeroLines(v G.Value, run int) G.Value {
	if run%2 == 0 {
		return v
	}
	negZero := math.Copysign(0, -1)
	for i := range 3 {
		for j := range 4 {
			if i != run%3 && j != run%4 {
				continue
			}
			switch d := v.(*tensor.Dense).Data().(type) {
			case []float32:
				d[i*4+j] = float32(negZero)
			case []float64:
				d[i*4+j] = negZero
			}
		}
	}
	return v
}

// Each kernel gives the values of Gorgonia's op, bit for bit, run after
// run on new operands (the program checks the op only on its first run,
// here one of normal numbers), including signed zeros, infinities and NaN;
// and every op of the kinds that have a kernel runs as one.
func TestKernelsMatchGorgonia(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			k := newKernelGraph(t, dt)
			p, err := Compile(k.g)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for run := range 50 {
				for _, in := range []struct {
					n *G.Node
					v G.Value
				}{{k.x, negZeroLines(fill(rng, run > 0, dt, 3, 4), run)}, {k.v, fill(rng, run > 0, dt, 4)}, {k.s, fill(rng, run > 0, dt)}, {k.s2, fill(rng, run > 0, dt)}} {
					if err := G.Let(in.n, in.v); err != nil {
						t.Fatal(err)
					}
				}
				if err := G.Let(k.w, fill(rng, run > 0, dt, 3, 4)); err != nil {
					t.Fatal(err)
				}
				if err := p.Run(); err != nil {
					t.Fatal(err)
				}
				for i := range p.steps {
					s := &p.steps[i]
					if s.op == nil || s.into != nil {
						continue
					}
					in := make([]G.Value, len(s.args))
					for j, a := range s.args {
						in[j] = p.vals[a]
					}
					want, err := reference(s.op, run > 0, p.vals[i], in)
					if err != nil {
						t.Fatal(err)
					}
					if !sameValue(p.vals[i], want) {
						t.Fatalf("run %d: %v (%v) = %v, Gorgonia's op gives %v", run, s.node, s.op, p.vals[i], want)
					}
				}
			}
			kinds := map[string]int{}
			for _, s := range p.steps {
				if s.op == nil {
					continue
				}
				kind := reflect.TypeOf(s.op).String()
				if s.kernel == nil || !s.checked {
					if nativeKinds[kind] {
						t.Errorf("%v (%v, %s) runs without its kernel", s.node, s.op, kind)
					}
					continue
				}
				kinds[kind]++
			}
			for kind := range nativeKinds {
				if kinds[kind] == 0 {
					t.Errorf("no %s node ran as a kernel", kind)
				}
			}
		})
	}
}

// reference is what the program computed for op before it had kernels:
// after the first run, UsePreallocDo into a buffer like the last output
// where the op takes one; else Do. (They differ: Gorgonia's tensor ÷
// tensor gives the IEEE quotient into a buffer, +Inf for any zero divisor
// without one.)
func reference(op G.Op, again bool, last G.Value, in []G.Value) (G.Value, error) {
	if pd, ok := op.(G.UsePreallocDoer); ok && again {
		if t, ok := last.(*tensor.Dense); ok {
			buf := tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(t.Shape().Clone()...))
			if v, err := pd.UsePreallocDo(buf, in...); err == nil {
				return v, nil
			}
		}
	}
	return op.Do(in...)
}

var nativeKinds = map[string]bool{
	"gorgonia.elemBinOp": true, "gorgonia.elemUnaryOp": true, "gorgonia.sumOp": true,
	"gorgonia.reshapeOp": true, "gorgonia.sizeOp": true, "*gorgonia.repeatOp": true,
}

// wrongKernel returns a value the op never would.
type wrongKernel struct{}

func (wrongKernel) run([]G.Value) (G.Value, error) { return G.NewF64(42), nil }

// A kernel that disagrees with its op on the first run is dropped and the
// op runs instead, on that run and after; one that meets operands it does
// not handle (integers) too.
func TestKernelFallsBackToTheOp(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"))
	y, err := G.Neg(x)
	if err != nil {
		t.Fatal(err)
	}
	a := G.NewVector(g, tensor.Int, G.WithShape(2), G.WithName("a"))
	b, err := G.Add(a, a)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	ny, nb := &p.steps[p.slot[y]], &p.steps[p.slot[b]]
	if ny.kernel == nil || nb.kernel == nil {
		t.Fatal("neg and + have no kernel")
	}
	ny.kernel = wrongKernel{}
	if err := G.Let(x, tensor.New(tensor.WithBacking([]float64{1, -2, 0}))); err != nil {
		t.Fatal(err)
	}
	if err := G.Let(a, tensor.New(tensor.WithBacking([]int{3, 4}))); err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if got := p.Value(y).Data().([]float64); got[0] != -1 || got[1] != 2 || !math.Signbit(got[2]) {
			t.Errorf("run %d: neg = %v, want [-1 2 -0]", run, got)
		}
		if got := p.Value(b).Data().([]int); got[0] != 6 || got[1] != 8 {
			t.Errorf("run %d: a + a = %v, want [6 8]", run, got)
		}
	}
	if ny.kernel != nil || nb.kernel != nil {
		t.Error("a kernel that disagreed or could not run is still in use")
	}
}
