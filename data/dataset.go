package data

import (
	"fmt"
	gtdense "github.com/gradtune/gradtune/internal/dense"
	"math"

	"gorgonia.org/tensor"
)

// Dataset is an in-memory supervised dataset: X (n, features) and Y
// (n, targets), both *tensor.Dense of the same dtype (tensor.Float32 or
// tensor.Float64), row-major and contiguous, with n ≥ 1 and every value
// finite. For classification Y has one column holding integer class labels as
// floats.
//
// Build one with [New], [FromRows], [FromLabels], [LoadCSV] or [LoadMNIST];
// those check the invariants above, which the methods rely on. A Dataset is
// not modified by its methods, so it is safe for concurrent reads.
type Dataset struct {
	X, Y *tensor.Dense
}

// New validates x (n, features) and y (n, targets) and wraps them in a
// Dataset without copying, unless one is a view, transposed, masked or
// column-major, in which case it is copied into a contiguous row-major tensor.
//
// Errors: a nil or non-2-D tensor, a zero-width one or different row counts
// wrap ErrShape; n = 0 wraps ErrEmpty; a dtype other than Float32/Float64, or
// x and y of different dtypes, wraps ErrDtype; a NaN or ±Inf wraps
// ErrNonFinite and names the tensor (X or Y), the 0-based row and column of
// the first one, and the value.
func New(x, y *tensor.Dense) (*Dataset, error) {
	if err := checkMatrix("X", x); err != nil {
		return nil, err
	}
	if err := checkMatrix("Y", y); err != nil {
		return nil, err
	}
	if x.Dtype() != y.Dtype() {
		return nil, fmt.Errorf("%w: X is %v but Y is %v", ErrDtype, x.Dtype(), y.Dtype())
	}
	if nx, ny := x.Shape()[0], y.Shape()[0]; nx != ny {
		return nil, fmt.Errorf("%w: X has %d rows but Y has %d", ErrShape, nx, ny)
	}
	x, y = rowMajor(x), rowMajor(y)
	if err := checkFinite("X", x); err != nil {
		return nil, err
	}
	if err := checkFinite("Y", y); err != nil {
		return nil, err
	}
	return &Dataset{X: x, Y: y}, nil
}

// FromRows copies x (n rows of features) and y (n rows of targets) into a
// Dataset of dtype dt (the zero tensor.Dtype{} means tensor.Float64).
//
// Errors: as [New]; besides, no rows wraps ErrEmpty, and ragged rows, an empty
// first row or len(x) != len(y) wrap ErrShape and name the row.
func FromRows(x, y [][]float64, dt tensor.Dtype) (*Dataset, error) {
	dt, err := dtypeOr(dt, tensor.Float64)
	if err != nil {
		return nil, err
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("%w: X has no rows", ErrEmpty)
	}
	if len(y) != len(x) {
		return nil, fmt.Errorf("%w: X has %d rows but Y has %d", ErrShape, len(x), len(y))
	}
	xs, f, err := flatten("X", x)
	if err != nil {
		return nil, err
	}
	ys, t, err := flatten("Y", y)
	if err != nil {
		return nil, err
	}
	if dt == tensor.Float32 {
		if err := checkFloat32("X", xs, f); err != nil {
			return nil, err
		}
		if err := checkFloat32("Y", ys, t); err != nil {
			return nil, err
		}
	}
	return New(matrix(xs, len(x), f, dt), matrix(ys, len(y), t, dt))
}

// FromLabels is like [FromRows] for classification: labels holds one integer
// class per row of x and becomes the single column of Y.
//
// Errors: as [FromRows]; len(labels) != len(x) wraps ErrShape, and a negative
// label wraps ErrLabel and names its row.
func FromLabels(x [][]float64, labels []int, dt tensor.Dtype) (*Dataset, error) {
	if len(labels) != len(x) {
		return nil, fmt.Errorf("%w: X has %d rows but there are %d labels", ErrShape, len(x), len(labels))
	}
	y := make([][]float64, len(labels))
	for i, l := range labels {
		if l < 0 {
			return nil, fmt.Errorf("%w: row %d has label %d, want ≥ 0", ErrLabel, i, l)
		}
		y[i] = []float64{float64(l)}
	}
	return FromRows(x, y, dt)
}

