// Package fastblas is a BLAS for Gorgonia whose Sgemm and Dgemm run AVX2/FMA
// assembly kernels, in pure Go (no cgo): several times faster than gonum's
// pure-Go GEMM, which Gorgonia uses by default, on the matrix products that
// dominate training. Every 2-D Mul and both of its gradients go through
// Sgemm or Dgemm.
//
// # Usage
//
// Install it once, before building graphs:
//
//	fastblas.Install() // reports whether it is in place
//
// Install leaves alone a BLAS the user has already installed
// (gorgonia.WhichBLAS is not Gorgonia's default) and does nothing on machines
// without the kernels. To install it regardless of what is in place, call
// gorgonia.Use(fastblas.Implementation{}) yourself. To opt out, set the
// environment variable GRADTUNE_BLAS=gonum: Install then does nothing, and
// Implementation runs gonum's code even if installed by hand.
//
// Implementation can also be called directly, as any gonum BLAS:
//
//	fastblas.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
//
// # Dispatch and fallback
//
// Kernel reports what runs, decided once at start-up: "avx2-fma" on amd64
// CPUs with AVX2 and FMA (golang.org/x/sys/cpu), "gonum" on other CPUs, other
// architectures, in builds with the purego tag, and with GRADTUNE_BLAS=gonum.
// Results are right everywhere; only the speed differs. Every routine other
// than Sgemm and Dgemm is gonum's. Arguments are checked as gonum checks
// them, with gonum's panic messages, since Gorgonia calls a BLAS expecting
// gonum's behaviour. The kernels follow the reference BLAS where gonum v0.11
// does not quite: beta = 0 overwrites C (NaNs included), and alpha = 0 reads
// neither A nor B (gonum skips the product only when beta = 1 too, so a NaN
// in A reaches C through 0·NaN). Otherwise results differ from gonum's by
// rounding only (fused multiply-adds, another order of summation).
// Products with one row or one column run gonum's code.
//
// # OpenBLAS, opt-in
//
// Built with the openblas tag (and cgo, linking -lopenblas: Debian's
// libopenblas-dev), Implementation runs OpenBLAS, through gonum's netlib
// bindings, on CPUs the kernels do not cover instead of gonum's code; with
// GRADTUNE_BLAS=openblas it runs OpenBLAS everywhere:
//
//	go test -tags openblas ./...
//	GRADTUNE_BLAS=openblas go run -tags openblas ./cmd/bench
//
// One-row and one-column products still run gonum's code, as with the
// kernels. cmd/bench, run both ways, compares the two on a training epoch.
//
// # Threads
//
// Calls of at least ~24 MFLOP (2·m·n·k) are split over goroutines by rows or
// columns of C, never along k, so results are bit-identical however many
// threads run. SetMaxThreads caps the goroutines per call (default
// GOMAXPROCS). Helper goroutines come from one process-wide budget of
// MaxThreads()-1, so trials training in parallel do not oversubscribe the
// CPUs: a call that finds no free helper runs on its caller alone.
//
// # Regenerating the assembly
//
// The kernels are written in Go with avo (github.com/mmcloughlin/avo) in
// internal/gemm/asm, a module of its own so that avo is not a dependency of
// gradtune. After changing the generator:
//
//	go generate ./internal/gemm
//
// rewrites internal/gemm/kernel_amd64.s and its Go declarations, which are
// committed.
//
// # Speed
//
// BenchmarkSgemm and BenchmarkDgemm run gonum and this package side by side
// on the GEMM calls of the MNIST MLP 784-256-128-10 at batch 128 and on
// 1024³. GFLOP/s (2·m·n·k per call), medians of 3 interleaved rounds
// (-benchtime 20x float32, 10x float64) on a 2-vCPU AMD EPYC (Zen 4, AVX2
// and FMA), Go 1.26, gonum v0.11.0, GOMAXPROCS 2; "1 thread" is
// SetMaxThreads(1):
//
//	float32             gonum   1 thread   2 threads
//	128×784×256 NN       19.4       97.4       130.2   layer 1 forward
//	784×128×256 TN        4.3       97.8       138.7   layer 1 dW = Xᵀ·dY
//	128×256×784 NT       20.1       94.1       119.4   layer 1 dX = dY·Wᵀ
//	128×256×128 NN       17.4       98.3        99.8   layer 2 (not split)
//	128×128×10 NN         4.3       49.0        49.1   layer 3 (not split)
//	1024³ NN             20.7      102.8       197.8
//
//	float64             gonum   1 thread   2 threads
//	128×784×256 NN       12.9       46.8        69.0
//	784×128×256 TN        3.7       48.4        80.2
//	128×256×784 NT       15.6       46.0        74.5
//	128×256×128 NN       11.4       49.5        49.8
//	128×128×10 NN         4.2       28.3        27.8
//	1024³ NN             13.2       50.0        98.3
//
// gonum uses both cores too. OpenBLAS 0.3.21 on one core of the same kind
// of machine reached 97–101 GFLOP/s on the float32 shapes above and 55–65
// on 128×128×10.
package fastblas
