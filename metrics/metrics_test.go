package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/rowmajor"
)

// mat is the rows × cols matrix of data.
func mat(rows, cols int, data ...float64) rowmajor.Matrix {
	return rowmajor.Matrix{Rows: rows, Cols: cols, Data: data}
}

func TestAccuracy(t *testing.T) {
	out := []float64{
		0.1, 0.7, 0.2, // → 1
		3, 3, 1, // tie → 0 (lowest index, as torch.argmax)
		-1, -2, -0.5, // → 2
		0, 0, 1, // → 2
	}
	got, err := Accuracy{}.Eval(mat(4, 3, out...), mat(4, 1, 1, 0, 2, 0))
	if err != nil || got != 0.75 {
		t.Fatalf("accuracy = %v, %v; want 0.75", got, err)
	}
	if _, err := (Accuracy{}).Eval(mat(4, 3, out...), mat(4, 2, 1, 0, 0, 1, 2, 0, 0, 1)); !errors.Is(err, ErrShape) {
		t.Errorf("two label columns: error = %v, want ErrShape", err)
	}
}

func TestRegressionMetrics(t *testing.T) {
	out := []float64{1, 2, 3, 4}
	y := []float64{2, 2, 0, 4} // errors −1, 0, 3, 0
	if got, _ := (MAE{}).Eval(mat(2, 2, out...), mat(2, 2, y...)); got != 1 {
		t.Errorf("MAE = %v, want 1", got)
	}
	if got, _ := (RMSE{}).Eval(mat(2, 2, out...), mat(2, 2, y...)); got != math.Sqrt(2.5) {
		t.Errorf("RMSE = %v, want √2.5", got)
	}
	if _, err := (MAE{}).Eval(mat(2, 2, out...), mat(2, 1, 2, 0)); !errors.Is(err, ErrShape) {
		t.Errorf("mismatched width: error = %v, want ErrShape", err)
	}
}

func TestDirections(t *testing.T) {
	for _, c := range []struct {
		m    Metric
		want goal.Direction
	}{{Accuracy{}, goal.Maximize}, {BinaryAccuracy{}, goal.Maximize}, {MAE{}, goal.Minimize}, {RMSE{}, goal.Minimize}} {
		if got := c.m.Direction(); got != c.want {
			t.Errorf("%s: Direction() = %v, want %v", c.m.Name(), got, c.want)
		}
	}
}

// With one output the arg-max is always 0, so Accuracy returned the share
// of label 0 for a logistic regression: it now refuses, and BinaryAccuracy
// thresholds the output as Keras's BinaryAccuracy does.
func TestOneOutputAccuracy(t *testing.T) {
	logits := []float64{2.5, -1, 0, 0.7, -3}
	labels := []float64{1, 0, 1, 0, 0}
	if _, err := (Accuracy{}).Eval(mat(5, 1, logits...), mat(5, 1, labels...)); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "BinaryAccuracy") {
		t.Errorf("Accuracy on one output: error = %v, want ErrShape pointing to BinaryAccuracy", err)
	}
	// Logits: > 0 → 1: predictions 1 0 0 1 0 against 1 0 1 0 0 → 3 of 5.
	if got, err := (BinaryAccuracy{FromLogits: true}).Eval(mat(5, 1, logits...), mat(5, 1, labels...)); err != nil || got != 0.6 {
		t.Errorf("BinaryAccuracy{FromLogits} = %v, %v; want 0.6", got, err)
	}
	// Probabilities: > 0.5 → 1 (0.5 itself is 0): 1 0 0 1 0 and 0 1 0 1 1.
	probs := []float64{0.9, 0.2, 0.5, 0.51, 0.1}
	if got, err := (BinaryAccuracy{}).Eval(mat(5, 1, probs...), mat(5, 1, 0, 1, 0, 1, 1)); err != nil || got != 0.4 {
		t.Errorf("BinaryAccuracy = %v, %v; want 0.4", got, err)
	}
	if _, err := (BinaryAccuracy{}).Eval(mat(5, 1, probs...), mat(5, 1, 0, 2, 0, 1, 1)); !errors.Is(err, ErrLabel) {
		t.Errorf("label 2: error = %v, want ErrLabel", err)
	}
	if _, err := (BinaryAccuracy{}).Eval(mat(1, 2, 1, 2), mat(1, 1, 0)); !errors.Is(err, ErrShape) {
		t.Errorf("two outputs: error = %v, want ErrShape", err)
	}
}

// A label that is not one of the classes is an error, not a miss.
func TestAccuracyRefusesBadLabels(t *testing.T) {
	out := []float64{0.2, 0.8, 0.6, 0.4}
	for _, l := range []float64{5, -1, 0.5, math.NaN()} {
		if _, err := (Accuracy{}).Eval(mat(2, 2, out...), mat(2, 1, 1, l)); !errors.Is(err, ErrLabel) {
			t.Errorf("label %v: error = %v, want ErrLabel", l, err)
		}
	}
	if _, err := (RMSE{}).Eval(rowmajor.Matrix{Rows: -1, Cols: 1}, rowmajor.Matrix{Rows: -1, Cols: 1}); !errors.Is(err, ErrShape) {
		t.Errorf("RMSE with n = -1: error = %v, want ErrShape", err)
	}
}

// A Matrix whose Data disagrees with Rows × Cols is an ErrShape naming
// both, for every metric: never a panic, never a silent truncation to the
// first Rows × Cols values.
func TestEvalRefusesInvalidMatrices(t *testing.T) {
	for _, m := range []Metric{Accuracy{}, BinaryAccuracy{}, MAE{}, RMSE{}} {
		for _, c := range []struct {
			name    string
			out, y  rowmajor.Matrix
			mention []string
		}{
			{"long outputs", mat(2, 1, 0, 1, 1), mat(2, 1, 0, 1), []string{"outputs", "3 values", "2 rows × 1 columns", "want 2"}},
			{"short targets", mat(2, 1, 0, 1), mat(2, 1, 1), []string{"targets", "1 values", "want 2"}},
			{"negative rows", mat(-1, 1), mat(-1, 1), []string{"-1 rows"}},
			{"rows differ", mat(2, 1, 0, 1), mat(3, 1, 0, 1, 1), []string{"outputs (2, 1) and targets (3, 1)", "same number of rows"}},
			{"no rows", mat(0, 1), mat(0, 1), []string{"no rows"}},
		} {
			_, err := m.Eval(c.out, c.y)
			if !errors.Is(err, ErrShape) {
				t.Errorf("%s, %s: error = %v, want ErrShape", m.Name(), c.name, err)
				continue
			}
			for _, w := range c.mention {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s, %s: error %q does not mention %q", m.Name(), c.name, err, w)
				}
			}
		}
	}
	_, err := (MAE{}).Eval(mat(2, 1, 0, 1, 1), mat(2, 1, 0, 1))
	if !errors.Is(err, rowmajor.ErrShape) {
		t.Errorf("error = %v, want it to wrap rowmajor.ErrShape too", err)
	}
}
