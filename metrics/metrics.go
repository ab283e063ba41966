// Package metrics computes evaluation metrics on the host from a model's
// outputs, read back after a forward pass.
package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/gradtune/gradtune/goal"
)

// ErrShape is wrapped by errors about outputs and targets that don't match.
var ErrShape = errors.New("metrics: shape mismatch")

// Metric scores predictions.
//
// out is row-major (n, outputs); y holds the raw targets row-major (n, k), as
// stored in a data.Dataset (class labels in one column for classification).
type Metric interface {
	Name() string
	Eval(out []float64, y []float64, n, outputs, k int) (float64, error)
	// Direction is the way the metric improves: goal.Minimize or
	// goal.Maximize (never goal.Auto). Callbacks monitoring the metric with
	// an Auto mode take this direction.
	Direction() goal.Direction
}

// Accuracy is the fraction of rows whose arg-max output equals the label
// (ties go to the lowest index, as torch.argmax). Targets: (n, 1) labels.
type Accuracy struct{}

func (Accuracy) Name() string              { return "accuracy" }
func (Accuracy) Direction() goal.Direction { return goal.Maximize }

// Eval implements Metric.
func (Accuracy) Eval(out, y []float64, n, outputs, k int) (float64, error) {
	if k != 1 || len(out) < n*outputs || len(y) < n || n == 0 {
		return 0, fmt.Errorf("%w: accuracy wants outputs (n, classes) and labels (n, 1); got n=%d outputs=%d k=%d", ErrShape, n, outputs, k)
	}
	correct := 0
	for i := 0; i < n; i++ {
		row := out[i*outputs : (i+1)*outputs]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if float64(best) == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(n), nil
}

// MAE is the mean absolute error over all n×outputs elements. Targets: (n, outputs).
type MAE struct{}

func (MAE) Name() string              { return "mae" }
func (MAE) Direction() goal.Direction { return goal.Minimize }

// Eval implements Metric.
func (MAE) Eval(out, y []float64, n, outputs, k int) (float64, error) {
	return meanOf(out, y, n, outputs, k, "mae", math.Abs)
}

// RMSE is the root mean squared error over all n×outputs elements. Targets: (n, outputs).
type RMSE struct{}

func (RMSE) Name() string              { return "rmse" }
func (RMSE) Direction() goal.Direction { return goal.Minimize }

// Eval implements Metric.
func (RMSE) Eval(out, y []float64, n, outputs, k int) (float64, error) {
	m, err := meanOf(out, y, n, outputs, k, "rmse", func(d float64) float64 { return d * d })
	return math.Sqrt(m), err
}

func meanOf(out, y []float64, n, outputs, k int, name string, f func(float64) float64) (float64, error) {
	if k != outputs || len(out) < n*outputs || len(y) < n*k || n == 0 {
		return 0, fmt.Errorf("%w: %s wants outputs and targets both (n, outputs); got n=%d outputs=%d k=%d", ErrShape, name, n, outputs, k)
	}
	s := 0.0
	for i := 0; i < n*outputs; i++ {
		s += f(out[i] - y[i])
	}
	return s / float64(n*outputs), nil
}
