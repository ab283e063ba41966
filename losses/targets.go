package losses

import (
	"fmt"
	"math"
)

// checkRaw checks that y holds n rows of k columns.
func checkRaw(name string, y []float64, n, k int) error {
	if n < 0 || k < 1 {
		return fmt.Errorf("%w: %s: %d rows of %d columns, want n ≥ 0 rows of k ≥ 1 columns", ErrTarget, name, n, k)
	}
	if len(y) < n*k {
		return fmt.Errorf("%w: %s: %d values for %d rows × %d columns", ErrTarget, name, len(y), n, k)
	}
	return nil
}

// realTargets passes through (n, outputs) finite real targets.
func realTargets(name string, y []float64, n, k, outputs int) ([]float64, error) {
	return passTargets(name, y, n, k, outputs, func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }, "a finite value")
}

// probTargets passes through (n, outputs) targets in [0, 1].
func probTargets(name string, y []float64, n, k, outputs int) ([]float64, error) {
	return passTargets(name, y, n, k, outputs, func(v float64) bool { return v >= 0 && v <= 1 }, "a probability in [0, 1]")
}

func passTargets(name string, y []float64, n, k, outputs int, ok func(float64) bool, want string) ([]float64, error) {
	if err := checkRaw(name, y, n, k); err != nil {
		return nil, err
	}
	if k != outputs {
		return nil, fmt.Errorf("%w: %s: targets have %d columns, the model has %d outputs", ErrTarget, name, k, outputs)
	}
	out := make([]float64, n*k)
	for j, v := range y[:n*k] {
		if !ok(v) {
			return nil, fmt.Errorf("%w: %s: row %d, column %d has target %v, want %s", ErrTarget, name, j/k, j%k, v, want)
		}
		out[j] = v
	}
	return out, nil
}

// labels checks n integer class labels in [0, classes) (k must be 1) and
// calls set(row, label) for each.
func labels(name string, y []float64, n, k, classes int, set func(row, label int)) error {
	if err := checkRaw(name, y, n, k); err != nil {
		return err
	}
	if k != 1 {
		return fmt.Errorf("%w: %s: targets have %d columns, want 1 column of class labels", ErrTarget, name, k)
	}
	for i, v := range y[:n] {
		if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
			return fmt.Errorf("%w: %s: row %d has label %v, want an integer in [0, %d)", ErrTarget, name, i, v, classes)
		}
		set(i, int(v))
	}
	return nil
}
