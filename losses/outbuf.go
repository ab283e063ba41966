package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// outBuf keeps an op node's output tensor and its float64 workspace from
// run to run: gradtune's executor (internal/graphexec) calls Do at every
// training step, and a fresh output each time was most of the garbage left
// in a small model's step. Each ApplyOp gets its own outBuf, so the kept
// tensor is only ever that node's value, and a run overwrites the previous
// run's value, as a reused register would. A nil outBuf keeps nothing.
type outBuf struct {
	t   *tensor.Dense
	in  [][]float64 // rowwise: the inputs in float64
	row [][]float64 // rowwise: one row of each input
	res []float64   // rowwise: the result in float64
}

// dense returns a tensor of dt and shape for the op's result: the kept one
// when it fits, else a new one, which is kept.
func (b *outBuf) dense(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if b != nil && b.t != nil && b.t.Dtype() == dt && b.t.Shape().Eq(shape) {
		return b.t
	}
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
	if b != nil {
		b.t = t
	}
	return t
}

// contiguous returns input i as a tensor whose backing array is its
// elements in row-major order.
func contiguous(op G.Op, i int, v G.Value) (tensor.Tensor, error) {
	t, ok := v.(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("%v: input %d is %T, want a tensor", op, i, v)
	}
	if vw, ok := t.(tensor.View); ok && vw.IsView() {
		t = vw.Materialize()
	}
	return t, nil
}

// appendFloat64s appends t's elements, as float64, to dst.
func appendFloat64s(op G.Op, i int, dst []float64, t tensor.Tensor) ([]float64, error) {
	if d := dense.Of[float64](t); d != nil {
		return append(dst, d...), nil
	}
	if d := dense.Of[float32](t); d != nil {
		for _, v := range d {
			dst = append(dst, float64(v))
		}
		return dst, nil
	}
	return nil, fmt.Errorf("%v: input %d is %T of %v, want a dense float32 or float64 tensor", op, i, t, t.Dtype())
}

// storeFloat64s writes vals, rounded to t's dtype, into t.
func storeFloat64s(t *tensor.Dense, vals []float64) {
	if d := dense.Of[float64](t); d != nil {
		copy(d, vals)
		return
	}
	d := dense.Of[float32](t)
	for i, v := range vals {
		d[i] = float32(v)
	}
}
