// Package rowmajor holds Matrix, the host-side (rows, cols) float64 matrix
// that losses and metrics exchange with the trainer: targets as stored in a
// data.Dataset, encoded targets, a model's read-back outputs.
//
// It depends on nothing but the standard library, so packages that must stay
// free of Gorgonia (metrics) can use it too.
package rowmajor

import (
	"errors"
	"fmt"
	"math"
)

// ErrShape is wrapped by every error about a Matrix whose sizes and data
// disagree.
var ErrShape = errors.New("rowmajor: invalid matrix")

// Matrix is a Rows × Cols matrix of float64 stored row by row: element
// (i, j) is Data[i*Cols+j]. A valid Matrix has Rows ≥ 0, Cols ≥ 0 and
// exactly Rows*Cols values; the zero value is a valid empty (0, 0) matrix.
//
// A Matrix is a view: it does not copy Data, and functions that take one
// must not modify it unless they say so.
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// Validate returns nil if m is valid, else an error wrapping ErrShape that
// says what is wrong: a negative size, or a Data length other than
// Rows*Cols (naming both).
func (m Matrix) Validate() error {
	if m.Rows < 0 || m.Cols < 0 {
		return fmt.Errorf("%w: %d rows × %d columns, want sizes ≥ 0", ErrShape, m.Rows, m.Cols)
	}
	if m.Cols > 0 && m.Rows > math.MaxInt/m.Cols {
		return fmt.Errorf("%w: %d rows × %d columns overflows int", ErrShape, m.Rows, m.Cols)
	}
	if want := m.Rows * m.Cols; len(m.Data) != want {
		return fmt.Errorf("%w: %d values for %d rows × %d columns, want %d", ErrShape, len(m.Data), m.Rows, m.Cols, want)
	}
	return nil
}

// Row returns row i, Data[i*Cols : (i+1)*Cols], sharing m's storage (its
// capacity ends with the row, so appending to it never overwrites the next
// row). Where slicing would panic it returns nil: i outside [0, Rows), or
// Data too short to hold row i (call Validate first on a Matrix you did
// not build).
func (m Matrix) Row(i int) []float64 {
	if i < 0 || i >= m.Rows || m.Cols < 0 || m.Cols > 0 && i >= len(m.Data)/m.Cols {
		return nil
	}
	return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols]
}
