package graphexec

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// Gorgonia's elementwise, reduction and shape ops allocate their results,
// and more, on every call: a training step of the Iris demo's MLP made
// ~200 allocations in them (closures for functional options, reflect
// slices, fresh scalars, cloned headers), most of its garbage, and with
// parallel trials the collections that garbage causes are shared by all.
// The graphs gradtune builds use a handful of them, on small operands: the
// loss reductions, the penalties and what G.Grad makes of both. For those
// a kernel here computes the same operations in the same order into a
// buffer it keeps, so a run allocates nothing.
//
// A kernel is chosen by the op's Gorgonia type and its parameters (read
// through reflect: the types are unexported) and is checked on the
// program's first run against the op itself, bit for bit; a kernel that
// disagrees, or meets operands it does not handle, is dropped and the op
// runs as before. So a Gorgonia that changes underneath costs speed,
// never correctness.

// kernel computes one op into a value it keeps from run to run.
type kernel interface {
	run(in []G.Value) (G.Value, error)
}

// errUnsupported: the operands are not a case the kernel handles.
var errUnsupported = errors.New("graphexec: operands the native kernel does not handle")

// nativeKernel returns the kernel for n's op, or nil for none.
func nativeKernel(n *G.Node) kernel {
	op := n.Op()
	v := reflect.ValueOf(op)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	shape := n.Shape().Clone()
	switch reflect.TypeOf(op).String() {
	case "gorgonia.elemBinOp":
		sym, _, _ := strings.Cut(op.String(), " ")
		if op, ok := binaryOps[sym]; ok {
			return &binKernel{op: op}
		}
	case "gorgonia.elemUnaryOp":
		switch op.String() {
		case "neg":
			return &unaryKernel{square: false}
		case "square":
			return &unaryKernel{square: true}
		}
	case "gorgonia.sumOp":
		along, ok := intsField(v, "along")
		if ok && len(along) > 0 {
			return &sumKernel{along: along, shape: shape}
		}
	case "gorgonia.reshapeOp":
		if !shape.IsScalar() {
			return &reshapeKernel{shape: shape}
		}
	case "gorgonia.sizeOp":
		if axis, ok := intField(v, "axis"); ok {
			return &sizeKernel{axis: axis}
		}
	case "*gorgonia.repeatOp":
		if along, ok := intField(v, "along"); ok && along < len(shape) {
			return &repeatKernel{along: along, shape: shape}
		}
	}
	return nil
}

func intField(v reflect.Value, name string) (int, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return int(f.Int()), true
}

func intsField(v reflect.Value, name string) ([]int, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || !f.Type().Elem().ConvertibleTo(reflect.TypeFor[int]()) {
		return nil, false
	}
	out := make([]int, f.Len())
	for i := range out {
		if !f.Index(i).CanInt() {
			return nil, false
		}
		out[i] = int(f.Index(i).Int())
	}
	return out, true
}

// binaryOps are the arithmetic elemBinOps by their symbol in Gorgonia
// v0.9.18 (ʘBinOpStrs). Each is a single IEEE operation, as in tensor's
// execution package (AddRecvF32, SubVS, DivSV, …): exact, so computing it
// here gives the same bits. One exception, Gorgonia's own: tensor ÷ tensor
// gives the IEEE quotient into a preallocated buffer (DivRecv, what the
// program ran after its first run) but +Inf for any zero divisor without
// one (vecf32.Div, what it ran first). The kernel computes the former, so
// a first run with a zero divisor drops it, and the program's results are
// those of before, run by run.
var binaryOps = map[string]binaryOp{"+": add, "-": sub, "⊙": mul, "÷": div}

type binaryOp int

const (
	add binaryOp = iota
	sub
	mul
	div
)

// out is a kernel's kept result: a scalar or a dense tensor.
type out struct {
	f32 *G.F32
	f64 *G.F64
	t   *tensor.Dense
}

