// Package metrics computes evaluation metrics on the host from a model's
// outputs, read back after a forward pass, as rowmajor.Matrix values:
// outputs (n, outputs) and raw targets (n, k). Func makes a Metric of one
// function. The package depends on no Gorgonia.
package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/rowmajor"
)

// ErrShape is wrapped by errors about outputs and targets that don't match.
var ErrShape = errors.New("metrics: shape mismatch")

// ErrLabel is wrapped by errors about a class label that is not one of the
// model's classes (not an integer in [0, classes), or NaN).
var ErrLabel = errors.New("metrics: invalid label")

// Metric scores predictions.
type Metric interface {
	Name() string
	// Eval scores out, a model's outputs (n, outputs), against y, the raw
	// targets (n, k) as stored in a data.Dataset (class labels in one
	// column for classification); it must not modify either. Outputs and
	// targets that do not fit the metric, or an invalid Matrix (which also
	// wraps rowmajor.ErrShape), are an error wrapping ErrShape that names
	// the shapes.
	Eval(out, y rowmajor.Matrix) (float64, error)
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
func (a Accuracy) Eval(out, y rowmajor.Matrix) (float64, error) {
	if err := checkPair(a.Name(), out, y); err != nil {
		return 0, err
	}
	if y.Cols != 1 {
		return 0, fmt.Errorf("%w: accuracy wants outputs (n, classes) and labels (n, 1); got outputs %s and targets %s", ErrShape, shape(out), shape(y))
	}
	if out.Cols == 1 {
		return 0, fmt.Errorf("%w: accuracy takes the arg-max of (n, classes ≥ 2) outputs, and this model has 1 output; score a one-output binary model with metrics.BinaryAccuracy", ErrShape)
	}
	correct := 0
	for i, label := range y.Data {
		if err := checkLabel(label, out.Cols, i); err != nil {
			return 0, err
		}
		row := out.Row(i)
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if float64(best) == label {
			correct++
		}
	}
	return float64(correct) / float64(out.Rows), nil
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
func (b BinaryAccuracy) Eval(out, y rowmajor.Matrix) (float64, error) {
	if err := checkPair(b.Name(), out, y); err != nil {
		return 0, err
	}
	if out.Cols != 1 || y.Cols != 1 {
		return 0, fmt.Errorf("%w: binary_accuracy wants outputs (n, 1) and labels (n, 1); got outputs %s and targets %s", ErrShape, shape(out), shape(y))
	}
	threshold := 0.5
	if b.FromLogits {
		threshold = 0
	}
	correct := 0
	for i, label := range y.Data {
		if err := checkLabel(label, 2, i); err != nil {
			return 0, err
		}
		if (out.Data[i] > threshold) == (label == 1) {
			correct++
		}
	}
	return float64(correct) / float64(out.Rows), nil
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
func (MAE) Eval(out, y rowmajor.Matrix) (float64, error) {
	return meanOf(out, y, "mae", math.Abs)
}

// RMSE is the root mean squared error over all n×outputs elements. Targets: (n, outputs).
type RMSE struct{}

func (RMSE) Name() string              { return "rmse" }
func (RMSE) Direction() goal.Direction { return goal.Minimize }

// Eval implements Metric.
func (RMSE) Eval(out, y rowmajor.Matrix) (float64, error) {
	m, err := meanOf(out, y, "rmse", func(d float64) float64 { return d * d })
	return math.Sqrt(m), err
}

// meanOf is the mean of f(out − y) over all elements of out and y, both
// (n, outputs).
func meanOf(out, y rowmajor.Matrix, name string, f func(float64) float64) (float64, error) {
	if err := checkPair(name, out, y); err != nil {
		return 0, err
	}
	if out.Cols != y.Cols {
		return 0, fmt.Errorf("%w: %s wants outputs and targets both (n, outputs); got outputs %s and targets %s", ErrShape, name, shape(out), shape(y))
	}
	s := 0.0
	for i, o := range out.Data {
		s += f(o - y.Data[i])
	}
	return s / float64(len(out.Data)), nil
}

// checkPair checks that out and y are valid matrices with the same n ≥ 1
// rows and at least one column each.
func checkPair(name string, out, y rowmajor.Matrix) error {
	if err := out.Validate(); err != nil {
		return fmt.Errorf("%w: %s: outputs: %w", ErrShape, name, err)
	}
	if err := y.Validate(); err != nil {
		return fmt.Errorf("%w: %s: targets: %w", ErrShape, name, err)
	}
	switch {
	case out.Rows != y.Rows:
		return fmt.Errorf("%w: %s: outputs %s and targets %s, want the same number of rows", ErrShape, name, shape(out), shape(y))
	case out.Rows == 0:
		return fmt.Errorf("%w: %s: no rows to score (outputs %s), want n ≥ 1", ErrShape, name, shape(out))
	case out.Cols < 1 || y.Cols < 1:
		return fmt.Errorf("%w: %s: outputs %s and targets %s, want ≥ 1 column each", ErrShape, name, shape(out), shape(y))
	}
	return nil
}

// shape reads "(rows, cols)".
func shape(m rowmajor.Matrix) string { return fmt.Sprintf("(%d, %d)", m.Rows, m.Cols) }
