package signedrank

import (
	"math"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// TestGoldenSciPy compares p-values and methods with the modern SciPy
// dispatch recorded by testdata/optuna/gen_wilcoxon.py.
func TestGoldenSciPy(t *testing.T) {
	var g struct {
		Wilcoxon []struct {
			D           []float64 `json:"d"`
			Alternative string    `json:"alternative"`
			P           float64   `json:"p"`
			Method      string    `json:"method"`
		} `json:"wilcoxon"`
	}
	golden.ReadTestdata(t, "optuna/wilcoxon.json", &g)
	if len(g.Wilcoxon) < 30 {
		t.Fatalf("only %d cases in wilcoxon.json", len(g.Wilcoxon))
	}
	for _, c := range g.Wilcoxon {
		alt := Greater
		if c.Alternative == "less" {
			alt = Less
		}
		p, m := Test(c.D, alt)
		if string(m) != c.Method || math.Abs(p-c.P) > 1e-12*math.Max(1, c.P) {
			t.Errorf("Test(%v, %s) = %v (%s), SciPy %v (%s)", c.D, c.Alternative, p, m, c.P, c.Method)
		}
	}
}

// TestSmallByHand checks cases small enough to enumerate by hand.
func TestSmallByHand(t *testing.T) {
	cases := []struct {
		d    []float64
		alt  Alternative
		p    float64
		meth Method
	}{
		// R+ = 3 of max 3: only the all-positive pattern of 4 reaches it.
		{[]float64{1, 2}, Greater, 0.25, Exact},
		{[]float64{1, 2}, Less, 1, Exact},
		// |d| ranks 1.5, 1.5, 3; R+ = 1.5+3 = 4.5; of the 8 flips, 1.5+3
		// (twice) and 1.5+1.5+3 reach it.
		{[]float64{1, -1, 2}, Greater, 3.0 / 8, Permutation},
		// all zeros: every flip equals the observed, p = 1 both ways.
		{[]float64{0, 0, 0}, Greater, 1, Permutation},
		{[]float64{0, 0, 0}, Less, 1, Permutation},
	}
	for _, c := range cases {
		p, m := Test(c.d, c.alt)
		if m != c.meth || math.Abs(p-c.p) > 1e-15 {
			t.Errorf("Test(%v, %v) = %v (%s), want %v (%s)", c.d, c.alt, p, m, c.p, c.meth)
		}
	}
	if p, _ := Test(nil, Greater); !math.IsNaN(p) {
		t.Errorf("Test(nil) = %v, want NaN", p)
	}
}