func (o *out) scalar32(v float32) G.Value {
	if o.f32 == nil {
		o.f32 = new(G.F32)
	}
	*o.f32 = G.F32(v)
	return o.f32
}

func (o *out) scalar64(v float64) G.Value {
	if o.f64 == nil {
		o.f64 = new(G.F64)
	}
	*o.f64 = G.F64(v)
	return o.f64
}

// dense returns the kept tensor of dt and shape, made anew when it does
// not fit.
func (o *out) dense(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || !o.t.Shape().Eq(shape) {
		o.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
	}
	return o.t
}

// operand is a value's elements as []T — a tensor's backing array or a
// scalar's one value in buf — with its shape (nil for a scalar).
func operand[T float32 | float64](v G.Value, buf *[1]T) ([]T, tensor.Shape, bool) {
	switch x := v.(type) {
	case *tensor.Dense:
		if x.RequiresIterator() {
			return nil, nil, false
		}
		d := dense.Of[T](x)
		if d == nil {
			return nil, nil, false
		}
		return d, x.Shape(), true
	case *G.F32:
		if p, ok := any(buf).(*[1]float32); ok {
			p[0] = float32(*x)
			return buf[:], nil, true
		}
	case *G.F64:
		if p, ok := any(buf).(*[1]float64); ok {
			p[0] = float64(*x)
			return buf[:], nil, true
		}
	}
	return nil, nil, false
}

// result returns the kernel's output for a scalar (shape nil) or a tensor
// of shape, with its elements to write.
func result[T float32 | float64](o *out, shape tensor.Shape, fill func(dst []T)) G.Value {
	var z T
	_, f32 := any(z).(float32)
	if shape == nil {
		// The kept scalar itself is the one element to write (G.F32 is a
		// float32, G.F64 a float64).
		var p unsafe.Pointer
		var v G.Value
		if f32 {
			v = o.scalar32(0)
			p = unsafe.Pointer(o.f32)
		} else {
			v = o.scalar64(0)
			p = unsafe.Pointer(o.f64)
		}
		fill(unsafe.Slice((*T)(p), 1))
		return v
	}
	dt := tensor.Float64
	if f32 {
		dt = tensor.Float32
	}
	t := o.dense(dt, shape)
	fill(dense.Of[T](t))
	return t
}

// byDtype runs f32 or f64 by the dtype of v.
func byDtype(v G.Value, f32, f64 func() (G.Value, error)) (G.Value, error) {
	switch v.Dtype() {
	case tensor.Float32:
		return f32()
	case tensor.Float64:
		return f64()
	}
	return nil, errUnsupported
}

// binKernel is an arithmetic elemBinOp: tensor ∘ tensor of one shape,
// tensor ∘ scalar, scalar ∘ tensor or scalar ∘ scalar.
type binKernel struct {
	op binaryOp
	o  out
}

func (k *binKernel) run(in []G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, errUnsupported
	}
	return byDtype(in[0],
		func() (G.Value, error) { return binary[float32](&k.o, in, k.op) },
		func() (G.Value, error) { return binary[float64](&k.o, in, k.op) })
}

func binary[T float32 | float64](o *out, in []G.Value, op binaryOp) (G.Value, error) {
	var ab, bb [1]T
	a, as, ok1 := operand(in[0], &ab)
	b, bs, ok2 := operand(in[1], &bb)
	if !ok1 || !ok2 {
		return nil, errUnsupported
	}
	shape := as
	if shape == nil {
		shape = bs
	}
	if as != nil && bs != nil && !as.Eq(bs) {
		return nil, errUnsupported
	}
	// A scalar operand is read at index 0 throughout.
	sa, sb := 1, 1
	if as == nil {
		sa = 0
	}
	if bs == nil {
		sb = 0
	}
	return result(o, shape, func(dst []T) {
		switch op {
		case add:
			for i := range dst {
				dst[i] = a[i*sa] + b[i*sb]
			}
		case sub:
			for i := range dst {
				dst[i] = a[i*sa] - b[i*sb]
			}
		case mul:
			for i := range dst {
				dst[i] = a[i*sa] * b[i*sb]
			}
		case div:
			for i := range dst {
				dst[i] = a[i*sa] / b[i*sb]
			}
		}
	}), nil
}

