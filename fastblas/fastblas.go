package fastblas

import (
	"os"
	"strings"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gemm"
)

// EnvVar names the environment variable that chooses the GEMM code, read
// once when the program starts (any case): "gonum" turns the kernels off
// (Implementation runs gonum's code and Install does nothing); in a build
// with the openblas tag, "openblas" runs OpenBLAS also where the kernels
// could. Other values are ignored.
const EnvVar = "GRADTUNE_BLAS"

// Kernel names.
const (
	KernelAVX2FMA  = "avx2-fma" // the assembly kernels
	KernelOpenBLAS = "openblas" // OpenBLAS through cgo (build tag openblas)
	KernelGonum    = "gonum"    // gonum's pure-Go code
)

// gemmer is the part of a BLAS that Implementation forwards to.
type gemmer interface {
	Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

// kernel is what Sgemm and Dgemm run, fixed at start-up. openblas is nil
// unless the build has the openblas tag (openblas.go).
var kernel = chooseKernel(os.Getenv(EnvVar), gemm.Available(), openblas != nil)

func chooseKernel(env string, available, haveOpenBLAS bool) string {
	env = strings.TrimSpace(env)
	switch {
	case strings.EqualFold(env, KernelGonum):
		return KernelGonum
	case strings.EqualFold(env, KernelOpenBLAS) && haveOpenBLAS:
		return KernelOpenBLAS
	case available:
		return KernelAVX2FMA
	case haveOpenBLAS:
		return KernelOpenBLAS
	}
	return KernelGonum
}

// Kernel reports what Implementation's Sgemm and Dgemm run: KernelAVX2FMA on
// amd64 CPUs with AVX2 and FMA; otherwise (other CPUs, other architectures,
// the purego tag) KernelOpenBLAS in a build with the openblas tag and
// KernelGonum without; and as GRADTUNE_BLAS says (see EnvVar).
func Kernel() string { return kernel }

// Implementation is gonum's BLAS with Sgemm and Dgemm replaced by the
// assembly kernels where Kernel reports KernelAVX2FMA. Every other routine is
// gonum's. The zero value is ready to use, and it satisfies gorgonia.BLAS.
type Implementation struct {
	gonum.Implementation
}

var _ gorgonia.BLAS = Implementation{}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major float32
// matrices: op(A) is m×k, op(B) k×n and C m×n, op(X) = X or Xᵀ as tA, tB
// say, and lda, ldb, ldc are the row strides in elements. beta = 0 clears
// C first (NaNs included) and alpha = 0 leaves A and B unread.
//
// Like every method of a gonum blas.Float32 (whose contract, in package
// gonum.org/v1/gonum/blas, is to "perform appropriate parameter checking and
// panic" on arguments the BLAS standard rejects), it has no error result
// and panics, with gonum's messages ("blas: …", which Gorgonia expects), on
// a bad transpose value, a negative size, a leading dimension below the row
// length, or a slice too short for its matrix. It checks before any kernel
// runs, whichever Kernel reports, and without gonum's overflow: a slice too
// short for sizes whose product passes MaxInt is "blas: insufficient
// length" too, never an index panic or a read past the slice.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	aTrans, bTrans, empty := checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	switch {
	case empty:
	case kernel == KernelOpenBLAS && !vectorShaped(m, n):
		openblas.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case kernel != KernelAVX2FMA || vectorShaped(m, n):
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		gemm.Sgemm(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// Dgemm is Sgemm for float64 (gonum's blas.Float64, with the same checks
// and panics).
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	aTrans, bTrans, empty := checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	switch {
	case empty:
	case kernel == KernelOpenBLAS && !vectorShaped(m, n):
		openblas.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case kernel != KernelAVX2FMA || vectorShaped(m, n):
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		gemm.Dgemm(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// vectorShaped reports a product whose result is one row or one column: a
// matrix-vector product in GEMM's clothes, for which a 6-row by 16-column
// register tile would leave 5/6 or 15/16 of its lanes idle. Such calls run
// gonum's code, which also keeps a tiny model's (a linear regression's)
// results bit-identical to gonum's: a diverging trajectory amplifies the
// rounding of a fused multiply-add ×100 per step, and the golden
// learning-rate sweeps compare such tails with torch's.
func vectorShaped(m, n int) bool { return m == 1 || n == 1 }

var installOnce sync.Once

// Install makes Implementation Gorgonia's BLAS (gorgonia.Use, which also
// sets tensor's), unless that would change nothing or undo a choice: it does
// nothing when Kernel reports KernelGonum, or when the BLAS in place is not
// Gorgonia's default gonum.Implementation (a BLAS the user installed, such as
// netlib's, is left alone). Only the first call acts; later calls only
// report. It returns Installed().
//
// Gorgonia reads its BLAS without synchronization: call Install before
// building or running graphs, not while they run.
func Install() bool {
	installOnce.Do(func() { install() })
	return Installed()
}

func install() {
	if kernel == KernelGonum {
		return
	}
	if _, isDefault := gorgonia.WhichBLAS().(gonum.Implementation); !isDefault {
		return
	}
	gorgonia.Use(Implementation{})
}

// Installed reports whether Gorgonia's BLAS is Implementation, whether
// Install or the user put it there.
func Installed() bool {
	switch gorgonia.WhichBLAS().(type) {
	case Implementation, *Implementation:
		return true
	}
	return false
}

// SetMaxThreads caps the goroutines one large GEMM call uses, the caller
// included, and returns the previous setting. n ≤ 0 restores the default,
// GOMAXPROCS; 1 keeps every call on its caller's goroutine. Calls of at least
// ~24 MFLOP (2·m·n·k) are split by rows or columns of C, never along k, so
// results are bit-identical whatever the setting. Helper goroutines are
// shared by the whole process: concurrent calls (trials training in
// parallel) together use at most MaxThreads()-1 helpers.
func SetMaxThreads(n int) (previous int) { return gemm.SetMaxThreads(n) }

// MaxThreads returns the cap in force: the value set, or GOMAXPROCS.
func MaxThreads() int { return gemm.MaxThreads() }
