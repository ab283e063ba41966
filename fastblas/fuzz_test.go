package fastblas

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"

	"github.com/gradtune/gradtune/internal/gemm/gemmtest"
)

// fuzzCall turns fuzzer input into one call, valid or not: sizes up to 70
// (negative ones included), any of the three transpose values or a bad one,
// leading dimensions from 2 below to 5 above the minimum, a slice one
// element short, and finite alpha and beta with 0 and 1 likely.
type fuzzCall struct {
	args gemmArgs
	c    gemmtest.Case
	cut  int // 0: none; 1, 2, 3: a, b or c one element short
}

func newFuzzCall(tA, tB, m, n, k, padA, padB, padC, cut uint8, alpha, beta float64) fuzzCall {
	transposes := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans, 'x'}
	size := func(v uint8) int { return int(v)%73 - 2 } // -2..70
	pad := func(v uint8) int { return int(v)%8 - 2 }   // -2..5
	c := gemmtest.Case{
		TA: tA%4 == 1 || tA%4 == 2, TB: tB%4 == 1 || tB%4 == 2,
		M: size(m), N: size(n), K: size(k),
		PadA: pad(padA), PadB: pad(padB), PadC: pad(padC),
		Alpha: scalar(alpha), Beta: scalar(beta),
	}
	return fuzzCall{
		args: gemmArgs{
			tA: transposes[tA%4], tB: transposes[tB%4],
			m: c.M, n: c.N, k: c.K, lda: c.LDA(), ldb: c.LDB(), ldc: c.LDC(),
		},
		c:   c,
		cut: int(cut % 4),
	}
}

// scalar maps any float to a finite one of moderate size, keeping 0 and 1.
func scalar(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Mod(v, 1000)
}

func FuzzSgemm(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, tA, tB, m, n, k, padA, padB, padC, cut uint8, alpha, beta float64) {
		fuzzOne[float32](t, newFuzzCall(tA, tB, m, n, k, padA, padB, padC, cut, alpha, beta), Implementation{}.Sgemm)
	})
}

func FuzzDgemm(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, tA, tB, m, n, k, padA, padB, padC, cut uint8, alpha, beta float64) {
		fuzzOne[float64](t, newFuzzCall(tA, tB, m, n, k, padA, padB, padC, cut, alpha, beta), Implementation{}.Dgemm)
	})
}

// addSeeds is the seed corpus, run by plain go test: each layout at tile
// edges (sizes 0, 1, 5, 6, 7, 15, 16, 17, 33 are inputs +2), strides, alpha
// and beta 0, 1 and others, bad transposes, sizes and strides, short slices.
func addSeeds(f *testing.F) {
	const N, T, C, X = 0, 1, 2, 3 // NoTrans, Trans, ConjTrans, invalid
	seeds := []struct {
		tA, tB, m, n, k, padA, padB, padC, cut uint8
		alpha, beta                            float64
	}{
		{N, N, 9, 19, 35, 2, 2, 2, 0, 1, 0},
		{T, N, 8, 18, 11, 3, 4, 7, 0, 1, 1},
		{N, T, 19, 35, 17, 2, 5, 2, 0, -0.5, 0},
		{T, T, 35, 7, 18, 6, 2, 3, 0, 2, -1.5},
		{C, C, 17, 18, 9, 2, 2, 2, 0, 1, 0},
		{N, N, 2, 9, 9, 2, 2, 2, 0, 1, 0},   // m = 0
		{N, T, 3, 3, 3, 2, 2, 2, 0, 1, 1},   // 1×1×1
		{T, N, 9, 3, 2, 2, 2, 2, 0, 1, 0.5}, // k = 0
		{N, N, 8, 18, 19, 2, 2, 2, 0, 0, 2}, // alpha = 0
		{N, N, 8, 18, 19, 2, 2, 2, 0, 0, 1}, // alpha = 0, beta = 1
		{X, N, 8, 8, 8, 2, 2, 2, 0, 1, 0},
		{N, X, 8, 8, 8, 2, 2, 2, 0, 1, 0},
		{N, N, 1, 8, 8, 2, 2, 2, 0, 1, 0}, // m = -1
		{N, N, 8, 0, 8, 2, 2, 2, 0, 1, 0}, // n = -2
		{N, N, 8, 8, 1, 2, 2, 2, 0, 1, 0}, // k = -1
		{N, N, 8, 8, 8, 1, 2, 2, 0, 1, 0}, // lda one short
		{T, T, 8, 8, 8, 2, 0, 2, 0, 1, 0}, // ldb two short
		{N, N, 8, 8, 8, 2, 2, 1, 0, 1, 0}, // ldc one short
		{N, N, 8, 8, 8, 2, 2, 2, 1, 1, 0}, // a short
		{T, T, 8, 8, 8, 2, 2, 2, 2, 1, 0}, // b short
		{N, T, 8, 8, 8, 2, 2, 2, 3, 1, 0}, // c short
		{N, N, 2, 8, 8, 2, 2, 2, 3, 1, 0}, // c "short" but m = 0
	}
	for _, s := range seeds {
		f.Add(s.tA, s.tB, s.m, s.n, s.k, s.padA, s.padB, s.padC, s.cut, s.alpha, s.beta)
	}
}

// fuzzOne runs the call through ours and gonum's: both must panic with the
// same value, or neither, with the same C within rounding.
func fuzzOne[T gemmtest.Float](t *testing.T, fc fuzzCall, ours gemmtest.Gemm[T]) {
	rng := rand.New(rand.NewPCG(uint64(fc.c.M+3), uint64(fc.c.N+5)))
	a, b, c0 := gemmtest.Operands[T](fc.c, rng)
	cut := func(s []T) []T { return s[:max(len(s)-1, 0)] }
	switch fc.cut {
	case 1:
		a = cut(a)
	case 2:
		b = cut(b)
	case 3:
		c0 = cut(c0)
	}
	x := fc.args
	call := func(g gemmtest.Gemm[T]) (out []T, panicked any) {
		out = slices.Clone(c0)
		defer func() { panicked = recover() }()
		g(x.tA, x.tB, x.m, x.n, x.k, T(fc.c.Alpha), a, x.lda, b, x.ldb, T(fc.c.Beta), out, x.ldc)
		return out, nil
	}
	got, gotPanic := call(ours)
	want, wantPanic := call(gemmtest.Gonum[T]())
	if gotPanic != wantPanic {
		t.Fatalf("%v %+v: panic %v, gonum panics %v", fc.c, x, gotPanic, wantPanic)
	}
	if wantPanic != nil {
		return
	}
	if err := gemmtest.Compare(fc.c, a, b, c0, got, want); err != nil {
		t.Fatal(err)
	}
}
