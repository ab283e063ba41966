package prune

import (
	"math"
	"math/rand/v2"
	"testing"
)

// glibcLog equals Python's math.log (glibc) bit for bit, ln 3 included,
// where Go's math.Log is one ulp off.
func TestLogMatchesPython(t *testing.T) {
	g := loadGolden(t)
	if len(g.Log) == 0 {
		t.Fatal("no log cases")
	}
	for _, c := range g.Log {
		if got := glibcLog(c.X); !sameFloat(got, c.Log) {
			t.Errorf("log(%v) = %v, Python %v (math.Log %v)", c.X, got, c.Log, math.Log(c.X))
		}
	}
}

// Elsewhere glibcLog stays within one ulp of math.Log (both are within one
// ulp of ln x); outside its domain it is math.Log.
func TestLogNearMathLog(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		x := math.Exp(r.Float64()*1400 - 700)
		if i%2 == 0 {
			x = float64(1 + r.IntN(100000)) // the ratios Hyperband sees
		}
		got, want := glibcLog(x), math.Log(x)
		if d := math.Abs(got - want); d > math.Abs(math.Nextafter(want, math.Inf(1))-want) {
			t.Errorf("log(%v) = %v, math.Log %v: more than one ulp apart", x, got, want)
		}
	}
	for _, x := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if got, want := glibcLog(x), math.Log(x); !sameFloat(got, want) {
			t.Errorf("log(%v) = %v, want %v", x, got, want)
		}
	}
}
