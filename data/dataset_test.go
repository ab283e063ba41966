package data

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// dense builds an (r, c) tensor from float64 values in dtype dt.
func dense(dt tensor.Dtype, r, c int, vs ...float64) *tensor.Dense {
	return matrix(append([]float64(nil), vs...), r, c, dt)
}

// wantErr checks that err wraps want and that its message holds every part.
func wantErr(t *testing.T, err, want error, parts ...string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want one wrapping %v", err, want)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestNewErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	f64, f32 := tensor.Float64, tensor.Float32
	tests := []struct {
		name  string
		x, y  *tensor.Dense
		want  error
		parts []string
	}{
		{"nil X", nil, dense(f64, 1, 1, 0), ErrShape, []string{"X is nil"}},
		{"nil Y", dense(f64, 1, 1, 0), nil, ErrShape, []string{"Y is nil"}},
		{"1-D X", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})), dense(f64, 3, 1, 1, 2, 3),
			ErrShape, []string{"X has shape (3)", "2-D"}},
		{"3-D Y", dense(f64, 1, 2, 1, 2), tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]float64{1, 2})),
			ErrShape, []string{"Y has shape (1, 1, 2)"}},
		{"int X", tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]int{1})), dense(f64, 1, 1, 0),
			ErrDtype, []string{"X is int"}},
		{"mixed dtypes", dense(f32, 1, 1, 0), dense(f64, 1, 1, 0), ErrDtype, []string{"X is float32 but Y is float64"}},
		{"row counts", dense(f64, 2, 1, 0, 1), dense(f64, 3, 1, 0, 1, 2), ErrShape, []string{"X has 2 rows but Y has 3"}},
		{"NaN in X", dense(f64, 2, 3, 0, 1, 2, 3, 4, nan), dense(f64, 2, 1, 0, 1),
			ErrNonFinite, []string{"X row 1, column 2 is NaN"}},
		{"first of two", dense(f32, 2, 2, 0, inf, nan, 0), dense(f32, 2, 1, 0, 1),
			ErrNonFinite, []string{"X row 0, column 1 is +Inf"}},
		{"-Inf in Y", dense(f64, 2, 1, 0, 1), dense(f64, 2, 2, 0, 1, 2, -inf),
			ErrNonFinite, []string{"Y row 1, column 1 is -Inf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(tt.x, tt.y)
			if d != nil {
				t.Errorf("got a dataset %v with the error", d)
			}
			wantErr(t, err, tt.want, tt.parts...)
		})
	}
}

