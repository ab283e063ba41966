package fastblas

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// overflowArgs have a slice far too short for sizes whose (rows−1)·ld +
// cols, gonum's length test, overflows int: gonum's own Sgemm passes that
// test and fails later on an index; ours panics with gonum's "insufficient
// length" message before any kernel runs, on every path (the assembly
// kernels, and gonum's code for vector-shaped products).
var overflowArgs = []struct {
	args gemmArgs
	want string
}{
	{gemmArgs{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: 1, lda: math.MaxInt, ldb: 2, ldc: 2, lenA: 1, lenB: 2, lenC: 4}, shortA},
	{gemmArgs{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 1, k: 1, lda: math.MaxInt, ldb: 1, ldc: 1, lenA: 1, lenB: 1, lenC: 2}, shortA},
	{gemmArgs{tA: blas.Trans, tB: blas.NoTrans, m: 2, n: 2, k: 3, lda: math.MaxInt/2 + 1, ldb: 2, ldc: 2, lenA: 2, lenB: 6, lenC: 4}, shortA},
	{gemmArgs{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: math.MaxInt, ldc: 2, lenA: 4, lenB: 2, lenC: 4}, shortB},
	{gemmArgs{tA: blas.NoTrans, tB: blas.Trans, m: 1, n: 3, k: 2, lda: 2, ldb: math.MaxInt - 1, ldc: 3, lenA: 2, lenB: 2, lenC: 3}, shortB},
	{gemmArgs{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 2, lda: 2, ldb: 2, ldc: math.MaxInt/2 + 1, lenA: 6, lenB: 4, lenC: 2}, shortC},
}

func TestOverflowingLengthsPanicWithGonumsMessage(t *testing.T) {
	for _, c := range overflowArgs {
		t.Run(fmt.Sprintf("%+v", c.args), func(t *testing.T) {
			a := c.args
			s32 := func() {
				Implementation{}.Sgemm(a.tA, a.tB, a.m, a.n, a.k, 1, make([]float32, a.lenA), a.lda,
					make([]float32, a.lenB), a.ldb, 0, make([]float32, a.lenC), a.ldc)
			}
			s64 := func() {
				Implementation{}.Dgemm(a.tA, a.tB, a.m, a.n, a.k, 1, make([]float64, a.lenA), a.lda,
					make([]float64, a.lenB), a.ldb, 0, make([]float64, a.lenC), a.ldc)
			}
			for name, call := range map[string]func(){"Sgemm": s32, "Dgemm": s64} {
				if got := panicOf(call); got != c.want {
					t.Errorf("%s panicked with %v, want %q", name, got, c.want)
				}
			}
		})
	}
}

func panicOf(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}
