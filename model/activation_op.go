package model

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
)

// actOp applies a kernel elementwise. We use our own Gorgonia op rather than
// Gorgonia's built-ins because those differ from PyTorch where it matters:
// Rectify and LeakyRelu have gradient 1 at x = 0 (torch: 0 and the slope),
// Sigmoid returns exactly 1 for x > 19 (so its gradient is 0 there), Softplus
// switches to x at 16 (torch: threshold 20), and there is no erf for GELU.
type actOp struct {
	k   *kernel
	buf *outBuf
}

// actGradOp computes g·f′(x) from (x, g): the symbolic gradient of actOp.
type actGradOp struct {
	k   *kernel
	buf *outBuf
}

func applyKernel(k *kernel, x *G.Node) (*G.Node, error) {
	var y *G.Node
	err := gerr.Do("model: activation "+k.name, func() error {
		var err error
		y, err = G.ApplyOp(actOp{k: k, buf: new(outBuf)}, x)
		return err
	})
	return y, err
}

func (op actOp) Arity() int { return 1 }
func (op actOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op actOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return inferSame(in) }
func (op actOp) ReturnsPtr() bool                                  { return true }
func (op actOp) CallsExtern() bool                                 { return false }
func (op actOp) OverwritesInput() int                              { return -1 }
func (op actOp) WriteHash(h hash.Hash)                             { fmt.Fprintf(h, "gradtune.act(%s)", op.k.name) }
func (op actOp) Hashcode() uint32                                  { return hashOf(op) }
func (op actOp) String() string                                    { return op.k.name }

func (op actOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo writes into prealloc when the tape machine offers a buffer
// of the right kind, else into a new value.
func (op actOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%s: %d inputs, want 1", op.k.name, len(in))
	}
	return mapValues(op.k, false, op.buf, prealloc, in)
}

// DiffWRT implements G.SDOp.
func (op actOp) DiffWRT(inputs int) []bool { return []bool{true} }

// SymDiff implements G.SDOp: dL/dx = g·f′(x), one node.
func (op actOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(actGradOp{k: op.k, buf: new(outBuf)}, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}

func (op actGradOp) Arity() int { return 2 }
func (op actGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op actGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return inferSame(in) }
func (op actGradOp) ReturnsPtr() bool                                  { return true }
func (op actGradOp) CallsExtern() bool                                 { return false }
func (op actGradOp) OverwritesInput() int                              { return -1 }
func (op actGradOp) WriteHash(h hash.Hash)                             { fmt.Fprintf(h, "gradtune.act_grad(%s)", op.k.name) }
func (op actGradOp) Hashcode() uint32                                  { return hashOf(op) }
func (op actGradOp) String() string                                    { return "d" + op.k.name }

func (op actGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo implements G.UsePreallocDoer.
func (op actGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%s: %d inputs, want 2", op, len(in))
	}
	return mapValues(op.k, true, op.buf, prealloc, in)
}

func inferSame(in []G.DimSizer) (tensor.Shape, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("no input shape")
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("input shape %v is not a tensor.Shape", in[0])
	}
	return s.Clone(), nil
}

func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// mapValues runs k's forward (in: x) or, with grad, its backward (in: x,
// g) over the inputs' values, writing into a result shaped like in[0] from
// buf (see outBuf.dense). All inputs must share one float dtype and size;
// that is checked here because the ops run on the tape machine's
// goroutine, where a panic could not be recovered.
func mapValues(k *kernel, grad bool, buf *outBuf, prealloc G.Value, in []G.Value) (G.Value, error) {
	// Dense tensors, the training steps' case, without allocating.
	if v, ok := mapTensors(k.f64, grad, buf, prealloc, in); ok {
		return v, nil
	}
	if v, ok := mapTensors(k.f32, grad, buf, prealloc, in); ok {
		return v, nil
	}
	if xs, ok := collect[float64](in); ok {
		return mapTyped(buf, prealloc, in[0], xs, k.f64.each(grad), G.NewF64)
	}
	if xs, ok := collect[float32](in); ok {
		return mapTyped(buf, prealloc, in[0], xs, k.f32.each(grad), G.NewF32)
	}
	name := k.name
	if grad {
		name = "d" + name
	}
	return nil, fmt.Errorf("%s: inputs %v, want float32 or float64 values of one dtype and size", name, in)
}

// mapTensors is mapValues for dense tensors of T; ok is false when the
// inputs are not all such tensors of one size.
func mapTensors[T float](u unary[T], grad bool, buf *outBuf, prealloc G.Value, in []G.Value) (G.Value, bool) {
	var xs [2][]T
	if n := len(in); n == 0 || n > len(xs) || (grad && n != 2) {
		return nil, false
	}
	var first *tensor.Dense
	for i, v := range in {
		t, ok := v.(*tensor.Dense)
		if !ok {
			return nil, false
		}
		if t.RequiresIterator() {
			t = t.Materialize().(*tensor.Dense)
		}
		if xs[i] = dense.Of[T](t); len(xs[i]) == 0 || len(xs[i]) != len(xs[0]) {
			return nil, false
		}
		if i == 0 {
			first = t
		}
	}
	out := buf.dense(prealloc, first.Dtype(), first.Shape()...)
	if grad {
		u.bwd(dense.Of[T](out), xs[0], xs[1])
	} else {
		u.fwd(dense.Of[T](out), xs[0])
	}
	return out, true
}

// each is u's forward (grad false) or backward over collected inputs.
func (u unary[T]) each(grad bool) func(dst []T, xs [][]T) {
	if grad {
		return func(dst []T, xs [][]T) { u.bwd(dst, xs[0], xs[1]) }
	}
	return func(dst []T, xs [][]T) { u.fwd(dst, xs[0]) }
}

func mapTyped[T float, S any](buf *outBuf, prealloc, x G.Value, xs [][]T, f func(dst []T, xs [][]T), scalar func(T) *S) (G.Value, error) {
	if _, ok := x.(tensor.Tensor); !ok {
		out := []T{0}
		f(out, xs)
		return any(scalar(out[0])).(G.Value), nil
	}
	t := x.(tensor.Tensor)
	out := buf.dense(prealloc, t.Dtype(), t.Shape().Clone()...)
	f(dense.Of[T](out), xs)
	return out, nil
}

// collect returns the values of every input in row-major order if all are
// T tensors or scalars of one size.
func collect[T float](in []G.Value) ([][]T, bool) {
	xs := make([][]T, len(in))
	for i, v := range in {
		switch t := v.(type) {
		case *G.F64:
			s, ok := any([]float64{float64(*t)}).([]T)
			if !ok {
				return nil, false
			}
			xs[i] = s
		case *G.F32:
			s, ok := any([]float32{float32(*t)}).([]T)
			if !ok {
				return nil, false
			}
			xs[i] = s
		case *tensor.Dense:
			if t.RequiresIterator() {
				t = t.Materialize().(*tensor.Dense)
			}
			s := dense.Of[T](t)
			if s == nil {
				return nil, false
			}
			xs[i] = s
		default:
			return nil, false
		}
		if len(xs[i]) != len(xs[0]) || len(xs[i]) == 0 {
			return nil, false
		}
	}
	return xs, len(in) > 0
}
