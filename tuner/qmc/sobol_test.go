package qmc

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

type sobolGolden struct {
	SciPy  string
	Points []struct {
		D         int
		First     [][]float64
		Skip      uint64
		AfterSkip [][]float64 `json:"after_skip"`
	}
	Sampler []struct {
		Number   int
		Relative map[string]float64
		Params   map[string]float64
	}
}

func loadGolden(t *testing.T) sobolGolden {
	t.Helper()
	b, err := os.ReadFile("../../testdata/optuna/sobol.json")
	if err != nil {
		t.Fatal(err)
	}
	var g sobolGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Points) < 5 || len(g.Sampler) < 40 {
		t.Fatalf("golden file has %d point sets and %d trials", len(g.Points), len(g.Sampler))
	}
	return g
}

func TestSobolMatchesSciPy(t *testing.T) {
	for _, c := range loadGolden(t).Points {
		s, err := NewSobol(c.D, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		check := func(i uint64, want []float64) {
			got := make([]float64, c.D)
			if err := s.Point(i, got); err != nil {
				t.Fatal(err)
			}
			for dim := range want {
				if got[dim] != want[dim] {
					t.Fatalf("d=%d, point %d, dimension %d: %v, SciPy %v", c.D, i, dim, got[dim], want[dim])
				}
			}
		}
		for i, p := range c.First {
			check(uint64(i), p)
		}
		for i, p := range c.AfterSkip {
			check(c.Skip+uint64(i), p)
		}
	}
}

// TestScrambledIsANet checks what scrambling must keep: the first two
// dimensions of 2^m consecutive points (from a multiple of 2^m) form a
// (0, m, 2)-net — every box [a/2^i, (a+1)/2^i) × [b/2^(m−i), (b+1)/2^(m−i))
// holds exactly one point — and each other dimension puts one point in
// each of 2^m equal intervals.
func TestScrambledIsANet(t *testing.T) {
	const m, d = 6, 5
	n := uint64(1) << m
	for _, seed := range []uint64{0, 1, 42} {
		s, err := NewSobol(d, true, seed)
		if err != nil {
			t.Fatal(err)
		}
		for start := uint64(0); start < 4*n; start += n {
			pts := make([][]float64, n)
			for i := range pts {
				pts[i] = make([]float64, d)
				if err := s.Point(start+uint64(i), pts[i]); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i <= m; i++ {
				seen := map[[2]int]bool{}
				for _, p := range pts {
					box := [2]int{int(p[0] * float64(int(1)<<i)), int(p[1] * float64(int(1)<<(m-i)))}
					if seen[box] {
						t.Fatalf("seed %d, points %d..%d: two points in box %v of the %d×%d grid", seed, start, start+n-1, box, 1<<i, 1<<(m-i))
					}
					seen[box] = true
				}
			}
			for dim := 2; dim < d; dim++ {
				seen := map[int]bool{}
				for _, p := range pts {
					seen[int(p[dim]*float64(n))] = true
				}
				if len(seen) != int(n) {
					t.Errorf("seed %d, dimension %d: %d of %d intervals hit", seed, dim, len(seen), n)
				}
			}
		}
	}
	a, _ := NewSobol(2, true, 1)
	b, _ := NewSobol(2, true, 2)
	pa, pb := make([]float64, 2), make([]float64, 2)
	_ = a.Point(3, pa)
	_ = b.Point(3, pb)
	if pa[0] == pb[0] && pa[1] == pb[1] {
		t.Errorf("seeds 1 and 2 give the same point %v", pa)
	}
}

func TestSobolInput(t *testing.T) {
	for _, d := range []int{0, -1, MaxDim + 1} {
		if _, err := NewSobol(d, false, 0); !errors.Is(err, ErrSobol) {
			t.Errorf("NewSobol(%d): err %v, want ErrSobol", d, err)
		}
	}
	s, err := NewSobol(3, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Point(1<<30, make([]float64, 3)); !errors.Is(err, ErrSobol) {
		t.Errorf("point 2^30: err %v, want ErrSobol", err)
	}
	if err := s.Point(0, make([]float64, 2)); !errors.Is(err, ErrSobol) {
		t.Errorf("short destination: err %v, want ErrSobol", err)
	}
}

func TestNilSobol(t *testing.T) {
	var s *Sobol
	if err := s.Point(0, make([]float64, 1)); !errors.Is(err, ErrSobol) {
		t.Errorf("nil *Sobol: err %v, want ErrSobol", err)
	}
}
