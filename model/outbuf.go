package model

import (
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// outBuf keeps one op node's output tensor from run to run. Gorgonia's tape
// machine forgets its registers at every Reset, so an op that allocates its
// result does so at every step: 1.9 MB of garbage a step for the MNIST MLP,
// with the collections and fresh pages that costs. Each node's op gets its
// own outBuf, so the kept tensor is only ever that node's value, and a run
// overwrites the previous run's value, as a reused register would. A nil
// outBuf keeps nothing.
type outBuf struct{ t *tensor.Dense }

// dense returns a dense tensor of dt and shape for the op's result:
// prealloc when the tape machine offers one that fits, else the kept one,
// else a new one, which is kept.
func (b *outBuf) dense(prealloc G.Value, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if d, ok := prealloc.(*tensor.Dense); ok && fits(d, dt, shape) {
		return d
	}
	if b != nil && b.t != nil && fits(b.t, dt, shape) {
		return b.t
	}
	t := tensor.New(tensor.WithShape(slices.Clone(shape)...), tensor.Of(dt))
	if b != nil {
		b.t = t
	}
	return t
}

func fits(d *tensor.Dense, dt tensor.Dtype, shape []int) bool {
	return !d.RequiresIterator() && d.Dtype() == dt && d.Shape().Eq(tensor.Shape(shape))
}
