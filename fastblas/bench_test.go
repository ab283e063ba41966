package fastblas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gradtune/gradtune/internal/gemm/gemmtest"
)

// benchShape is one GEMM of the MNIST MLP (784-256-128-10, batch 128) or
// the square reference: C (m×n) = op(A)·op(B) with inner dimension k.
type benchShape struct {
	name    string
	tA, tB  blas.Transpose
	m, k, n int
}

var benchShapes = []benchShape{
	{"128x784x256_NN", blas.NoTrans, blas.NoTrans, 128, 784, 256}, // layer 1 forward
	{"784x128x256_TN", blas.Trans, blas.NoTrans, 784, 128, 256},   // layer 1 dW = Xᵀ·dY
	{"128x256x784_NT", blas.NoTrans, blas.Trans, 128, 256, 784},   // layer 1 dX = dY·Wᵀ
	{"128x256x128_NN", blas.NoTrans, blas.NoTrans, 128, 256, 128}, // layer 2 forward
	{"128x128x10_NN", blas.NoTrans, blas.NoTrans, 128, 128, 10},   // layer 3 forward
	{"1024x1024x1024_NN", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
}

// benchImpls run side by side in each shape so that one round compares
// them under the same load; threads is the SetMaxThreads setting.
var benchImpls = []struct {
	name    string
	impl    blasImpl
	threads int
}{
	{"gonum", gonum.Implementation{}, 0},
	{"fastblas_1thread", Implementation{}, 1},
	{"fastblas", Implementation{}, 0},
}

type blasImpl interface {
	blas.Float32
	blas.Float64
}

func operands[T float32 | float64](s benchShape) (a []T, lda int, b []T, ldb int, c []T) {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(rng.Float64()*2 - 1)
		}
		return x
	}
	lda, ldb = s.k, s.n
	if s.tA == blas.Trans {
		lda = s.m
	}
	if s.tB == blas.Trans {
		ldb = s.k
	}
	return fill(s.m * s.k), lda, fill(s.k * s.n), ldb, make([]T, s.m*s.n)
}

// BenchmarkSgemm reports GFLOP/s (2·m·n·k per call) of gonum and of
// fastblas on one thread and on MaxThreads. Run briefly, and repeat whole
// runs rather than -count so that rounds interleave:
//
//	for i in 1 2 3; do go test ./fastblas -run - -bench Sgemm -benchtime 20x; done
func BenchmarkSgemm(b *testing.B) {
	benchGemm(b, func(im blasImpl) gemmtest.Gemm[float32] { return im.Sgemm })
}

// BenchmarkDgemm is BenchmarkSgemm in float64.
func BenchmarkDgemm(b *testing.B) {
	benchGemm(b, func(im blasImpl) gemmtest.Gemm[float64] { return im.Dgemm })
}

func benchGemm[T float32 | float64](b *testing.B, method func(blasImpl) gemmtest.Gemm[T]) {
	for _, s := range benchShapes {
		a, lda, bm, ldb, c := operands[T](s)
		for _, im := range benchImpls {
			gemm := method(im.impl)
			b.Run(fmt.Sprintf("%s/%s", s.name, im.name), func(b *testing.B) {
				defer SetMaxThreads(SetMaxThreads(im.threads))
				// One untimed call first: scratch buffers come from a pool, and
				// with -benchtime 20x a first call's allocation would weigh on
				// the small shapes.
				gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				for b.Loop() {
					gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				}
				reportGFLOPS(b, s)
			})
		}
	}
}

func reportGFLOPS(b *testing.B, s benchShape) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
