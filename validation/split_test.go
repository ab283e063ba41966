package validation

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
)

// outcomeIndex returns the position of got in sklearn's outcomes, or -1.
func outcomeIndex(outcomes [][][]int, got [][]int) int {
	for k, o := range outcomes {
		if reflect.DeepEqual(o, got) {
			return k
		}
	}
	return -1
}

func TestStratifiedSplitMatchesSklearn(t *testing.T) {
	for _, tc := range loadSklearn(t).StratifiedSplit {
		t.Run(tc.Name, func(t *testing.T) {
			if tc.Error != nil {
				train, test, err := StratifiedSplit(tc.Labels, tc.TestFrac, 1)
				if train != nil || test != nil || !(errors.Is(err, ErrConfig) || errors.Is(err, ErrData)) {
					t.Fatalf("sklearn: %q; got %v, %v, %v", *tc.Error, train, test, err)
				}
				return
			}
			// Without ties sklearn has one outcome for every random_state and so
			// must we; with ties, every seed must give one of sklearn's outcomes,
			// and over many seeds we must reach all of them.
			reached := make([]bool, len(tc.Outcomes))
			for seed := range uint64(64) {
				train, test, err := StratifiedSplit(tc.Labels, tc.TestFrac, seed)
				if err != nil {
					t.Fatal(err)
				}
				if len(train) != tc.NTrain || len(test) != tc.NTest {
					t.Fatalf("seed %d: %d train and %d test rows, want sklearn's %d and %d",
						seed, len(train), len(test), tc.NTrain, tc.NTest)
				}
				all := append(append([]int(nil), train...), test...)
				slices.Sort(all)
				for i, v := range all {
					if v != i {
						t.Fatalf("seed %d: train ∪ test is not a permutation of the rows", seed)
					}
				}
				got := [][]int{classCounts(tc.Labels, train, tc.Classes), classCounts(tc.Labels, test, tc.Classes)}
				k := outcomeIndex(tc.Outcomes, got)
				if k < 0 {
					t.Fatalf("seed %d: per-class counts %v, not among sklearn's %v", seed, got, tc.Outcomes)
				}
				reached[k] = true
			}
			for k, r := range reached {
				if !r {
					t.Errorf("sklearn's outcome %v never reached in 64 seeds", tc.Outcomes[k])
				}
			}
		})
	}
}

func TestStratifiedSplitSeeded(t *testing.T) {
	labels := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0, 0, 1, 1, 2, 2, 2}
	tr1, te1, _ := StratifiedSplit(labels, 0.25, 5)
	tr2, te2, _ := StratifiedSplit(labels, 0.25, 5)
	tr3, te3, _ := StratifiedSplit(labels, 0.25, 6)
	if !reflect.DeepEqual(tr1, tr2) || !reflect.DeepEqual(te1, te2) {
		t.Error("same seed gave different splits")
	}
	if reflect.DeepEqual(tr1, tr3) && reflect.DeepEqual(te1, te3) {
		t.Error("seeds 5 and 6 gave the same split")
	}
}

