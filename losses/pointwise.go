package losses

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// pointFn is an element-wise loss f(p, y) with its derivative ∂f/∂p, written
// as torch's CPU kernels write them. They are a Gorgonia op of their own, not a
// composition of Gorgonia ops, because autodiff of a composition gives other
// gradients than torch where torch's backward is not the derivative of its
// forward: BCE's clamped logs (torch divides by max(p(1−p), 1e-12)), and the
// kinks of |x|, max(z, 0) and the Huber pieces (at logit 0, Gorgonia's
// autodiff of Rectify(z) − z·y + Log1p(Exp(−Abs(z))) gives 1 − y; torch's
// backward gives σ(0) − y = 0.5 − y).
type pointFn interface {
	// String names the function and every parameter (it is the op's hash).
	String() string
	// f and df take the element's output column, for per-column parameters.
	f(p, y float64, col int) float64
	df(p, y float64, col int) float64
	// check returns an error for a p outside the function's domain.
	check(p float64) error
}

// applyPoint returns f(pred, target) element-wise, shape of pred.
func applyPoint(fn pointFn, pred, target *G.Node) (*G.Node, error) {
	return G.ApplyOp(pointOp{&point{fn: fn}}, pred, target)
}

// pointOp is (pred, target) ↦ f(pred, target), differentiable in pred only.
type pointOp struct{ *point }

// pointGradOp is (pred, target, g) ↦ g ⊙ ∂f/∂pred: pointOp's backward.
type pointGradOp struct{ *point }

// point is a pointOp's or pointGradOp's function and its node's kept
// output. Behind one pointer, the op converts to a G.Op without an
// allocation, as it does at every run.
type point struct {
	fn  pointFn
	buf outBuf
}

func (o pointOp) Arity() int     { return 2 }
func (o pointGradOp) Arity() int { return 3 }

func (o pointOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

func (o pointGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}

func (o pointOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error)     { return sameShapes(o, ds) }
func (o pointGradOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) { return sameShapes(o, ds) }

func sameShapes(op G.Op, ds []G.DimSizer) (tensor.Shape, error) {
	if len(ds) != op.Arity() {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(ds), op.Arity())
	}
	first, ok := ds[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input 0 has no shape", op)
	}
	for i, d := range ds[1:] {
		if s, ok := d.(tensor.Shape); !ok || !s.Eq(first) {
			return nil, fmt.Errorf("%v: input %d has shape %v, want %v", op, i+1, d, first)
		}
	}
	return first.Clone(), nil
}

func (o pointOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", o, len(vs))
	}
	fn := o.fn
	return elementwise(o, &o.buf, vs, func(p, y, _ float64, col int) (float64, error) {
		if err := fn.check(p); err != nil {
			return 0, err
		}
		return fn.f(p, y, col), nil
	})
}

func (o pointGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", o, len(vs))
	}
	fn := o.fn
	return elementwise(o, &o.buf, vs, func(p, y, g float64, col int) (float64, error) {
		return g * fn.df(p, y, col), nil
	})
}

func (o pointOp) ReturnsPtr() bool         { return false }
func (o pointGradOp) ReturnsPtr() bool     { return false }
func (o pointOp) CallsExtern() bool        { return false }
func (o pointGradOp) CallsExtern() bool    { return false }
func (o pointOp) OverwritesInput() int     { return -1 }
func (o pointGradOp) OverwritesInput() int { return -1 }

// Gorgonia merges nodes with equal hashes: the hash holds every parameter.
func (o pointOp) WriteHash(h hash.Hash)     { fmt.Fprint(h, o.String()) }
func (o pointGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, o.String()) }
func (o pointOp) Hashcode() uint32          { return hashOf(o) }
func (o pointGradOp) Hashcode() uint32      { return hashOf(o) }
func (o pointOp) String() string            { return "losses." + o.fn.String() }
func (o pointGradOp) String() string        { return "losses.grad_" + o.fn.String() }

func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (o pointOp) DiffWRT(int) []bool { return []bool{true, false} }

func (o pointOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(pointGradOp{&point{fn: o.fn}}, in[0], in[1], grad)
	return G.Nodes{d, nil}, err
}

// pointGradOp is the end of the line: no second derivatives.
func (o pointGradOp) DiffWRT(int) []bool { return []bool{false, false, false} }

func (o pointGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not supported", o)
}

// elementwise applies fn to the inputs (pred, target[, grad]), all of one
// shape and dtype, computing in float64 and returning pred's dtype in a
// tensor from buf.
func elementwise(op G.Op, buf *outBuf, vs []G.Value, fn func(p, y, g float64, col int) (float64, error)) (G.Value, error) {
	var ts [3]tensor.Tensor
	if len(vs) > len(ts) {
		return nil, fmt.Errorf("%v: %d inputs, want at most %d", op, len(vs), len(ts))
	}
	for i, v := range vs {
		t, err := contiguous(op, i, v)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	shape := ts[0].Shape()
	cols := 1
	if len(shape) > 0 {
		cols = shape[len(shape)-1]
	}
	switch ts[0].Dtype() {
	case tensor.Float64:
		return run[float64](op, buf, ts[:len(vs)], shape, cols, fn)
	case tensor.Float32:
		return run[float32](op, buf, ts[:len(vs)], shape, cols, fn)
	}
	return nil, fmt.Errorf("%v: dtype %v, want float64 or float32", op, ts[0].Dtype())
}

func run[T float32 | float64](op G.Op, buf *outBuf, ts []tensor.Tensor, shape tensor.Shape, cols int, fn func(p, y, g float64, col int) (float64, error)) (G.Value, error) {
	var in [3][]T
	for i, t := range ts {
		d := dense.Of[T](t)
		if d == nil || len(d) != shape.TotalSize() {
			return nil, fmt.Errorf("%v: input %d is %v %v, want %v %v", op, i, t.Dtype(), t.Shape(), ts[0].Dtype(), shape)
		}
		in[i] = d
	}
	res := buf.dense(ts[0].Dtype(), shape)
	out := dense.Of[T](res)
	for j := range out {
		g := 1.0
		if len(ts) == 3 {
			g = float64(in[2][j])
		}
		v, err := fn(float64(in[0][j]), float64(in[1][j]), g, j%cols)
		if err != nil {
			return nil, fmt.Errorf("%v: element %d (row %d, column %d): %w", op, j, j/cols, j%cols, err)
		}
		out[j] = T(v)
	}
	return res, nil
}
