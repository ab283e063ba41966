package critic

import (
	"math"
	"testing"
)

func TestTailRowMatchesTheSum(t *testing.T) {
	for _, c := range [][3]int{{5, 4, 40}, {10, 3, 40}, {30, 25, 40}, {40, 10, 40}, {3, 0, 40}, {200, 700, 1000}, {1, 1, 2}} {
		m, K, N := c[0], c[1], c[2]
		row := tailRow(m, K, N)
		if len(row) != min(m, K)+2 {
			t.Fatalf("m, K, N = %v: %d values, want %d", c, len(row), min(m, K)+2)
		}
		for b := range row {
			if want := upperTailHypergeom(b, m, K, N); math.Abs(row[b]-want) > 1e-12 {
				t.Errorf("m, K, N = %v: P(X ≥ %d) = %v, want %v", c, b, row[b], want)
			}
		}
	}
	// By hand: 4 bad of 40, all 4 in a region of 5: C(5,4)/C(40,4).
	if got, want := upperTailHypergeom(4, 5, 4, 40), 5.0/91390; math.Abs(got-want) > 1e-15 {
		t.Errorf("P(X ≥ 4 | m 5, K 4, N 40) = %v, want %v", got, want)
	}
}

func TestRankSum(t *testing.T) {
	// a = {3, 4, 5} against b = {1, 2}: U = 6 (every pair), mean 3,
	// variance 3·2/12·6 = 3; z = (6 − 3 − ½)/√3.
	u, m, v := rankSum([]float64{3, 4, 5}, []float64{1, 2})
	if u != 6 || m != 3 || v != 3 {
		t.Errorf("rankSum = %v, %v, %v; want 6, 3, 3", u, m, v)
	}
	want := 0.5 * math.Erfc(2.5/math.Sqrt(3)/math.Sqrt2)
	if got := rankSumGreater([]float64{3, 4, 5}, []float64{1, 2}); math.Abs(got-want) > 1e-15 {
		t.Errorf("rankSumGreater = %v, want %v", got, want)
	}
	// Ties: {1, 1} against {1, 1} has U = 2 and no variance left.
	if p := rankSumGreater([]float64{1, 1}, []float64{1, 1}); p != 1 {
		t.Errorf("all tied: p = %v, want 1", p)
	}
	if p := rankSumGreater(nil, []float64{1}); p != 1 {
		t.Errorf("empty group: p = %v, want 1", p)
	}
}

func TestStratifiedSumsTheBlocks(t *testing.T) {
	v := []float64{5, 1, 4, 2, 9, 8, 3, 7}
	inA := []bool{true, false, true, false, true, true, false, false}
	one := make([]int, len(v))
	if got, want := stratifiedGreater(v, inA, one), rankSumGreater([]float64{5, 4, 9, 8}, []float64{1, 2, 3, 7}); got != want {
		t.Errorf("one block: p = %v, want the unstratified %v", got, want)
	}
	// Two blocks: block 0 = {5,1,4,2} (U 4 of 4 pairs), block 1 = {9,8,3,7}
	// (U 4): U = 8, mean 4, variance 2·(2·2/12·5) = 10/3.
	block := []int{0, 0, 0, 0, 1, 1, 1, 1}
	want := 0.5 * math.Erfc((8-4-0.5)/math.Sqrt(10.0/3)/math.Sqrt2)
	if got := stratifiedGreater(v, inA, block); math.Abs(got-want) > 1e-15 {
		t.Errorf("two blocks: p = %v, want %v", got, want)
	}
}

func TestRoundest(t *testing.T) {
	lin := numeric{low: 0, high: 0.2}
	cases := []struct {
		n            numeric
		lo, hi, aim  float64
		incLo, incHi bool
		want         float64
	}{
		{lin, 0.0412, 0.0561, 0.048, true, false, 0.05},
		{lin, 0.0412, 0.05, 0.0478, true, false, 0.048}, // 0.05 excluded
		{lin, 0.123, 0.129, 0.125, true, true, 0.125},
		{numeric{low: 1, high: 64, step: 1, isInt: true}, 17, 23, 20, true, false, 20},
		{numeric{low: 1, high: 64, step: 3, isInt: true}, 17, 23, 20, true, false, 19}, // 1 + 3k
		{numeric{low: 0, high: 1, step: 1.0 / 3}, 0.3, 0.4, 0.35, true, true, 1.0 / 3},
		{numeric{low: -5, high: 5}, -2.7, -2.2, -2.5, true, true, -2.5},
	}
	for _, c := range cases {
		got, ok := c.n.roundest(c.lo, c.hi, c.aim, c.incLo, c.incHi)
		if !ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v.roundest(%v, %v, aim %v) = %v, %v; want %v", c.n, c.lo, c.hi, c.aim, got, ok, c.want)
		}
	}
}

func TestWiden(t *testing.T) {
	cases := []struct {
		n     numeric
		upper bool
		want  float64
		ok    bool
	}{
		{numeric{low: 1e-4, high: 0.1, log: true}, true, 0.3, true},     // half a decade, 0.316
		{numeric{low: 1e-4, high: 0.1, log: true}, false, 4e-5, true},   // 3.16e-5: the roundest in [3.16e-5, 6.6e-5]
		{numeric{low: 0, high: 0.1}, true, 0.15, true},                  // half the width
		{numeric{low: 0.1, high: 0.5}, false, 0.01, true},               // -0.1 crosses 0: a tenth
		{numeric{low: 1, high: 4, step: 1, isInt: true}, true, 6, true}, // 4 + round(1.5)
		{numeric{low: 1, high: 64, log: true, isInt: true, step: 1}, false, 0, false},
		{numeric{low: 8, high: 64, log: true, isInt: true, step: 1}, false, 3, true},
	}
	for _, c := range cases {
		got, ok := widen(c.n, c.upper)
		if ok != c.ok || ok && math.Abs(got-c.want) > 1e-12 {
			t.Errorf("widen(%+v, upper %v) = %v, %v; want %v, %v", c.n, c.upper, got, ok, c.want, c.ok)
		}
	}
}

// upperTailHypergeom, the reference for tailRow, returns P(X ≥ x) for X,
// the number of marked items in a draw of n without replacement from N
// items of which K are marked, term by term.
func upperTailHypergeom(x, n, K, N int) float64 {
	lo := max(x, 0, n-(N-K))
	hi := min(n, K)
	if lo > hi {
		return 0
	}
	denom := logChoose(N, n)
	p := 0.0
	for i := lo; i <= hi; i++ {
		p += math.Exp(logChoose(K, i) + logChoose(N-K, n-i) - denom)
	}
	return min(p, 1)
}

// rankSumGreater is stratifiedGreater with one block: the p-value that the
// values of a tend to be larger than those of b.
func rankSumGreater(a, b []float64) float64 {
	u, mean, variance := rankSum(a, b)
	return normalUpper(u, mean, variance)
}