func TestStratifiedSplitErrors(t *testing.T) {
	tests := []struct {
		name   string
		labels []int
		frac   float64
		want   error
		parts  []string
	}{
		{"frac 0", []int{0, 1, 0, 1}, 0, ErrConfig, []string{"testFrac = 0", "0 < testFrac < 1"}},
		{"frac 1", []int{0, 1, 0, 1}, 1, ErrConfig, []string{"testFrac = 1"}},
		{"frac NaN", []int{0, 1, 0, 1}, math.NaN(), ErrConfig, []string{"testFrac = NaN"}},
		{"no labels", nil, 0.5, ErrData, []string{"no labels"}},
		{"single member", []int{0, 0, 0, 3, 0}, 0.4, ErrData, []string{"class 3 has only 1 member"}},
		{"test part too small", []int{0, 0, 1, 1, 2, 2, 0, 1, 2, 0}, 0.1, ErrConfig,
			[]string{"testFrac = 0.1", "holds out 1 of 10", "fewer than the 3 classes"}},
		{"train part too small", []int{0, 0, 1, 1, 2, 2}, 0.8, ErrConfig,
			[]string{"leaving 1 training rows", "fewer than the 3 classes"}},
		{"no training row", []int{0, 0, 1, 1}, 0.9, ErrConfig, []string{"leaves no training row"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, test, err := StratifiedSplit(tt.labels, tt.frac, 0)
			if train != nil || test != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v, %v; want an error wrapping %v", train, test, err, tt.want)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}

// labelled builds a float64 dataset whose single feature is the row number
// (so parts can be traced back to rows) and whose labels are labels.
func labelled(t *testing.T, labels []int) *data.Dataset {
	t.Helper()
	x := make([][]float64, len(labels))
	for i := range x {
		x[i] = []float64{float64(i)}
	}
	d, err := data.FromLabels(x, labels, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rowsOf returns the row numbers held by a part built from labelled.
func rowsOf(d *data.Dataset) []int {
	if d == nil {
		return nil
	}
	xs := d.X.Data().([]float64)
	out := make([]int, len(xs))
	for i, v := range xs {
		out[i] = int(v)
	}
	return out
}

func TestTrainValTestSplitStratifiedMatchesSklearn(t *testing.T) {
	for _, tc := range loadSklearn(t).TrainValTest {
		t.Run(tc.Name, func(t *testing.T) {
			d := labelled(t, tc.Labels)
			for seed := range uint64(16) {
				train, val, test, err := TrainValTestSplit(d, tc.ValFrac, tc.TestFrac, true, seed)
				if err != nil {
					t.Fatal(err)
				}
				parts := [][]int{rowsOf(train), rowsOf(val), rowsOf(test)}
				got := make([][]int, 3)
				all := []int{}
				for p, rows := range parts {
					got[p] = classCounts(tc.Labels, rows, tc.Classes)
					all = append(all, rows...)
				}
				if outcomeIndex(tc.Outcomes, got) < 0 {
					t.Fatalf("seed %d: per-class counts %v, not among sklearn's %v", seed, got, tc.Outcomes)
				}
				slices.Sort(all)
				for i, v := range all {
					if v != i {
						t.Fatalf("seed %d: the parts do not hold every row once", seed)
					}
				}
				// The labels travel with their rows.
				for _, part := range []*data.Dataset{train, val, test} {
					ls, _ := part.Labels()
					for k, r := range rowsOf(part) {
						if ls[k] != tc.Labels[r] {
							t.Fatalf("row %d has label %d, want %d", r, ls[k], tc.Labels[r])
						}
					}
				}
			}
		})
	}
}

func TestTrainValTestSplitSizes(t *testing.T) {
	labels := make([]int, 50)
	for i := range labels {
		labels[i] = i % 2
	}
	d := labelled(t, labels)
	tests := []struct {
		name                  string
		val, test             float64
		stratify              bool
		nTrain, nVal, nTest   int
		nilVal, nilTest, same bool
	}{
		{"ceil, not round", 0.21, 0.11, false, 33, 11, 6, false, false, false},
		{"ceil stratified", 0.21, 0.11, true, 33, 11, 6, false, false, false},
		{"no val", 0, 0.2, false, 40, 0, 10, true, false, false},
		{"no val stratified", 0, 0.2, true, 40, 0, 10, true, false, false},
		{"no test stratified", 0.3, 0, true, 35, 15, 0, false, true, false},
		{"neither", 0, 0, true, 50, 0, 0, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, val, test, err := TrainValTestSplit(d, tt.val, tt.test, tt.stratify, 9)
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != tt.nTrain || val.Len() != tt.nVal || test.Len() != tt.nTest {
				t.Errorf("sizes %d/%d/%d, want %d/%d/%d", train.Len(), val.Len(), test.Len(), tt.nTrain, tt.nVal, tt.nTest)
			}
			if (val == nil) != tt.nilVal || (test == nil) != tt.nilTest {
				t.Errorf("val nil %v, test nil %v; want %v, %v", val == nil, test == nil, tt.nilVal, tt.nilTest)
			}
			if reflect.DeepEqual(rowsOf(train), rowsOf(d)) {
				t.Error("train is in the original row order, want shuffled")
			}
		})
	}
}

func TestTrainValTestSplitErrors(t *testing.T) {
	d := labelled(t, []int{0, 1, 0, 1, 0, 1, 0, 1, 0, 1})
	notLabels, err := data.FromRows([][]float64{{1}, {2}, {3}, {4}}, [][]float64{{0.5}, {1}, {0}, {1}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		d         *data.Dataset
		val, test float64
		stratify  bool
		want      []error
		parts     []string
	}{
		{"nil dataset", nil, 0.1, 0.1, false, []error{ErrData}, []string{"empty"}},
		{"negative val", d, -0.1, 0.1, false, []error{ErrConfig}, []string{"valFrac = -0.1", "0 ≤ valFrac < 1"}},
		{"test 1", d, 0.1, 1, false, []error{ErrConfig}, []string{"testFrac = 1"}},
		{"NaN test", d, 0.1, math.NaN(), true, []error{ErrConfig}, []string{"testFrac = NaN"}},
		{"nothing left", d, 0.5, 0.5, false, []error{ErrConfig}, []string{"hold out 5 + 5", "no training row"}},
		{"ceil leaves nothing", d, 0.45, 0.51, false, []error{ErrConfig}, []string{"hold out 5 + 6"}},
		{"labels not classes", notLabels, 0.25, 0.25, true, []error{ErrData, data.ErrLabel}, []string{"stratify", "row 0"}},
		{"val step too small", d, 0.1, 0.2, true, []error{ErrConfig}, []string{"valFrac = 0.1", "holds out 1 of 8", "fewer than the 2 classes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, val, test, err := TrainValTestSplit(tt.d, tt.val, tt.test, tt.stratify, 0)
			if train != nil || val != nil || test != nil || err == nil {
				t.Fatalf("got %v, %v, %v, %v; want an error", train, val, test, err)
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