func TestNewWrapsWithoutCopy(t *testing.T) {
	x := dense(tensor.Float32, 3, 2, 1, 2, 3, 4, 5, 6)
	y := dense(tensor.Float32, 3, 1, 0, 1, 0)
	d, err := New(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if d.X != x || d.Y != y {
		t.Error("New copied contiguous row-major tensors")
	}
	if d.Len() != 3 || d.Features() != 2 || d.Targets() != 1 || d.Dtype() != tensor.Float32 {
		t.Errorf("Len, Features, Targets, Dtype = %d, %d, %d, %v; want 3, 2, 1, float32",
			d.Len(), d.Features(), d.Targets(), d.Dtype())
	}
}

func TestNewCopiesTransposed(t *testing.T) {
	x := dense(tensor.Float64, 3, 2, 0, 1, 2, 3, 4, 5)
	if err := x.T(); err != nil { // x is now a (2, 3) transposed view: [[0 2 4] [1 3 5]]
		t.Fatal(err)
	}
	d, err := New(x, dense(tensor.Float64, 2, 1, 7, 8))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.X.Data(), []float64{0, 2, 4, 1, 3, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("X data = %v, want %v", got, want)
	}
	if got := d.X.Shape(); !reflect.DeepEqual([]int(got), []int{2, 3}) {
		t.Errorf("X shape = %v, want (2, 3)", got)
	}
}

func TestFromRows(t *testing.T) {
	x := [][]float64{{1, 2}, {3, 4}, {5, 6.5}}
	y := [][]float64{{10}, {20}, {30}}
	tests := []struct {
		dt, want tensor.Dtype
		wantX    any
	}{
		{tensor.Dtype{}, tensor.Float64, []float64{1, 2, 3, 4, 5, 6.5}},
		{tensor.Float64, tensor.Float64, []float64{1, 2, 3, 4, 5, 6.5}},
		{tensor.Float32, tensor.Float32, []float32{1, 2, 3, 4, 5, 6.5}},
	}
	for _, tt := range tests {
		d, err := FromRows(x, y, tt.dt)
		if err != nil {
			t.Fatalf("FromRows(%v): %v", tt.dt, err)
		}
		if d.Dtype() != tt.want || d.Len() != 3 || d.Features() != 2 || d.Targets() != 1 {
			t.Errorf("FromRows(%v): dtype %v, shape (%d, %d, %d); want %v, (3, 2, 1)",
				tt.dt, d.Dtype(), d.Len(), d.Features(), d.Targets(), tt.want)
		}
		if !reflect.DeepEqual(d.X.Data(), tt.wantX) {
			t.Errorf("FromRows(%v): X = %v, want %v", tt.dt, d.X.Data(), tt.wantX)
		}
	}
	// The rows are copied.
	d, err := FromRows(x, y, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	x[0][0] = 99
	if v := d.X.Data().([]float64)[0]; v != 1 {
		t.Errorf("X[0][0] = %v after changing the input row, want 1", v)
	}
}

func TestFromRowsErrors(t *testing.T) {
	tests := []struct {
		name  string
		x, y  [][]float64
		dt    tensor.Dtype
		want  error
		parts []string
	}{
		{"no rows", nil, nil, tensor.Float64, ErrEmpty, nil},
		{"row counts", [][]float64{{1}, {2}}, [][]float64{{1}}, tensor.Float64, ErrShape, []string{"X has 2 rows but Y has 1"}},
		{"ragged X", [][]float64{{1, 2}, {3, 4}, {5}}, [][]float64{{1}, {2}, {3}}, tensor.Float64,
			ErrShape, []string{"X row 2 has 1 values, want 2"}},
		{"ragged Y", [][]float64{{1}, {2}}, [][]float64{{1}, {2, 3}}, tensor.Float64,
			ErrShape, []string{"Y row 1 has 2 values, want 1"}},
		{"empty row", [][]float64{{}}, [][]float64{{1}}, tensor.Float64, ErrShape, []string{"X row 0 is empty"}},
		{"int dtype", [][]float64{{1}}, [][]float64{{1}}, tensor.Int, ErrDtype, []string{"int"}},
		{"NaN", [][]float64{{1, 2}, {3, math.NaN()}}, [][]float64{{1}, {2}}, tensor.Float64,
			ErrNonFinite, []string{"X row 1, column 1 is NaN"}},
		{"float32 overflow", [][]float64{{1}}, [][]float64{{1e39}}, tensor.Float32,
			ErrNonFinite, []string{"Y row 0, column 0 is 1e+39, which overflows float32"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromRows(tt.x, tt.y, tt.dt)
			wantErr(t, err, tt.want, tt.parts...)
		})
	}
}

func TestFromLabels(t *testing.T) {
	d, err := FromLabels([][]float64{{0.5}, {1.5}, {2.5}}, []int{2, 0, 1}, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Y.Data(), []float32{2, 0, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Y = %v, want %v", got, want)
	}
	if d.Targets() != 1 {
		t.Errorf("Targets() = %d, want 1", d.Targets())
	}

	_, err = FromLabels([][]float64{{1}, {2}}, []int{0, -3}, tensor.Float64)
	wantErr(t, err, ErrLabel, "row 1 has label -3")
	_, err = FromLabels([][]float64{{1}, {2}}, []int{0}, tensor.Float64)
	wantErr(t, err, ErrShape, "2 rows but there are 1 labels")
}

func TestSubset(t *testing.T) {
	d, err := FromRows([][]float64{{0, 0}, {1, 10}, {2, 20}, {3, 30}}, [][]float64{{0}, {-1}, {-2}, {-3}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Subset([]int{3, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.X.Data(), []float64{3, 30, 1, 10, 1, 10}; !reflect.DeepEqual(got, want) {
		t.Errorf("X = %v, want %v", got, want)
	}
	if got, want := s.Y.Data(), []float64{-3, -1, -1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Y = %v, want %v", got, want)
	}
	s.X.Data().([]float64)[0] = 99 // a copy: d is unchanged
	if v := d.X.Data().([]float64)[6]; v != 3 {
		t.Errorf("d.X[3][0] = %v after changing the subset, want 3", v)
	}

	_, err = d.Subset(nil)
	wantErr(t, err, ErrEmpty)
	_, err = d.Subset([]int{0, 4})
	wantErr(t, err, ErrIndex, "idx[1] = 4", "< 4")
	_, err = d.Subset([]int{-1})
	wantErr(t, err, ErrIndex, "idx[0] = -1")
}

func TestAsType(t *testing.T) {
	d, err := FromRows([][]float64{{0.5, -1}, {2, 3}}, [][]float64{{1}, {0}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	same, err := d.AsType(tensor.Float64)
	if err != nil || same != d {
		t.Errorf("AsType(Float64) = %p, %v; want d itself (%p)", same, err, d)
	}
	f, err := d.AsType(tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.X.Data(), []float32{0.5, -1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("float32 X = %v, want %v", got, want)
	}
	if got, want := f.Y.Data(), []float32{1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("float32 Y = %v, want %v", got, want)
	}
	back, err := f.AsType(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.X.Data(), []float64{0.5, -1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("back to float64 X = %v, want %v", got, want)
	}

	for _, dt := range []tensor.Dtype{{}, tensor.Int, tensor.Complex128} {
		_, err := d.AsType(dt)
		wantErr(t, err, ErrDtype)
	}
	big, err := FromRows([][]float64{{1}, {1e300}}, [][]float64{{0}, {0}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	_, err = big.AsType(tensor.Float32)
	wantErr(t, err, ErrNonFinite, "X row 1, column 0 is 1e+300, which overflows float32")
}

func TestLabels(t *testing.T) {
	tests := []struct {
		name  string
		y     [][]float64
		want  []int
		parts []string // non-nil: an ErrLabel naming these
	}{
		{"ints", [][]float64{{3}, {0}, {9}}, []int{3, 0, 9}, nil},
		{"column 0 of two", [][]float64{{1, 0.5}, {2, -7}}, []int{1, 2}, nil},
		{"fraction", [][]float64{{1}, {2.5}}, nil, []string{"Y row 1, column 0 is 2.5"}},
		{"negative", [][]float64{{-1}, {2}}, nil, []string{"Y row 0, column 0 is -1"}},
		{"too large", [][]float64{{1e12}}, nil, []string{"Y row 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := make([][]float64, len(tt.y))
			for i := range x {
				x[i] = []float64{float64(i)}
			}
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				d, err := FromRows(x, tt.y, dt)
				if err != nil {
					t.Fatal(err)
				}
				got, err := d.Labels()
				if tt.parts != nil {
					wantErr(t, err, ErrLabel, tt.parts...)
					continue
				}
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("%v: Labels() = %v, %v; want %v", dt, got, err, tt.want)
				}
			}
		})
	}
}

// A zero Dataset answers zero sizes and returns ErrEmpty instead of panicking.
func TestZeroDataset(t *testing.T) {
	var d Dataset
	if d.Len() != 0 || d.Features() != 0 || d.Targets() != 0 || d.Dtype() != (tensor.Dtype{}) {
		t.Errorf("zero Dataset sizes %d %d %d %v, want 0 0 0 and the zero dtype", d.Len(), d.Features(), d.Targets(), d.Dtype())
	}
	_, _, err := d.Split(0.5, 1)
	wantErr(t, err, ErrEmpty)
	_, err = d.Subset([]int{0})
	wantErr(t, err, ErrEmpty)
	_, err = d.AsType(tensor.Float32)
	wantErr(t, err, ErrEmpty)
	_, err = d.Labels()
	wantErr(t, err, ErrEmpty)
}

func TestCSVFloat32Overflow(t *testing.T) {
	_, err := LoadCSV(strings.NewReader("a,b\n1,2\n3e39,4\n"), CSVConfig{Header: true, Dtype: tensor.Float32})
	wantErr(t, err, ErrNonFinite, "line 3, column 1", "overflows float32")
}
