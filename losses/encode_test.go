package losses

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/rowmajor"
)

func TestEncodeTargets(t *testing.T) {
	for _, c := range []struct {
		name       string
		l          Loss
		y          []float64
		n, k, outs int
		want       []float64
	}{
		{"mse passes through", MSE{}, []float64{1.5, -2, 3, 4}, 2, 2, 2, []float64{1.5, -2, 3, 4}},
		{"huber passes through", Huber{Delta: 2}, []float64{-7}, 1, 1, 1, []float64{-7}},
		{"bce probabilities", BCE{}, []float64{0, 1, 0.25}, 3, 1, 1, []float64{0, 1, 0.25}},
		{"ce labels one-hot", CrossEntropy{}, []float64{2, 0}, 2, 1, 3, []float64{0, 0, 1, 1, 0, 0}},
		{"ce probabilities pass through", CrossEntropy{}, []float64{0.2, 0.8, 1, 0}, 2, 2, 2, []float64{0.2, 0.8, 1, 0}},
		{"ce labels with weights: flag 1", CrossEntropy{ClassWeights: []float64{1, 2, 3}}, []float64{1, 2}, 2, 1, 3,
			[]float64{0, 1, 0, 1, 0, 0, 1, 1}},
		{"ce probabilities with weights: flag 0", CrossEntropy{ClassWeights: []float64{1, 2}}, []float64{0.2, 0.8}, 1, 2, 2,
			[]float64{0.2, 0.8, 0}},
		{"ce zero weight without smoothing", CrossEntropy{ClassWeights: []float64{0, 1}}, []float64{0}, 1, 1, 2, []float64{1, 0, 1}},
		{"nll labels one-hot", NLL{ClassWeights: []float64{1, 2}}, []float64{1}, 1, 1, 2, []float64{0, 1}},
		{"no rows", MSE{}, nil, 0, 2, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			y := rowmajor.Matrix{Rows: c.n, Cols: c.k, Data: slices.Clone(c.y)}
			got, err := c.l.EncodeTargets(y, c.outs)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Data) != len(c.want) || (len(c.want) > 0 && !reflect.DeepEqual(got.Data, c.want)) {
				t.Errorf("EncodeTargets = %v, want %v", got.Data, c.want)
			}
			if w := c.l.TargetWidth(c.outs); got.Rows != c.n || got.Cols != w || got.Validate() != nil {
				t.Errorf("encoded %d × %d with %d values, want n × TargetWidth = %d × %d", got.Rows, got.Cols, len(got.Data), c.n, w)
			}
			if !reflect.DeepEqual(y.Data, c.y) {
				t.Errorf("EncodeTargets modified its input: %v, was %v", y.Data, c.y)
			}
		})
	}
}

// Each bad target is an ErrTarget naming what is wrong and what is wanted.
func TestEncodeTargetsErrors(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name       string
		l          Loss
		y          []float64
		n, k, outs int
		mention    []string
	}{
		{"bce target above 1", BCE{}, []float64{0, 1.5}, 1, 2, 2, []string{"row 0, column 1", "1.5", "[0, 1]"}},
		{"bce target negative", BCE{}, []float64{-0.1}, 1, 1, 1, []string{"row 0", "-0.1", "[0, 1]"}},
		{"bce target NaN", BCE{}, []float64{0.5, nan}, 2, 1, 1, []string{"row 1", "NaN"}},
		{"bce_with_logits target 2", BCEWithLogits{}, []float64{2}, 1, 1, 1, []string{"row 0", "2", "[0, 1]"}},
		{"bce width", BCE{}, []float64{0, 1}, 1, 2, 1, []string{"2 columns", "1 outputs"}},
		{"ce label = classes", CrossEntropy{}, []float64{0, 3}, 2, 1, 3, []string{"row 1", "label 3", "[0, 3)"}},
		{"ce label negative", CrossEntropy{}, []float64{-1}, 1, 1, 3, []string{"row 0", "label -1"}},
		{"ce label not an integer", CrossEntropy{}, []float64{1.5}, 1, 1, 3, []string{"label 1.5", "integer"}},
		{"ce label NaN", CrossEntropy{}, []float64{nan}, 1, 1, 3, []string{"label NaN"}},
		{"ce soft target wrong width", CrossEntropy{}, []float64{0.5, 0.5}, 1, 2, 3, []string{"2 columns", "1 (class labels) or 3"}},
		{"ce soft target above 1", CrossEntropy{}, []float64{1.2, -0.2}, 1, 2, 2, []string{"row 0, column 0", "1.2", "[0, 1]"}},
		{"ce one class", CrossEntropy{}, []float64{0}, 1, 1, 1, []string{"1 output", "≥ 2"}},
		{"nll two columns", NLL{}, []float64{0, 1}, 1, 2, 2, []string{"2 columns", "1 column"}},
		{"nll label out of range", NLL{}, []float64{5}, 1, 1, 2, []string{"row 0", "label 5", "[0, 2)"}},
		{"mse width", MSE{}, []float64{1, 2}, 1, 2, 1, []string{"2 columns", "1 outputs"}},
		{"mse NaN", MSE{}, []float64{1, nan}, 1, 2, 2, []string{"row 0, column 1", "NaN", "finite"}},
		{"smooth_l1 Inf", SmoothL1{}, []float64{math.Inf(1)}, 1, 1, 1, []string{"+Inf", "finite"}},
		{"too few values", MAE{}, []float64{1, 2, 3}, 2, 2, 2, []string{"3 values", "2 rows × 2 columns", "want 4"}},
		{"too many values", MAE{}, []float64{1, 2, 3}, 2, 1, 1, []string{"3 values", "2 rows × 1 columns", "want 2"}},
		{"ce too many labels", CrossEntropy{}, []float64{0, 1, 2}, 2, 1, 3, []string{"3 values", "want 2"}},
		{"nll too few labels", NLL{}, []float64{0}, 2, 1, 3, []string{"1 values", "want 2"}},
		{"no columns", MSE{}, nil, 2, 0, 1, []string{"0 columns", "≥ 1"}},
		{"negative rows", Huber{}, nil, -1, 1, 1, []string{"-1 rows"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.l.EncodeTargets(rowmajor.Matrix{Rows: c.n, Cols: c.k, Data: c.y}, c.outs)
			if !errors.Is(err, ErrTarget) {
				t.Fatalf("error = %v, want ErrTarget", err)
			}
			for _, m := range c.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// A y whose Data disagrees with Rows × Cols wraps rowmajor.ErrShape as
// well as ErrTarget, for every loss.
func TestEncodeTargetsInvalidMatrix(t *testing.T) {
	y := rowmajor.Matrix{Rows: 2, Cols: 1, Data: []float64{0, 1, 1}}
	for _, l := range allLosses() {
		_, err := l.EncodeTargets(y, 3)
		if !errors.Is(err, ErrTarget) || !errors.Is(err, rowmajor.ErrShape) || !strings.Contains(err.Error(), "3 values for 2 rows × 1 columns") {
			t.Errorf("%v: error = %v, want ErrTarget and rowmajor.ErrShape naming 3 values for 2 rows × 1 columns", l, err)
		}
	}
}
