package validation

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/panics"
)

// nearestCentroidAccuracy is sklearn.neighbors.NearestCentroid (euclidean):
// fit the per-class means of train, predict the class of the nearest mean,
// and return the accuracy on val. classes is the model's output width,
// taken from the full dataset.
func nearestCentroidAccuracy(t *testing.T, train, val *data.Dataset, classes int) float64 {
	w := train.Features()
	xs, ls := float64sOf(train.X), mustLabels(t, train)
	centroids := make([][]float64, classes)
	counts := make([]int, classes)
	for c := range centroids {
		centroids[c] = make([]float64, w)
	}
	for i, l := range ls {
		counts[l]++
		for j := range w {
			centroids[l][j] += xs[i*w+j]
		}
	}
	for c := range centroids {
		for j := range w {
			centroids[c][j] /= float64(counts[c])
		}
	}
	vx, vl := float64sOf(val.X), mustLabels(t, val)
	right := 0
	for i, l := range vl {
		best, bestD := -1, math.Inf(1)
		for c := range centroids {
			if counts[c] == 0 {
				continue
			}
			d := 0.0
			for j := range w {
				d += (vx[i*w+j] - centroids[c][j]) * (vx[i*w+j] - centroids[c][j])
			}
			if d < bestD {
				best, bestD = c, d
			}
		}
		if best == l {
			right++
		}
	}
	return float64(right) / float64(len(vl))
}

