package data

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/vec"
)

// This file holds the small helpers that move float64 rows in and out of
// row-major float32/float64 *tensor.Dense matrices.

// supported reports whether dt is one of the two dtypes a Dataset may hold.
func supported(dt tensor.Dtype) bool {
	return dt == tensor.Float32 || dt == tensor.Float64
}

// dtypeOr returns dt, or def when dt is the zero tensor.Dtype{}; other dtypes
// than Float32 and Float64 wrap ErrDtype.
func dtypeOr(dt, def tensor.Dtype) (tensor.Dtype, error) {
	if dt.Type == nil {
		return def, nil
	}
	if !supported(dt) {
		return dt, fmt.Errorf("%w: %v, want float32 or float64", ErrDtype, dt)
	}
	return dt, nil
}

// checkMatrix checks that t (named name in errors) is a non-nil 2-D float32 or
// float64 tensor with at least one row and one column.
func checkMatrix(name string, t *tensor.Dense) error {
	switch {
	case t == nil:
		return fmt.Errorf("%w: %s is nil", ErrShape, name)
	case t.Dims() != 2:
		return fmt.Errorf("%w: %s has shape %v, want 2-D (n, columns)", ErrShape, name, t.Shape())
	case !supported(t.Dtype()):
		return fmt.Errorf("%w: %s is %v, want float32 or float64", ErrDtype, name, t.Dtype())
	case t.Shape()[0] == 0:
		return fmt.Errorf("%w: %s has no rows", ErrEmpty, name)
	case t.Shape()[1] == 0:
		return fmt.Errorf("%w: %s has no columns", ErrShape, name)
	}
	return nil
}

// rowMajor returns t if its backing array holds exactly its values in
// row-major order, and otherwise a contiguous row-major copy of it.
func rowMajor(t *tensor.Dense) *tensor.Dense {
	n, w := t.Shape()[0], t.Shape()[1]
	if !t.RequiresIterator() && !t.IsMaterializable() && !t.IsMasked() &&
		t.DataOrder().IsRowMajor() && t.DataSize() == n*w {
		return t
	}
	if t.Dtype() == tensor.Float32 {
		return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(copyAt[float32](t, n, w)))
	}
	return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(copyAt[float64](t, n, w)))
}

// copyAt reads t element by element, which is right for any layout.
func copyAt[T float32 | float64](t *tensor.Dense, n, w int) []T {
	out := make([]T, 0, n*w)
	for i := range n {
		for j := range w {
			v, err := t.At(i, j)
			if err != nil {
				// Unreachable: i and j are within the shape checked by checkMatrix.
				panic(fmt.Sprintf("data: At(%d, %d) on shape %v: %v", i, j, t.Shape(), err))
			}
			out = append(out, v.(T))
		}
	}
	return out
}

// checkFinite returns an error wrapping ErrNonFinite that names the 0-based
// row and column of the first NaN or ±Inf in the row-major matrix t.
func checkFinite(name string, t *tensor.Dense) error {
	w := t.Shape()[1]
	var k int
	var v float64
	switch s := t.Data().(type) {
	case []float32:
		k = firstNonFinite(s)
		if k >= 0 {
			v = float64(s[k])
		}
	case []float64:
		k = firstNonFinite(s)
		if k >= 0 {
			v = s[k]
		}
	}
	if k < 0 {
		return nil
	}
	return fmt.Errorf("%w: %s row %d, column %d is %v", ErrNonFinite, name, k/w, k%w, v)
}

// firstNonFinite returns the index of the first NaN or ±Inf in s, or -1.
func firstNonFinite[T float32 | float64](s []T) int {
	if vec.AllFinite(s) { // vectorized: the common case costs a fraction of the scan
		return -1
	}
	for i, v := range s {
		if v-v != 0 { // NaN - NaN and Inf - Inf are NaN; finite v - v is 0.
			return i
		}
	}
	return -1
}

// flatten copies rows into one row-major slice and returns it with the row
// width; ragged rows or an empty first row wrap ErrShape and name the row.
func flatten(name string, rows [][]float64) ([]float64, int, error) {
	w := len(rows[0])
	if w == 0 {
		return nil, 0, fmt.Errorf("%w: %s row 0 is empty", ErrShape, name)
	}
	out := make([]float64, 0, len(rows)*w)
	for i, r := range rows {
		if len(r) != w {
			return nil, 0, fmt.Errorf("%w: %s row %d has %d values, want %d (the width of row 0)",
				ErrShape, name, i, len(r), w)
		}
		out = append(out, r...)
	}
	return out, w, nil
}

// checkFloat32 reports the first value of the row-major (n, w) matrix vs
// that overflows float32, so that converting does not turn it into an Inf
// the user never wrote. name is "X" or "Y".
func checkFloat32(name string, vs []float64, w int) error {
	for i, v := range vs {
		if math.Abs(v) > math.MaxFloat32 {
			return fmt.Errorf("%w: %s row %d, column %d is %g, which overflows float32 (max ±%g); use Float64",
				ErrNonFinite, name, i/w, i%w, v, math.MaxFloat32)
		}
	}
	return nil
}

// matrix returns an (n, w) tensor of dtype dt (Float32 or Float64) holding vs.
// For Float64 it takes ownership of vs; for Float32 it converts a copy.
func matrix(vs []float64, n, w int, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(vs))
		for i, v := range vs {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(vs))
}

// gatherRows returns a new matrix holding copies of the rows idx of the
// row-major matrix t; every index must be in range.
func gatherRows(t *tensor.Dense, idx []int) *tensor.Dense {
	w := t.Shape()[1]
	var backing any
	switch s := t.Data().(type) {
	case []float32:
		backing = gather(s, w, idx)
	case []float64:
		backing = gather(s, w, idx)
	}
	return tensor.New(tensor.WithShape(len(idx), w), tensor.WithBacking(backing))
}

func gather[T float32 | float64](src []T, w int, idx []int) []T {
	out := make([]T, len(idx)*w)
	for k, i := range idx {
		copy(out[k*w:(k+1)*w], src[i*w:(i+1)*w])
	}
	return out
}
