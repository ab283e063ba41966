package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/vec"
)

// denseOp is a dense layer in one op: y = x·W + b, with x: (batch, in),
// W: (in, out), b: (1, out). Gorgonia's Mul + BroadcastAdd would make five
// nodes (a reshape, a repeat that copies b batch times, an add) and, through
// Mul's symbolic gradient, always compute dx = g·Wᵀ, also for the data fed
// to the first layer, where nobody reads it: 40 % of an MLP's matrix work.
// denseOp differentiates x only when needDX is set, and computes through
// Gorgonia's BLAS hook (G.WhichBLAS) so that an installed BLAS serves it.
// The operations and their order equal Mul then BroadcastAdd, so results are
// bit-identical to them.
type denseOp struct {
	needDX bool
	buf    *outBuf
}

// gemmOp is C = op(A)·op(B) with op a transpose where set: the gradients
// of denseOp, dx = g·Wᵀ (transB) and dW = xᵀ·g (transA).
type gemmOp struct {
	transA, transB bool
	buf            *outBuf
}

// colSumOp sums a (rows, n) matrix over its rows into (1, n): the bias
// gradient.
type colSumOp struct{ buf *outBuf }

// denseLayer adds x·W + b to the graph; needDX says whether x needs a
// gradient (false for data that no parameter precedes).
func denseLayer(x, w, b *G.Node, needDX bool) (*G.Node, error) {
	return G.ApplyOp(denseOp{needDX: needDX, buf: new(outBuf)}, x, w, b)
}

func sameType(n int) hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, n+1)
	for i := range ts {
		ts[i] = a
	}
	return hm.NewFnType(ts...)
}

func matrixShapes(name string, in []G.DimSizer) ([]tensor.Shape, error) {
	out := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok || len(s) != 2 {
			return nil, fmt.Errorf("%s: input %d has shape %v, want a matrix", name, i, d)
		}
		out[i] = s
	}
	return out, nil
}

func (op denseOp) Arity() int        { return 3 }
func (op denseOp) Type() hm.Type     { return sameType(3) }
func (op denseOp) ReturnsPtr() bool  { return false }
func (op denseOp) CallsExtern() bool { return false }
func (op denseOp) OverwritesInput() int {
	return -1
}
func (op denseOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "gradtune.dense(dx=%t)", op.needDX) }
func (op denseOp) Hashcode() uint32      { return hashOf(op) }
func (op denseOp) String() string        { return fmt.Sprintf("dense(dx=%t)", op.needDX) }

// InferShape checks x: (batch, in), W: (in, out), b: (1, out).
func (op denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := matrixShapes("dense", in)
	if err != nil {
		return nil, err
	}
	x, w, b := s[0], s[1], s[2]
	if x[1] != w[0] || b[0] != 1 || b[1] != w[1] {
		return nil, fmt.Errorf("dense: x %v · W %v + b %v: want x (batch, in), W (in, out), b (1, out)", x, w, b)
	}
	return tensor.Shape{x[0], w[1]}, nil
}

func (op denseOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo implements G.UsePreallocDoer: x·W into the output, then b
// added to every row.
func (op denseOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("dense: %d inputs, want 3", len(in))
	}
	out, err := gemmInto(op.buf, prealloc, in[0], in[1], false, false)
	if err != nil {
		return nil, fmt.Errorf("dense: %w", err)
	}
	b, err := matrixOf(in[2])
	if err != nil {
		return nil, fmt.Errorf("dense: bias: %w", err)
	}
	if b.Dtype() != out.Dtype() || b.Shape()[1] != out.Shape()[1] {
		return nil, fmt.Errorf("dense: bias %v %v for an output %v %v", b.Dtype(), b.Shape(), out.Dtype(), out.Shape())
	}
	switch out.Dtype() {
	case tensor.Float32:
		addRows(dense.Of[float32](out), dense.Of[float32](b))
	case tensor.Float64:
		addRows(dense.Of[float64](out), dense.Of[float64](b))
	}
	return out, nil
}

func addRows[T float32 | float64](dst, row []T) {
	n := len(row)
	for i := 0; i+n <= len(dst); i += n {
		vec.Add(dst[i:i+n], row)
	}
}

// DiffWRT implements G.SDOp: x only when it needs a gradient.
func (op denseOp) DiffWRT(int) []bool { return []bool{op.needDX, true, true} }

// SymDiff implements G.SDOp: dx = g·Wᵀ (when needDX), dW = xᵀ·g, db = Σ_rows g.
func (op denseOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, w := inputs[0], inputs[1]
	grads := make(G.Nodes, 3)
	var err error
	if op.needDX {
		if grads[0], err = G.ApplyOp(gemmOp{transB: true, buf: new(outBuf)}, grad, w); err != nil {
			return nil, err
		}
	}
	if grads[1], err = G.ApplyOp(gemmOp{transA: true, buf: new(outBuf)}, x, grad); err != nil {
		return nil, err
	}
	if grads[2], err = G.ApplyOp(colSumOp{buf: new(outBuf)}, grad); err != nil {
		return nil, err
	}
	return grads, nil
}