func mustLabels(t *testing.T, d *data.Dataset) []int {
	t.Helper()
	ls, err := d.Labels()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestCrossValidateMatchesSklearn(t *testing.T) {
	g := loadSklearn(t).CrossValidation
	d, err := data.FromLabels(g.X, g.Labels, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	folds, _, err := StratifiedKFold{K: g.K}.Split(g.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(folds, g.Folds) {
		t.Fatalf("folds differ from sklearn's StratifiedKFold(%d)", g.K)
	}
	classes, err := Classes(d)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts CVOptions
		want sklearnScores
	}{
		{"raw", CVOptions{}, g.Raw},
		{"standardized", CVOptions{Standardize: true}, g.Standardized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			worstScaling := 0.0
			fit := func(_ context.Context, f int, train, val *data.Dataset) (float64, error) {
				// What fit sees: d's fold rows, standardized with sklearn's
				// scaler fit on that fold's training rows when asked.
				for _, part := range []struct {
					got  *data.Dataset
					rows []int
				}{{train, folds[f].Train}, {val, folds[f].Val}} {
					got := float64sOf(part.got.X)
					for k, i := range part.rows {
						for j, x := range g.X[i] {
							want := x
							if tt.opts.Standardize {
								want = (x - g.FoldScalers[f].Mean[j]) / g.FoldScalers[f].Scale[j]
							}
							e := relErr(got[k*len(g.X[i])+j], want, 1)
							worstScaling = math.Max(worstScaling, e)
							if e > 1e-12 {
								t.Errorf("fold %d row %d feature %d: %v, want %v", f, i, j, got[k*len(g.X[i])+j], want)
							}
						}
					}
				}
				return nearestCentroidAccuracy(t, train, val, classes), nil
			}
			score, err := CrossValidate(context.Background(), d, folds, fit, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(score.PerFold) != len(tt.want.Scores) {
				t.Fatalf("%d scores, want %d", len(score.PerFold), len(tt.want.Scores))
			}
			for f, w := range tt.want.Scores {
				if e := relErr(score.PerFold[f], w, 1e-300); e > 1e-12 {
					t.Errorf("fold %d: score %v, sklearn %v", f, score.PerFold[f], w)
				}
			}
			if e := relErr(score.Mean, tt.want.Mean, 1e-300); e > 1e-9 {
				t.Errorf("Mean = %.17g, numpy %.17g", score.Mean, tt.want.Mean)
			}
			if e := relErr(score.Std, tt.want.Std, 1e-300); e > 1e-9 {
				t.Errorf("Std = %.17g, numpy's scores.std() %.17g", score.Std, tt.want.Std)
			}
			t.Logf("%v; errors: inputs %.3g, Mean %.3g, Std %.3g", score, worstScaling,
				relErr(score.Mean, tt.want.Mean, 1e-300), relErr(score.Std, tt.want.Std, 1e-300))
		})
	}
}

// TestCrossValidateNoLeak proves that each fold is standardized with its
// training rows only: replacing the validation rows of fold f by wild values
// changes nothing in the training data fit sees for fold f.
func TestCrossValidateNoLeak(t *testing.T) {
	const n, w = 23, 3
	x := make([][]float64, n)
	for i := range x {
		x[i] = []float64{float64(i), math.Sin(float64(i)), float64(i*i) / 7}
	}
	folds, err := KFold{K: 4, Shuffle: true, Seed: 11}.Split(n)
	if err != nil {
		t.Fatal(err)
	}
	seen := func(d *data.Dataset, fs []Fold) (train, val [][]float64) {
		_, err := CrossValidate(context.Background(), d, fs, func(_ context.Context, _ int, tr, va *data.Dataset) (float64, error) {
			train, val = append(train, float64sOf(tr.X)), append(val, float64sOf(va.X))
			return 0, nil
		}, CVOptions{Standardize: true})
		if err != nil {
			t.Fatal(err)
		}
		return train, val
	}
	base := rowsDataset(t, x, tensor.Float64)
	baseTrain, baseVal := seen(base, folds)
	for f, fold := range folds {
		wild := make([][]float64, n)
		for i := range wild {
			wild[i] = append([]float64(nil), x[i]...)
		}
		for _, i := range fold.Val {
			wild[i] = []float64{1e6 + float64(i), -3e4, 42}
		}
		train, val := seen(rowsDataset(t, wild, tensor.Float64), folds[f:f+1])
		if !reflect.DeepEqual(train[0], baseTrain[f]) {
			t.Errorf("fold %d: the training data changed with the validation rows: the scaler leaked", f)
		}
		if reflect.DeepEqual(val[0], baseVal[f]) {
			t.Errorf("fold %d: the validation data did not change", f)
		}
		// The training part is standardized: mean 0, population std 1.
		for j := range w {
			m, ss := 0.0, 0.0
			rows := len(baseTrain[f]) / w
			for i := range rows {
				m += baseTrain[f][i*w+j]
			}
			m /= float64(rows)
			for i := range rows {
				ss += (baseTrain[f][i*w+j] - m) * (baseTrain[f][i*w+j] - m)
			}
			if math.Abs(m) > 1e-12 || math.Abs(math.Sqrt(ss/float64(rows))-1) > 1e-12 {
				t.Errorf("fold %d feature %d: train mean %g, std %g; want 0, 1", f, j, m, math.Sqrt(ss/float64(rows)))
			}
		}
	}
}

func TestCrossValidateStops(t *testing.T) {
	d := rowsDataset(t, [][]float64{{1}, {2}, {3}, {4}, {5}, {6}}, tensor.Float64)
	folds, _ := KFold{K: 3}.Split(6)
	cause := errors.New("diverged")
	tests := []struct {
		name   string
		fit    func(cancel context.CancelFunc) func(context.Context, int, *data.Dataset, *data.Dataset) (float64, error)
		want   []error
		parts  []string
		called int
	}{
		{
			name: "fit error on fold 1",
			fit: func(context.CancelFunc) func(context.Context, int, *data.Dataset, *data.Dataset) (float64, error) {
				return func(_ context.Context, f int, _, _ *data.Dataset) (float64, error) {
					if f == 1 {
						return 0, cause
					}
					return 1, nil
				}
			},
			want: []error{ErrFold, cause}, parts: []string{"fold 2 of 3", "diverged"}, called: 2,
		},
		{
			name: "panic on fold 0",
			fit: func(context.CancelFunc) func(context.Context, int, *data.Dataset, *data.Dataset) (float64, error) {
				return func(context.Context, int, *data.Dataset, *data.Dataset) (float64, error) {
					panic("shape mismatch")
				}
			},
			want: []error{ErrFold, panics.ErrUser}, parts: []string{"fold 1 of 3", "shape mismatch"}, called: 1,
		},
		{
			name: "canceled during fold 1",
			fit: func(cancel context.CancelFunc) func(context.Context, int, *data.Dataset, *data.Dataset) (float64, error) {
				return func(_ context.Context, f int, _, _ *data.Dataset) (float64, error) {
					if f == 1 {
						cancel()
					}
					return 1, nil
				}
			},
			want: []error{context.Canceled}, parts: []string{"before fold 3 of 3"}, called: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			inner := tt.fit(cancel)
			called := 0
			score, err := CrossValidate(ctx, d, folds, func(ctx context.Context, f int, tr, va *data.Dataset) (float64, error) {
				called++
				return inner(ctx, f, tr, va)
			}, CVOptions{})
			if err == nil || score.PerFold != nil {
				t.Fatalf("got %v, %v; want an error and a zero Score", score, err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("error %v does not wrap %v", err, w)
				}
			}
			if errors.Is(err, panics.ErrGorgonia) {
				t.Errorf("error %v blames Gorgonia for the fit function's own failure", err)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
			if called != tt.called {
				t.Errorf("fit ran %d times, want %d", called, tt.called)
			}
		})
	}
}

func TestCrossValidateErrors(t *testing.T) {
	d := rowsDataset(t, [][]float64{{1}, {2}, {3}, {4}}, tensor.Float64)
	fit := func(context.Context, int, *data.Dataset, *data.Dataset) (float64, error) {
		t.Error("fit ran despite invalid input")
		return 0, nil
	}
	good := []Fold{{Train: []int{0, 1}, Val: []int{2, 3}}}
	tests := []struct {
		name  string
		ctx   context.Context
		d     *data.Dataset
		folds []Fold
		nilFn bool
		want  error
		parts []string
	}{
		{"nil ctx", nil, d, good, false, ErrConfig, []string{"ctx is nil"}},
		{"nil fit", context.Background(), d, good, true, ErrConfig, []string{"fit is nil"}},
		{"no folds", context.Background(), d, nil, false, ErrConfig, []string{"no folds"}},
		{"nil dataset", context.Background(), nil, good, false, ErrData, []string{"empty"}},
		{"empty val", context.Background(), d, []Fold{good[0], {Train: []int{0}}}, false, ErrData,
			[]string{"folds[1] has 1 training and 0 validation rows"}},
		{"out of range", context.Background(), d, []Fold{{Train: []int{0, 4}, Val: []int{1}}}, false, ErrData,
			[]string{"folds[0]: Train[1] = 4", "< 4"}},
		{"negative val", context.Background(), d, []Fold{{Train: []int{0}, Val: []int{-1}}}, false, ErrData,
			[]string{"Val[0] = -1"}},
		{"overlap", context.Background(), d, []Fold{good[0], {Train: []int{0, 1, 2}, Val: []int{3, 2}}}, false, ErrData,
			[]string{"folds[1]: row 2 is in both Train and Val"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := fit
			if tt.nilFn {
				fn = nil
			}
			score, err := CrossValidate(tt.ctx, tt.d, tt.folds, fn, CVOptions{Standardize: true})
			if score.PerFold != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want an error wrapping %v", score, err, tt.want)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name      string
		perFold   []float64
		mean, std float64
		text      string
	}{
		// Population std of 1..4 is √1.25 (numpy.std); the sample one would be √(5/3).
		{"1..4", []float64{1, 2, 3, 4}, 2.5, math.Sqrt(1.25), "2.5000 ± 1.1180 (4 folds)"},
		{"one fold", []float64{0.75}, 0.75, 0, "0.7500 ± 0.0000 (1 fold)"},
		{"equal", []float64{0.5, 0.5, 0.5}, 0.5, 0, "0.5000 ± 0.0000 (3 folds)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScore(tt.perFold)
			if relErr(s.Mean, tt.mean, 1e-300) > 1e-15 || relErr(s.Std, tt.std, 1) > 1e-15 {
				t.Errorf("Mean, Std = %v, %v; want %v, %v", s.Mean, s.Std, tt.mean, tt.std)
			}
			if got := s.String(); got != tt.text {
				t.Errorf("String() = %q, want %q", got, tt.text)
			}
		})
	}
	if got, want := (Score{Mean: 0.95333, Std: 0.021, PerFold: make([]float64, 5)}).String(), "0.9533 ± 0.0210 (5 folds)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
