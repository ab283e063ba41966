package model

import (
	"math"
	"testing"
)

// The vectorized ReLU forward is max(x, 0) bit for bit: NaN stays NaN (its
// own bits), -0 and negatives become +0, +Inf stays; over lengths that
// exercise the vector body and the scalar tail.
func TestReLUForwardIsMax(t *testing.T) {
	specials := []float64{math.NaN(), math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), -1e-310, 1e-310, -2.5, 3.25, -math.MaxFloat64, math.MaxFloat64}
	for _, n := range []int{1, 7, 8, 15, 16, 17, 33, 64, 100} {
		x64 := make([]float64, n)
		x32 := make([]float32, n)
		for i := range x64 {
			x64[i] = specials[(i*7)%len(specials)]
			x32[i] = float32(x64[i])
		}
		d64 := make([]float64, n)
		relu[float64]().fwd(d64, x64)
		d32 := make([]float32, n)
		relu[float32]().fwd(d32, x32)
		for i := range n {
			if w := max(x64[i], 0); math.Float64bits(d64[i]) != math.Float64bits(w) {
				t.Errorf("n=%d float64 relu(%v) = %v (bits %x), want %v (bits %x)", n, x64[i], d64[i], math.Float64bits(d64[i]), w, math.Float64bits(w))
			}
			if w := max(x32[i], 0); math.Float32bits(d32[i]) != math.Float32bits(w) {
				t.Errorf("n=%d float32 relu(%v) = %v, want %v", n, x32[i], d32[i], w)
			}
		}
	}
}
