// Package dense holds the few dtype-generic helpers gradtune needs on
// *tensor.Dense values (Float32 or Float64 only).
package dense

import (
	"fmt"
	"github.com/gradtune/gradtune/internal/vec"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Supported reports whether dt is a dtype gradtune trains in.
func Supported(dt tensor.Dtype) bool { return dt == tensor.Float32 || dt == tensor.Float64 }

// FromFloat64 returns a new tensor of dtype dt and the given shape holding vals
// (converted). len(vals) must equal the shape's volume.
func FromFloat64(dt tensor.Dtype, vals []float64, shape ...int) (*tensor.Dense, error) {
	vol := 1
	for _, s := range shape {
		vol *= s
	}
	if vol != len(vals) {
		return nil, fmt.Errorf("dense: %d values for shape %v (volume %d)", len(vals), shape, vol)
	}
	switch dt {
	case tensor.Float64:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...))), nil
	case tensor.Float32:
		b := make([]float32, len(vals))
		for i, v := range vals {
			b[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b)), nil
	}
	return nil, fmt.Errorf("dense: dtype %v, want float32 or float64", dt)
}

// Valuer is anything holding float data: a tensor.Tensor or a Gorgonia
// Value (scalars such as *G.F32 included).
type Valuer interface{ Data() any }

// Float64s returns a copy of t's values as float64, in row-major order.
func Float64s(t Valuer) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	panic(fmt.Sprintf("dense: unsupported data %T", t.Data()))
}

// ReadOnly64 returns t's values as float64 without copying when it can:
// t's own backing array for float64 (do not modify it), a converted copy for
// float32; nil for other data.
func ReadOnly64(t Valuer) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// Scalar returns the single value of a scalar (or one-element) tensor as float64.
func Scalar(t Valuer) float64 {
	// Gorgonia's scalars and dense tensors first: Data() boxes a scalar
	// (an allocation, at every training step for the loss).
	switch v := t.(type) {
	case *G.F32:
		return float64(*v)
	case *G.F64:
		return float64(*v)
	case *tensor.Dense:
		if d := Of[float32](v); len(d) > 0 {
			return float64(d[0])
		}
		if d := Of[float64](v); len(d) > 0 {
			return d[0]
		}
	}
	switch d := t.Data().(type) {
	case float64:
		return d
	case float32:
		return float64(d)
	case []float64:
		return d[0]
	case []float32:
		return float64(d[0])
	}
	panic(fmt.Sprintf("dense: unsupported data %T", t.Data()))
}

// CopyValues copies src's values into dst. Both must have the same dtype and
// volume; shapes may differ (values are copied in row-major order).
func CopyValues(dst, src tensor.Tensor) error {
	if d, s := Of[float32](dst), Of[float32](src); d != nil && len(d) == len(s) {
		copy(d, s) // the common case, without Data()'s allocations
		return nil
	}
	if d, s := Of[float64](dst), Of[float64](src); d != nil && len(d) == len(s) {
		copy(d, s)
		return nil
	}
	switch d := dst.Data().(type) {
	case []float64:
		s, ok := src.Data().([]float64)
		if !ok || len(s) != len(d) {
			return fmt.Errorf("dense: copy %v %v into %v %v", src.Dtype(), src.Shape(), dst.Dtype(), dst.Shape())
		}
		copy(d, s)
	case []float32:
		s, ok := src.Data().([]float32)
		if !ok || len(s) != len(d) {
			return fmt.Errorf("dense: copy %v %v into %v %v", src.Dtype(), src.Shape(), dst.Dtype(), dst.Shape())
		}
		copy(d, s)
	default:
		return fmt.Errorf("dense: copy into unsupported data %T", dst.Data())
	}
	return nil
}

// AllFinite reports whether every value of t is finite, and if not the flat
// index of the first NaN or Inf. The common all-finite case is one
// vectorized pass; the index is searched only when there is one to find.
func AllFinite(t tensor.Tensor) (bool, int) {
	if d := Of[float32](t); d != nil && vec.AllFinite(d) {
		return true, -1 // the common case, without Data()'s allocations
	}
	if d := Of[float64](t); d != nil && vec.AllFinite(d) {
		return true, -1
	}
	switch d := t.Data().(type) {
	case []float64:
		if vec.AllFinite(d) {
			return true, -1
		}
		for i, v := range d {
			if v-v != 0 { // NaN or ±Inf
				return false, i
			}
		}
	case []float32:
		if vec.AllFinite(d) {
			return true, -1
		}
		for i, v := range d {
			if v-v != 0 {
				return false, i
			}
		}
	case float64:
		return d-d == 0, 0
	case float32:
		return d-d == 0, 0
	}
	return true, -1
}