func (op gemmOp) Arity() int           { return 2 }
func (op gemmOp) Type() hm.Type        { return sameType(2) }
func (op gemmOp) ReturnsPtr() bool     { return false }
func (op gemmOp) CallsExtern() bool    { return false }
func (op gemmOp) OverwritesInput() int { return -1 }
func (op gemmOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "gradtune.gemm(%t,%t)", op.transA, op.transB)
}
func (op gemmOp) Hashcode() uint32 { return hashOf(op) }
func (op gemmOp) String() string {
	return fmt.Sprintf("gemm(%s,%s)", transName(op.transA), transName(op.transB))
}

func transName(t bool) string {
	if t {
		return "T"
	}
	return "N"
}

// InferShape: op(A) (m, k) · op(B) (k, n) → (m, n).
func (op gemmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := matrixShapes(op.String(), in)
	if err != nil {
		return nil, err
	}
	m, k := orient(s[0], op.transA)
	k2, n := orient(s[1], op.transB)
	if k != k2 {
		return nil, fmt.Errorf("%s: inner dimensions of %v and %v differ", op, s[0], s[1])
	}
	return tensor.Shape{m, n}, nil
}

func orient(s tensor.Shape, trans bool) (rows, cols int) {
	if trans {
		return s[1], s[0]
	}
	return s[0], s[1]
}

func (op gemmOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo implements G.UsePreallocDoer.
func (op gemmOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%s: %d inputs, want 2", op, len(in))
	}
	out, err := gemmInto(op.buf, prealloc, in[0], in[1], op.transA, op.transB)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// gemmInto computes op(a)·op(b) with the installed BLAS into a result from
// buf (see outBuf.dense).
// Shapes and dtypes are checked here: the op runs on the tape machine, where
// a BLAS panic would not be recovered into an error naming the layer.
func gemmInto(buf *outBuf, prealloc, av, bv G.Value, transA, transB bool) (*tensor.Dense, error) {
	a, err := matrixOf(av)
	if err != nil {
		return nil, err
	}
	b, err := matrixOf(bv)
	if err != nil {
		return nil, err
	}
	m, k := orient(a.Shape(), transA)
	k2, n := orient(b.Shape(), transB)
	if k != k2 || a.Dtype() != b.Dtype() {
		return nil, fmt.Errorf("cannot multiply %v %v by %v %v", a.Dtype(), a.Shape(), b.Dtype(), b.Shape())
	}
	out := buf.dense(prealloc, a.Dtype(), m, n)
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	lda, ldb := a.Shape()[1], b.Shape()[1]
	impl := G.WhichBLAS()
	switch out.Dtype() {
	case tensor.Float32:
		impl.Sgemm(ta, tb, m, n, k, 1, dense.Of[float32](a), lda, dense.Of[float32](b), ldb, 0, dense.Of[float32](out), n)
	case tensor.Float64:
		impl.Dgemm(ta, tb, m, n, k, 1, dense.Of[float64](a), lda, dense.Of[float64](b), ldb, 0, dense.Of[float64](out), n)
	default:
		return nil, fmt.Errorf("dtype %v, want float32 or float64", a.Dtype())
	}
	return out, nil
}

// matrixOf returns v as a row-major dense matrix of float32 or float64 with
// at least one element in each dimension.
func matrixOf(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("value %T, want a dense matrix", v)
	}
	if d.RequiresIterator() {
		d = d.Materialize().(*tensor.Dense)
	}
	s := d.Shape()
	if len(s) != 2 || s[0] < 1 || s[1] < 1 {
		return nil, fmt.Errorf("shape %v, want a non-empty matrix", s)
	}
	if dt := d.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("dtype %v, want float32 or float64", dt)
	}
	return d, nil
}

func (colSumOp) Arity() int            { return 1 }
func (colSumOp) Type() hm.Type         { return sameType(1) }
func (colSumOp) ReturnsPtr() bool      { return false }
func (colSumOp) CallsExtern() bool     { return false }
func (colSumOp) OverwritesInput() int  { return -1 }
func (colSumOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "gradtune.colsum") }
func (op colSumOp) Hashcode() uint32   { return hashOf(op) }
func (colSumOp) String() string        { return "colsum" }

func (colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := matrixShapes("colsum", in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{1, s[0][1]}, nil
}

func (op colSumOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo sums the rows in order, as Gorgonia's Sum over axis 0.
func (op colSumOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("colsum: %d inputs, want 1", len(in))
	}
	g, err := matrixOf(in[0])
	if err != nil {
		return nil, fmt.Errorf("colsum: %w", err)
	}
	n := g.Shape()[1]
	out := op.buf.dense(prealloc, g.Dtype(), 1, n)
	switch out.Dtype() {
	case tensor.Float32:
		sumRows(dense.Of[float32](out), dense.Of[float32](g))
	case tensor.Float64:
		sumRows(dense.Of[float64](out), dense.Of[float64](g))
	}
	return out, nil
}

func sumRows[T float32 | float64](dst, src []T) {
	n := len(dst)
	copy(dst, src[:n])
	for i := n; i+n <= len(src); i += n {
		vec.Add(dst, src[i:i+n])
	}
}
