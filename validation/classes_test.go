package validation

import (
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
)

func TestClasses(t *testing.T) {
	tests := []struct {
		name   string
		labels []int
		want   int
	}{
		{"all present", []int{0, 1, 2, 1, 0, 2}, 3},
		{"single class", []int{0, 0, 0}, 1},
		{"gap counts", []int{0, 3, 3, 0}, 4},
		{"rare top class", []int{0, 1, 0, 1, 0, 1, 0, 1, 2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Classes(labelled(t, tt.labels))
			if err != nil || got != tt.want {
				t.Errorf("Classes = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

// TestClassesFromFullData: a fold that lacks the top class would give a
// narrower model; Classes of the full data does not.
func TestClassesFromFullData(t *testing.T) {
	labels := []int{0, 1, 0, 1, 0, 1, 0, 1, 2} // class 2 only in the last row
	d := labelled(t, labels)
	folds, err := KFold{K: 3}.Split(len(labels))
	if err != nil {
		t.Fatal(err)
	}
	full, err := Classes(d)
	if err != nil {
		t.Fatal(err)
	}
	lacking := 0
	for f, fold := range folds {
		train, err := d.Subset(fold.Train)
		if err != nil {
			t.Fatal(err)
		}
		part, err := Classes(train)
		if err != nil {
			t.Fatal(err)
		}
		if part < full {
			lacking++
			t.Logf("fold %d's training rows have %d classes; the full data %d", f, part, full)
		}
	}
	if full != 3 {
		t.Errorf("Classes(full) = %d, want 3", full)
	}
	if lacking != 1 {
		t.Errorf("%d folds lack class 2 in training, want 1 (the test needs one)", lacking)
	}
}

func TestClassesErrors(t *testing.T) {
	twoCols, err := data.FromRows([][]float64{{1}, {2}}, [][]float64{{0, 1}, {1, 0}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	fractional, err := data.FromRows([][]float64{{1}, {2}}, [][]float64{{0}, {1.5}}, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		d     *data.Dataset
		want  []error
		parts []string
	}{
		{"nil", nil, []error{ErrData}, []string{"empty"}},
		{"two target columns", twoCols, []error{ErrData}, []string{"Y has 2 columns, want 1"}},
		{"not an integer", fractional, []error{ErrData, data.ErrLabel}, []string{"row 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Classes(tt.d)
			if n != 0 || err == nil {
				t.Fatalf("got %d, %v; want an error", n, err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("error %v does not wrap %v", err, w)
				}
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}