// unaryKernel is the elemUnaryOp neg (−x) or square (x·x).
type unaryKernel struct {
	square bool
	o      out
}

func (k *unaryKernel) run(in []G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, errUnsupported
	}
	return byDtype(in[0],
		func() (G.Value, error) { return unary[float32](&k.o, in[0], k.square) },
		func() (G.Value, error) { return unary[float64](&k.o, in[0], k.square) })
}

func unary[T float32 | float64](o *out, v G.Value, square bool) (G.Value, error) {
	var buf [1]T
	x, shape, ok := operand(v, &buf)
	if !ok {
		return nil, errUnsupported
	}
	return result(o, shape, func(dst []T) {
		if square {
			for i, v := range x {
				dst[i] = v * v
			}
			return
		}
		for i, v := range x {
			dst[i] = -v
		}
	}), nil
}

// sumKernel is a sumOp in the three cases tensor's reduce takes for gradtune's
// graphs: over every axis in order (execution.SumF32: from 0, element by
// element; the result a scalar), over axis 0 of a matrix (ReduceFirst: the
// first row copied, then each next row added) and over axis 1 of a matrix
// (ReduceLast: each row summed from 0).
type sumKernel struct {
	along []int
	shape tensor.Shape // the node's, which reductionDo reshapes to
	o     out
}

func (k *sumKernel) run(in []G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, errUnsupported
	}
	return byDtype(in[0],
		func() (G.Value, error) { return sum[float32](k, in[0]) },
		func() (G.Value, error) { return sum[float64](k, in[0]) })
}

func sum[T float32 | float64](k *sumKernel, v G.Value) (G.Value, error) {
	var buf [1]T
	x, shape, ok := operand(v, &buf)
	if !ok || shape == nil {
		return nil, errUnsupported
	}
	all := len(k.along) == len(shape)
	for i, a := range k.along {
		all = all && a == i
	}
	switch {
	case all && k.shape.IsScalar():
		return result(&k.o, nil, func(dst []T) {
			var s T
			for _, v := range x {
				s += v
			}
			dst[0] = s
		}), nil
	case len(shape) == 2 && len(k.along) == 1 && k.shape.TotalSize() == shape[1] && k.along[0] == 0:
		cols := shape[1]
		return result(&k.o, k.shape, func(dst []T) {
			copy(dst, x[:cols])
			for r := cols; r < len(x); r += cols {
				for j, v := range x[r : r+cols] {
					dst[j] += v
				}
			}
		}), nil
	case len(shape) == 2 && len(k.along) == 1 && k.shape.TotalSize() == shape[0] && k.along[0] == 1:
		cols := shape[1]
		return result(&k.o, k.shape, func(dst []T) {
			for i := range dst {
				var s T
				for _, v := range x[i*cols : (i+1)*cols] {
					s += v
				}
				dst[i] = s
			}
		}), nil
	}
	return nil, errUnsupported
}

// reshapeKernel is a reshapeOp: the input's elements copied into a tensor
// of the node's shape (Gorgonia's shares the input's memory under a new
// header, which it allocates).
type reshapeKernel struct {
	shape tensor.Shape
	o     out
}

func (k *reshapeKernel) run(in []G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, errUnsupported
	}
	return byDtype(in[0],
		func() (G.Value, error) { return reshape[float32](k, in[0]) },
		func() (G.Value, error) { return reshape[float64](k, in[0]) })
}

func reshape[T float32 | float64](k *reshapeKernel, v G.Value) (G.Value, error) {
	var buf [1]T
	x, _, ok := operand(v, &buf)
	if !ok || len(x) != k.shape.TotalSize() {
		return nil, errUnsupported
	}
	return result(&k.o, k.shape, func(dst []T) { copy(dst, x) }), nil
}

