package data

import (
	"fmt"
	gtdense "github.com/gradtune/gradtune/internal/dense"
	"math"
	"reflect"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// numbered returns a dataset of n rows whose X row i is (i, 2i) and Y row i
// is (-i), so that a row's origin can be read back from any split.
func numbered(t *testing.T, n int, dt tensor.Dtype) *Dataset {
	t.Helper()
	x := make([][]float64, n)
	y := make([][]float64, n)
	for i := range n {
		x[i] = []float64{float64(i), float64(2 * i)}
		y[i] = []float64{-float64(i)}
	}
	d, err := FromRows(x, y, dt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rowIDs returns the original row numbers of a dataset built by numbered,
// checking that each row is intact.
func rowIDs(t *testing.T, d *Dataset) []int {
	t.Helper()
	if d == nil {
		return nil
	}
	xs, ys := gtdense.ReadOnly64(d.X), gtdense.ReadOnly64(d.Y)
	ids := make([]int, d.Len())
	for i := range ids {
		id := xs[2*i]
		if xs[2*i+1] != 2*id || ys[i] != -id {
			t.Fatalf("row %d = (%v, %v | %v) is not an intact row", i, xs[2*i], xs[2*i+1], ys[i])
		}
		ids[i] = int(id)
	}
	return ids
}

// checkPartition checks that the parts hold every row 0..n-1 exactly once.
func checkPartition(t *testing.T, n int, parts ...[]int) {
	t.Helper()
	var all []int
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("parts %v do not hold each of the %d rows exactly once", parts, n)
		}
	}
	if len(all) != n {
		t.Fatalf("parts hold %d rows, want %d", len(all), n)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		n        int
		frac     float64
		wantHeld int
	}{
		{10, 0.2, 2},
		{10, 0.25, 3}, // round(2.5) = 3: half away from zero
		{10, 0.5, 5},
		{3, 0.5, 2},
		{2, 0.5, 1},
		{100, 0.1, 10},
		{7, 0.9, 6},
		{1000, 0.333, 333},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("n=%d,frac=%v", tt.n, tt.frac), func(t *testing.T) {
			d := numbered(t, tt.n, tensor.Float64)
			rest, held, err := d.Split(tt.frac, 1)
			if err != nil {
				t.Fatal(err)
			}
			if held.Len() != tt.wantHeld || rest.Len() != tt.n-tt.wantHeld {
				t.Fatalf("held %d, rest %d rows; want %d, %d", held.Len(), rest.Len(), tt.wantHeld, tt.n-tt.wantHeld)
			}
			checkPartition(t, tt.n, rowIDs(t, rest), rowIDs(t, held))
		})
	}
}

func TestSplitSeeds(t *testing.T) {
	d := numbered(t, 50, tensor.Float32)
	rest1, held1, err := d.Split(0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	rest2, held2, err := d.Split(0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rest1.X.Data(), rest2.X.Data()) || !reflect.DeepEqual(held1.Y.Data(), held2.Y.Data()) {
		t.Error("the same seed gave different splits")
	}
	_, held3, err := d.Split(0.3, 8)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(rowIDs(t, held1), rowIDs(t, held3)) {
		t.Errorf("seeds 7 and 8 both held rows %v", rowIDs(t, held1))
	}
}

// TestSplitGolden pins the shuffle, so that a change to it, or to a Go
// release's PCG, shows up: the same seed must give the same split forever.
func TestSplitGolden(t *testing.T) {
	if got, want := permutation(10, 42), []int{1, 9, 2, 6, 5, 4, 8, 0, 7, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("permutation(10, 42) = %v, want %v", got, want)
	}
	d := numbered(t, 10, tensor.Float64)
	rest, held, err := d.Split(0.3, 42)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowIDs(t, held), []int{1, 9, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("held rows %v, want %v", got, want)
	}
	if got, want := rowIDs(t, rest), []int{6, 5, 4, 8, 0, 7, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("rest rows %v, want %v", got, want)
	}
}

// TestPermutationUniform checks that the shuffle is unbiased: over 60000
// seeds each of the 6 orders of 3 rows should come up 10000 times, with a
// standard deviation of about 91; 500 is more than 5 of those.
func TestPermutationUniform(t *testing.T) {
	counts := map[[3]int]int{}
	for seed := range uint64(60000) {
		p := permutation(3, seed)
		counts[[3]int{p[0], p[1], p[2]}]++
	}
	if len(counts) != 6 {
		t.Fatalf("saw %d distinct orders, want 6: %v", len(counts), counts)
	}
	for order, c := range counts {
		if c < 9500 || c > 10500 {
			t.Errorf("order %v came up %d times, want 10000 ± 500", order, c)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	d := numbered(t, 10, tensor.Float64)
	tests := []struct {
		frac  float64
		parts []string
	}{
		{0, []string{"frac = 0", "n = 10"}},
		{1, []string{"frac = 1", "n = 10"}},
		{-0.1, []string{"frac = -0.1"}},
		{math.NaN(), []string{"frac = NaN"}},
		{0.01, []string{"frac = 0.01", "n = 10", "0 rows"}},
		{0.97, []string{"frac = 0.97", "n = 10", "rest empty"}},
	}
	for _, tt := range tests {
		rest, held, err := d.Split(tt.frac, 1)
		if rest != nil || held != nil {
			t.Errorf("Split(%v) returned parts with its error", tt.frac)
		}
		wantErr(t, err, ErrSplit, tt.parts...)
	}
}
