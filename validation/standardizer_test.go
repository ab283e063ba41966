package validation

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
)

// rowsDataset builds a dataset of dtype dt with features x and one target
// column 10·i + 0.5 (so that Y can be checked untouched).
func rowsDataset(t *testing.T, x [][]float64, dt tensor.Dtype) *data.Dataset {
	t.Helper()
	y := make([][]float64, len(x))
	for i := range y {
		y[i] = []float64{10*float64(i) + 0.5}
	}
	d, err := data.FromRows(x, y, dt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// float64sOf returns a float64 or float32 tensor's values as float64s.
func float64sOf(d *tensor.Dense) []float64 {
	switch s := d.Data().(type) {
	case []float64:
		return append([]float64(nil), s...)
	case []float32:
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestStandardizerMatchesSklearn(t *testing.T) {
	g := loadSklearn(t).Standardizer
	type check struct {
		name      string
		got, want []float64
		tol       float64
	}
	s64, err := Fit(rowsDataset(t, g.X, tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s64.Transform(rowsDataset(t, g.X, tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	tx2, err := s64.Transform(rowsDataset(t, g.X2, tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	x32 := rowsDataset(t, g.Float32.X, tensor.Float32)
	s32, err := Fit(x32)
	if err != nil {
		t.Fatal(err)
	}
	tx32, err := s32.Transform(x32)
	if err != nil {
		t.Fatal(err)
	}
	checks := []check{
		{"mean", s64.Mean, g.Mean, 1e-12},
		{"var", s64.Var, g.Var, 1e-12},
		{"scale", s64.Scale, g.Scale, 1e-12},
		{"transform X", float64sOf(tx.X), flat(g.TransformX), 1e-12},
		{"transform X2 (not fit on)", float64sOf(tx2.X), flat(g.TransformX2), 1e-12},
		// float32 data: statistics in float64 as sklearn, output rounded to float32.
		{"float32 mean", s32.Mean, g.Float32.Mean, 1e-12},
		{"float32 scale", s32.Scale, g.Float32.Scale, 1e-12},
		{"float32 transform", float64sOf(tx32.X), flat(g.Float32.TransformX), 1e-5},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if len(c.got) != len(c.want) {
				t.Fatalf("%d values, want %d", len(c.got), len(c.want))
			}
			worst := 0.0
			for i := range c.want {
				// Standardized values near 0 are compared against a floor of 1.
				e := relErr(c.got[i], c.want[i], 1)
				worst = math.Max(worst, e)
				if e > c.tol {
					t.Errorf("[%d] = %.17g, sklearn %.17g (error %.3g > %g)", i, c.got[i], c.want[i], e, c.tol)
				}
			}
			t.Logf("worst error %.3g", worst)
		})
	}
	// Columns 2 and 4 are constant: scale 1, as sklearn, not a division by ~0.
	for _, j := range []int{2, 4} {
		if s64.Scale[j] != 1 {
			t.Errorf("constant column %d: scale %v, want 1", j, s64.Scale[j])
		}
	}
	if tx.Dtype() != tensor.Float64 || tx32.Dtype() != tensor.Float32 {
		t.Errorf("dtypes %v, %v; want the input's", tx.Dtype(), tx32.Dtype())
	}
	if s64.N != len(g.X) {
		t.Errorf("N = %d, want %d", s64.N, len(g.X))
	}
}

func TestStandardizerTargetsUntouched(t *testing.T) {
	x := [][]float64{{1, 2}, {3, 5}, {5, 11}}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			d := rowsDataset(t, x, dt)
			before := float64sOf(d.X)
			s, err := Fit(d)
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.Transform(d)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := float64sOf(out.Y), []float64{0.5, 10.5, 20.5}; !reflect.DeepEqual(got, want) {
				t.Errorf("Y = %v, want %v", got, want)
			}
			if out.Y == d.Y {
				t.Error("Y shares the input's tensor, want a copy")
			}
			if !reflect.DeepEqual(float64sOf(d.X), before) {
				t.Error("Transform modified its input")
			}
			// Column 0: mean 3, population std √(8/3).
			want0 := []float64{-2 / math.Sqrt(8.0/3), 0, 2 / math.Sqrt(8.0/3)}
			got := float64sOf(out.X)
			for i, w := range want0 {
				if e := relErr(got[2*i], w, 1); e > 1e-7 {
					t.Errorf("row %d: %v, want %v", i, got[2*i], w)
				}
			}
		})
	}
}

func TestStandardizerErrors(t *testing.T) {
	d := rowsDataset(t, [][]float64{{1, 2}, {3, 4}}, tensor.Float64)
	three := rowsDataset(t, [][]float64{{1, 2, 3}}, tensor.Float64)
	tests := []struct {
		name  string
		s     *Standardizer
		d     *data.Dataset
		want  error
		parts []string
	}{
		{"nil Standardizer", nil, d, ErrConfig, []string{"unfitted"}},
		{"zero Standardizer", &Standardizer{}, d, ErrConfig, []string{"unfitted"}},
		{"lengths differ", &Standardizer{Mean: []float64{0, 0}, Scale: []float64{1}}, d, ErrConfig, []string{"2 means but 1 scales"}},
		{"zero scale", &Standardizer{Mean: []float64{0, 0}, Scale: []float64{1, 0}}, d, ErrConfig, []string{"Scale[1] = 0"}},
		{"NaN mean", &Standardizer{Mean: []float64{math.NaN(), 0}, Scale: []float64{1, 1}}, d, ErrConfig, []string{"Mean[0] = NaN"}},
		{"feature count", &Standardizer{Mean: []float64{0, 0}, Scale: []float64{1, 1}}, three, ErrData, []string{"3 features", "fit on 2"}},
		{"nil dataset", &Standardizer{Mean: []float64{0, 0}, Scale: []float64{1, 1}}, nil, ErrData, []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.s.Transform(tt.d)
			if out != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want an error wrapping %v", out, err, tt.want)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
	if s, err := Fit(nil); s != nil || !errors.Is(err, ErrData) {
		t.Errorf("Fit(nil) = %v, %v; want ErrData", s, err)
	}
	if s, err := Fit(&data.Dataset{}); s != nil || !errors.Is(err, ErrData) {
		t.Errorf("Fit(zero Dataset) = %v, %v; want ErrData", s, err)
	}
}
