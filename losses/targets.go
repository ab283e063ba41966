package losses

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/rowmajor"
)

// checkRaw checks that y is a valid matrix with at least one column.
func checkRaw(name string, y rowmajor.Matrix) error {
	if err := y.Validate(); err != nil {
		return fmt.Errorf("%w: %s: targets: %w", ErrTarget, name, err)
	}
	if y.Cols < 1 {
		return fmt.Errorf("%w: %s: targets have %d columns, want ≥ 1", ErrTarget, name, y.Cols)
	}
	return nil
}

// realTargets passes through (n, outputs) finite real targets.
func realTargets(name string, y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	return passTargets(name, y, outputs, func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }, "a finite value")
}

// probTargets passes through (n, outputs) targets in [0, 1].
func probTargets(name string, y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	return passTargets(name, y, outputs, func(v float64) bool { return v >= 0 && v <= 1 }, "a probability in [0, 1]")
}

// passTargets copies y, which must have outputs columns of values ok accepts.
func passTargets(name string, y rowmajor.Matrix, outputs int, ok func(float64) bool, want string) (rowmajor.Matrix, error) {
	if err := checkRaw(name, y); err != nil {
		return rowmajor.Matrix{}, err
	}
	if y.Cols != outputs {
		return rowmajor.Matrix{}, fmt.Errorf("%w: %s: targets have %d columns, the model has %d outputs", ErrTarget, name, y.Cols, outputs)
	}
	out := make([]float64, len(y.Data))
	for j, v := range y.Data {
		if !ok(v) {
			return rowmajor.Matrix{}, fmt.Errorf("%w: %s: row %d, column %d has target %v, want %s", ErrTarget, name, j/y.Cols, j%y.Cols, v, want)
		}
		out[j] = v
	}
	return rowmajor.Matrix{Rows: y.Rows, Cols: y.Cols, Data: out}, nil
}

// labels checks y's integer class labels in [0, classes) (one column) and
// calls set(row, label) for each.
func labels(name string, y rowmajor.Matrix, classes int, set func(row, label int)) error {
	if err := checkRaw(name, y); err != nil {
		return err
	}
	if y.Cols != 1 {
		return fmt.Errorf("%w: %s: targets have %d columns, want 1 column of class labels", ErrTarget, name, y.Cols)
	}
	for i, v := range y.Data {
		if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
			return fmt.Errorf("%w: %s: row %d has label %v, want an integer in [0, %d)", ErrTarget, name, i, v, classes)
		}
		set(i, int(v))
	}
	return nil
}
