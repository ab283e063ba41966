package pareto

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// cellCount is an independent hypervolume for integer points and an integer
// reference: the number of unit cells [c, c+1)^d below the reference that
// some point weakly dominates (p ≤ c in every objective).
func cellCount(points [][]float64, ref []float64) float64 {
	d := len(ref)
	lo := make([]int, d)
	for j := range lo {
		lo[j] = int(ref[j])
		for _, p := range points {
			lo[j] = min(lo[j], int(p[j]))
		}
		if lo[j] >= int(ref[j]) {
			return 0 // no cell below the reference is dominated
		}
	}
	count := 0.0
	c := append([]int(nil), lo...)
	for {
		for _, p := range points {
			dominated := true
			for j := range d {
				if p[j] > float64(c[j]) {
					dominated = false
					break
				}
			}
			if dominated {
				count++
				break
			}
		}
		j := 0
		for ; j < d; j++ {
			if c[j]++; c[j] < int(ref[j]) {
				break
			}
			c[j] = lo[j]
		}
		if j == d {
			return count
		}
	}
}

func TestHypervolumeCountsCells(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		d := 2 + trial%3
		n := 1 + r.IntN(12)
		ref := make([]float64, d)
		for j := range ref {
			ref[j] = 6
		}
		points := make([][]float64, n)
		for i := range points {
			points[i] = make([]float64, d)
			for j := range d {
				points[i][j] = float64(r.IntN(8)) // some beyond the reference: ignored
			}
		}
		got, err := Hypervolume(points, ref)
		if err != nil {
			t.Fatal(err)
		}
		if want := cellCount(points, ref); got != want {
			t.Fatalf("trial %d: %d points in %d-D %v: hypervolume %v, %v unit cells", trial, n, d, points, got, want)
		}
	}
}

func TestHypervolumeInput(t *testing.T) {
	hv, err := Hypervolume([][]float64{{1, 1}, {2, 0.5}, {5, 5}}, []float64{3, 2})
	if err != nil || hv != 2*1+1*0.5 {
		t.Errorf("hypervolume %v, %v; want 2.5 (the point beyond the reference ignored)", hv, err)
	}
	if hv, err := Hypervolume(nil, []float64{1, 1}); hv != 0 || err != nil {
		t.Errorf("no points: %v, %v; want 0, nil", hv, err)
	}
	for name, c := range map[string]struct {
		points [][]float64
		ref    []float64
	}{
		"one objective":     {[][]float64{{1}}, []float64{2}},
		"NaN reference":     {[][]float64{{1, 1}}, []float64{math.NaN(), 2}},
		"infinite ref":      {[][]float64{{1, 1}}, []float64{math.Inf(1), 2}},
		"ragged":            {[][]float64{{1, 1}, {1}}, []float64{2, 2}},
		"NaN point":         {[][]float64{{math.NaN(), 1}}, []float64{2, 2}},
		"-Inf point counts": {[][]float64{{math.Inf(-1), 1}}, []float64{2, 2}},
	} {
		if _, err := Hypervolume(c.points, c.ref); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err %v, want ErrInput", name, err)
		}
	}
}
