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

// ErrLabel is wrapped by errors about a class label that is not one of the
// model's classes (not an integer in [0, classes), or NaN).
var ErrLabel = errors.New("metrics: invalid label")

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
// (ties go to the lowest index, as torch.argmax). Outputs: (n, classes) with
// classes ≥ 2; targets: (n, 1) labels in [0, classes). A model with one
// output (a logistic regression) is scored by BinaryAccuracy: with one
// column the arg-max is always 0, so Eval refuses it (ErrShape) rather than
// return the share of label 0. A label outside [0, classes) wraps ErrLabel.
type Accuracy struct{}

func (Accuracy) Name() string              { return "accuracy" }
func (Accuracy) Direction() goal.Direction { return goal.Maximize }

// Eval implements Metric.
func (Accuracy) Eval(out, y []float64, n, outputs, k int) (float64, error) {
	if k != 1 || n <= 0 || outputs < 1 || len(out) < n*outputs || len(y) < n {
		return 0, fmt.Errorf("%w: accuracy wants outputs (n, classes) and labels (n, 1); got n=%d outputs=%d k=%d", ErrShape, n, outputs, k)
	}
	if outputs == 1 {
		return 0, fmt.Errorf("%w: accuracy takes the arg-max of (n, classes ≥ 2) outputs, and this model has 1 output; score a one-output binary model with metrics.BinaryAccuracy", ErrShape)
	}
	correct := 0
	for i := 0; i < n; i++ {
		if err := checkLabel(y[i], outputs, i); err != nil {
			return 0, err
		}
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

// BinaryAccuracy is the fraction of rows whose one output, thresholded,
// equals the 0/1 label: the prediction is 1 where the output is above 0.5 (a
// probability, after a sigmoid), or above 0 with FromLogits (a logit, as
// losses.BCEWithLogits takes), as Keras's BinaryAccuracy (y_pred > threshold).
// Outputs: (n, 1); targets: (n, 1) labels 0 or 1, else ErrLabel.
type BinaryAccuracy struct {
	FromLogits bool // outputs are logits: threshold 0 instead of 0.5
}

func (BinaryAccuracy) Name() string              { return "binary_accuracy" }
func (BinaryAccuracy) Direction() goal.Direction { return goal.Maximize }

// Eval implements Metric.
func (b BinaryAccuracy) Eval(out, y []float64, n, outputs, k int) (float64, error) {
	if k != 1 || outputs != 1 || n <= 0 || len(out) < n || len(y) < n {
		return 0, fmt.Errorf("%w: binary_accuracy wants outputs (n, 1) and labels (n, 1); got n=%d outputs=%d k=%d", ErrShape, n, outputs, k)
	}
	threshold := 0.5
	if b.FromLogits {
		threshold = 0
	}
	correct := 0
	for i := 0; i < n; i++ {
		if err := checkLabel(y[i], 2, i); err != nil {
			return 0, err
		}
		if (out[i] > threshold) == (y[i] == 1) {
			correct++
		}
	}
	return float64(correct) / float64(n), nil
}

// checkLabel returns an error wrapping ErrLabel unless label is an integer
// in [0, classes); row is 0-based.
func checkLabel(label float64, classes, row int) error {
	if !(label >= 0 && label < float64(classes) && label == math.Trunc(label)) {
		return fmt.Errorf("%w: row %d has label %v, want an integer in [0, %d)", ErrLabel, row+1, label, classes)
	}
	return nil
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
	if k != outputs || n <= 0 || len(out) < n*outputs || len(y) < n*k {
		return 0, fmt.Errorf("%w: %s wants outputs and targets both (n, outputs); got n=%d outputs=%d k=%d", ErrShape, name, n, outputs, k)
	}
	s := 0.0
	for i := 0; i < n*outputs; i++ {
		s += f(out[i] - y[i])
	}
	return s / float64(n*outputs), nil
}
