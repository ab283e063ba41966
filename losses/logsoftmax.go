package losses

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// logSoftmax is log_softmax over the rows of x (batch, classes), as torch
// 1.13's CPU kernel computes it: q_ic = x_ic − (m_i + log Σ_c exp(x_ic − m_i))
// with m_i the row max; its backward is torch's log_softmax_backward,
// dx_ic = g_ic − exp(q_ic)·Σ_c g_ic.
//
// Not G.LogSoftMax: in Gorgonia v0.9.18 (tensor v0.9.24) every row's max
// starts from the first element of the whole tensor, not of the row, so a row
// whose logits lie ~709 or more from that element gives ±Inf, then NaN
// (logits [[1000, 0], [0, 0]]: the second row's log-probabilities are +Inf).
func logSoftmax(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(logSoftmaxOp{buf: new(outBuf)}, x)
}

type logSoftmaxOp struct{ buf *outBuf }

// logSoftmaxGradOp is (q, g) ↦ g − exp(q)·rowsum(g).
type logSoftmaxGradOp struct{ buf *outBuf }

func (logSoftmaxOp) Arity() int     { return 1 }
func (logSoftmaxGradOp) Arity() int { return 2 }

func (logSoftmaxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (logSoftmaxGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

func (o logSoftmaxOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) {
	s, err := sameShapes(o, ds)
	if err == nil && len(s) != 2 {
		err = fmt.Errorf("%v: input %v, want (batch, classes)", o, s)
	}
	return s, err
}

func (o logSoftmaxGradOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) {
	return sameShapes(o, ds)
}

func (o logSoftmaxOp) Do(vs ...G.Value) (G.Value, error) {
	return rowwise(o, o.buf, vs, func(out []float64, in [][]float64) {
		x := in[0]
		m := x[0]
		for _, v := range x[1:] {
			m = math.Max(m, v)
		}
		sum := 0.0
		for _, v := range x {
			sum += math.Exp(v - m)
		}
		shift := m + math.Log(sum)
		for c, v := range x {
			out[c] = v - shift
		}
	})
}

func (o logSoftmaxGradOp) Do(vs ...G.Value) (G.Value, error) {
	return rowwise(o, o.buf, vs, func(out []float64, in [][]float64) {
		q, g := in[0], in[1]
		sum := 0.0
		for _, v := range g {
			sum += v
		}
		for c := range out {
			out[c] = g[c] - math.Exp(q[c])*sum
		}
	})
}

func (logSoftmaxOp) ReturnsPtr() bool         { return false }
func (logSoftmaxGradOp) ReturnsPtr() bool     { return false }
func (logSoftmaxOp) CallsExtern() bool        { return false }
func (logSoftmaxGradOp) CallsExtern() bool    { return false }
func (logSoftmaxOp) OverwritesInput() int     { return -1 }
func (logSoftmaxGradOp) OverwritesInput() int { return -1 }
func (o logSoftmaxOp) WriteHash(h hash.Hash)  { fmt.Fprint(h, o.String()) }
func (o logSoftmaxGradOp) WriteHash(h hash.Hash) {
	fmt.Fprint(h, o.String())
}
func (o logSoftmaxOp) Hashcode() uint32     { return hashOf(o) }
func (o logSoftmaxGradOp) Hashcode() uint32 { return hashOf(o) }
func (logSoftmaxOp) String() string         { return "losses.log_softmax" }
func (logSoftmaxGradOp) String() string     { return "losses.grad_log_softmax" }

func (logSoftmaxOp) DiffWRT(int) []bool { return []bool{true} }

func (logSoftmaxOp) SymDiff(_ G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(logSoftmaxGradOp{buf: new(outBuf)}, out, grad)
	return G.Nodes{d}, err
}

func (logSoftmaxGradOp) DiffWRT(int) []bool { return []bool{false, false} }

func (o logSoftmaxGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not supported", o)
}

// rowwise applies fn to each row of the (batch, classes) inputs, in float64,
// returning the first input's dtype in a tensor from buf.
func rowwise(op G.Op, buf *outBuf, vs []G.Value, fn func(out []float64, in [][]float64)) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(vs), op.Arity())
	}
	if buf == nil {
		buf = new(outBuf)
	}
	if len(buf.in) != len(vs) {
		buf.in, buf.row = make([][]float64, len(vs)), make([][]float64, len(vs))
	}
	var shape tensor.Shape
	var dt tensor.Dtype
	for i, v := range vs {
		t, err := contiguous(op, i, v)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			if shape, dt = t.Shape(), t.Dtype(); len(shape) != 2 || shape[1] == 0 {
				return nil, fmt.Errorf("%v: input %v, want (batch, classes)", op, shape)
			}
		} else if !t.Shape().Eq(shape) || t.Dtype() != dt {
			return nil, fmt.Errorf("%v: input %d is %v %v, want %v %v", op, i, t.Dtype(), t.Shape(), dt, shape)
		}
		if buf.in[i], err = appendFloat64s(op, i, buf.in[i][:0], t); err != nil {
			return nil, err
		}
	}
	rows, cols := shape[0], shape[1]
	if cap(buf.res) < rows*cols {
		buf.res = make([]float64, rows*cols)
	}
	res := buf.res[:rows*cols]
	for r := range rows {
		for i, in := range buf.in {
			buf.row[i] = in[r*cols : (r+1)*cols]
		}
		fn(res[r*cols:(r+1)*cols], buf.row)
	}
	out := buf.dense(dt, shape)
	storeFloat64s(out, res)
	return out, nil
}