// empty reports whether d is nil or a zero Dataset (the methods below
// answer zero for it instead of panicking).
func (d *Dataset) empty() bool {
	return d == nil || d.X == nil || d.Y == nil || len(d.X.Shape()) != 2 || len(d.Y.Shape()) != 2
}

// Len returns the number of rows n (0 for a zero Dataset).
func (d *Dataset) Len() int {
	if d.empty() {
		return 0
	}
	return d.X.Shape()[0]
}

// Features returns the number of columns of X (0 for a zero Dataset).
func (d *Dataset) Features() int {
	if d.empty() {
		return 0
	}
	return d.X.Shape()[1]
}

// Targets returns the number of columns of Y (0 for a zero Dataset).
func (d *Dataset) Targets() int {
	if d.empty() {
		return 0
	}
	return d.Y.Shape()[1]
}

// Dtype returns the dtype of X and Y (the zero Dtype for a zero Dataset).
func (d *Dataset) Dtype() tensor.Dtype {
	if d.empty() {
		return tensor.Dtype{}
	}
	return d.X.Dtype()
}

// Subset returns a new Dataset holding copies of the rows idx, in that order
// (an index may repeat).
//
// Errors: an empty idx wraps ErrEmpty; an index outside [0, Len()) wraps
// ErrIndex and names it and its position in idx.
func (d *Dataset) Subset(idx []int) (*Dataset, error) {
	if d.empty() {
		return nil, fmt.Errorf("%w: Subset of an empty Dataset", ErrEmpty)
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: Subset of no rows", ErrEmpty)
	}
	n := d.Len()
	for p, i := range idx {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("%w: idx[%d] = %d, want 0 ≤ index < %d", ErrIndex, p, i, n)
		}
	}
	return &Dataset{X: gatherRows(d.X, idx), Y: gatherRows(d.Y, idx)}, nil
}

// AsType returns d converted to dt, or d itself if it already has that dtype.
//
// Errors: dt other than tensor.Float32 or tensor.Float64 (the zero Dtype
// included) wraps ErrDtype; a float64 value too large for float32 wraps
// ErrNonFinite.
func (d *Dataset) AsType(dt tensor.Dtype) (*Dataset, error) {
	if !supported(dt) {
		return nil, fmt.Errorf("%w: %v, want float32 or float64", ErrDtype, dt)
	}
	if d.empty() {
		return nil, fmt.Errorf("%w: AsType of an empty Dataset", ErrEmpty)
	}
	if dt == d.Dtype() {
		return d, nil
	}
	n := d.Len()
	xs, ys := gtdense.ReadOnly64(d.X), gtdense.ReadOnly64(d.Y)
	if dt == tensor.Float32 {
		if err := checkFloat32("X", xs, d.Features()); err != nil {
			return nil, err
		}
		if err := checkFloat32("Y", ys, d.Targets()); err != nil {
			return nil, err
		}
	}
	return New(matrix(xs, n, d.Features(), dt), matrix(ys, n, d.Targets(), dt))
}

// Labels returns column 0 of Y as ints.
//
// Errors: a value that is not an integer, is negative or is above
// math.MaxInt32 wraps ErrLabel and names its row.
func (d *Dataset) Labels() ([]int, error) {
	if d.empty() {
		return nil, fmt.Errorf("%w: Labels of an empty Dataset", ErrEmpty)
	}
	n, t := d.Len(), d.Targets()
	ys := gtdense.ReadOnly64(d.Y)
	out := make([]int, n)
	for i := range out {
		v := ys[i*t]
		if v != math.Trunc(v) || v < 0 || v > math.MaxInt32 {
			return nil, fmt.Errorf("%w: Y row %d, column 0 is %v, want an integer ≥ 0", ErrLabel, i, v)
		}
		out[i] = int(v)
	}
	return out, nil
}