// sizeKernel is a sizeOp: the input's length along axis (1 for a scalar)
// as a scalar of its dtype.
type sizeKernel struct {
	axis int
	o    out
}

func (k *sizeKernel) run(in []G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, errUnsupported
	}
	size := 1
	if t, ok := in[0].(tensor.Tensor); ok {
		sh := t.Shape()
		if k.axis >= len(sh) {
			return nil, errUnsupported
		}
		size = sh[k.axis]
	}
	return byDtype(in[0],
		func() (G.Value, error) { return k.o.scalar32(float32(size)), nil },
		func() (G.Value, error) { return k.o.scalar64(float64(size)), nil })
}

// repeatKernel is a repeatOp along an axis (tensor.Repeat: each element
// along it repeated rep times in a row), the repeat count its second input,
// into a tensor of the node's shape.
type repeatKernel struct {
	along int
	shape tensor.Shape
	o     out
}

func (k *repeatKernel) run(in []G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, errUnsupported
	}
	rep, ok := count(in[1])
	if !ok {
		return nil, errUnsupported
	}
	return byDtype(in[0],
		func() (G.Value, error) { return repeat[float32](k, in[0], rep) },
		func() (G.Value, error) { return repeat[float64](k, in[0], rep) })
}

// count is a repeat count held in a scalar, as Gorgonia's valueToInt reads it.
func count(v G.Value) (int, bool) {
	var f float64
	switch x := v.(type) {
	case *G.F32:
		f = float64(*x)
	case *G.F64:
		f = float64(*x)
	default:
		return 0, false
	}
	if f < 1 || f != math.Trunc(f) || f > 1<<30 {
		return 0, false
	}
	return int(f), true
}

func repeat[T float32 | float64](k *repeatKernel, v G.Value, rep int) (G.Value, error) {
	var buf [1]T
	x, _, ok := operand(v, &buf)
	if !ok || k.shape[k.along]%rep != 0 {
		return nil, errUnsupported
	}
	outer, inner := 1, 1
	for _, d := range k.shape[:k.along] {
		outer *= d
	}
	for _, d := range k.shape[k.along+1:] {
		inner *= d
	}
	n := k.shape[k.along] / rep // the input's length along the axis
	if len(x) != outer*n*inner {
		return nil, errUnsupported
	}
	return result(&k.o, k.shape, func(dst []T) {
		at := 0
		for b := 0; b < len(x); b += inner { // b: one element along the axis, its inner block
			for range rep {
				copy(dst[at:at+inner], x[b:b+inner])
				at += inner
			}
		}
	}), nil
}

// sameValue reports whether a and b are the same kind of value (scalar or
// tensor) of one dtype and shape with the same bits, NaNs of any payload
// counting as equal.
func sameValue(a, b G.Value) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) || a.Dtype() != b.Dtype() || !a.Shape().Eq(b.Shape()) {
		return false
	}
	switch a.Dtype() {
	case tensor.Float32:
		var x, y [1]float32
		return sameBits(elements(a, &x), elements(b, &y))
	case tensor.Float64:
		var x, y [1]float64
		return sameBits(elements(a, &x), elements(b, &y))
	}
	return false
}

// elements returns v's elements (a scalar's in buf), or nil.
func elements[T float32 | float64](v G.Value, buf *[1]T) []T {
	if x, _, ok := operand(v, buf); ok {
		return x
	}
	if t, ok := v.(*tensor.Dense); ok { // a view: read it through its iterator
		if m, ok := t.Materialize().(*tensor.Dense); ok {
			return dense.Of[T](m)
		}
	}
	return nil
}

func sameBits[T float32 | float64](a, b []T) bool {
	if a == nil || b == nil || len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.IsNaN(x) && math.IsNaN(y) {
			continue
		}
		if x != y || math.Signbit(x) != math.Signbit(y) {
			return false
		}
	}
	return true
}
