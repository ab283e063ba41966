package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"

	"github.com/gradtune/gradtune/internal/gemm/gemmtest"
)

func requireKernels(t testing.TB) {
	t.Helper()
	if !Available() {
		t.Skip("no AVX2/FMA kernels on this machine or build")
	}
}

// ours adapts Sgemm and Dgemm to gonum's signature.
func ours[T gemmtest.Float]() gemmtest.Gemm[T] {
	var g any
	switch any(T(0)).(type) {
	case float32:
		g = gemmtest.Gemm[float32](func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			Sgemm(tA == blas.Trans, tB == blas.Trans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		})
	case float64:
		g = gemmtest.Gemm[float64](func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
			Dgemm(tA == blas.Trans, tB == blas.Trans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		})
	}
	return g.(gemmtest.Gemm[T])
}

func checkCase[T gemmtest.Float](t *testing.T, c gemmtest.Case, rng *rand.Rand) {
	t.Helper()
	if err := gemmtest.Run(c, rng, ours[T]()); err != nil {
		t.Fatal(err)
	}
}

func TestSgemmMatchesGonum(t *testing.T) {
	requireKernels(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range gemmtest.Cases(testing.Short()) {
		checkCase[float32](t, c, rng)
	}
}

func TestDgemmMatchesGonum(t *testing.T) {
	requireKernels(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range gemmtest.Cases(testing.Short()) {
		checkCase[float64](t, c, rng)
	}
}

// blockCases cross the kc, mc and nc blocks of both element types, with
// edges that are not multiples of the tiles.
var blockCases = []gemmtest.Case{
	{M: 250, N: 40, K: 300, Alpha: 1, Beta: 0},                     // mc=240, kc=256 (float32)
	{TA: true, M: 131, N: 35, K: 513, PadA: 3, Alpha: 1, Beta: 1},  // mc=120 (float64), two kc blocks
	{TB: true, M: 13, N: 45, K: 259, PadB: 1, Alpha: 0.5, Beta: 0}, // packNT tail of 3 rows
	{TA: true, TB: true, M: 241, N: 17, K: 257, Alpha: -1, Beta: 2},
	{M: 7, N: 4100, K: 3, PadC: 5, Alpha: 1, Beta: 0},                // nc=4096 (float32)
	{TB: true, M: 8, N: 2050, K: 12, PadB: 2, Alpha: 2, Beta: 0},     // nc=2048 (float64)
	{M: 128, N: 10, K: 128, Alpha: 1, Beta: 0},                       // the MLP's last layer
	{TA: true, M: 130, N: 64, K: 100, PadA: 1000, Alpha: 1, Beta: 0}, // lda much larger than m
	{TA: true, M: 1000, N: 40, K: 300, PadA: 24, Alpha: 1, Beta: 1},  // lda=1024: Aᵀ copied
}

func TestGemmAcrossBlocks(t *testing.T) {
	requireKernels(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range blockCases {
		t.Run(c.String(), func(t *testing.T) {
			checkCase[float32](t, c, rng)
			checkCase[float64](t, c, rng)
		})
	}
}

// TestSplitIsBitIdentical checks that a product split by rows or by columns
// over several goroutines equals the serial one bit for bit.
func TestSplitIsBitIdentical(t *testing.T) {
	requireKernels(t)
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []gemmtest.Case{
		{M: 128, N: 256, K: 300, Alpha: 1, Beta: 0},                     // by columns
		{TA: true, M: 301, N: 20, K: 270, PadA: 2, Alpha: 0.5, Beta: 1}, // by rows (few panels)
		{TB: true, M: 50, N: 77, K: 64, PadC: 3, Alpha: 1, Beta: 0},
		{TA: true, TB: true, M: 97, N: 100, K: 33, Alpha: -2, Beta: 1},
		{TA: true, M: 1000, N: 20, K: 40, PadA: 24, Alpha: 1, Beta: 0}, // lda=1024: Aᵀ copied
	}
	for _, c := range cases {
		for _, chunks := range []int{2, 3, 4, 7} {
			for _, helpers := range []int{0, 1, 3} {
				t.Run(fmt.Sprintf("%v/chunks=%d/helpers=%d", c, chunks, helpers), func(t *testing.T) {
					splitMatchesSerial(t, float32Kernels, c, chunks, helpers, rng)
					splitMatchesSerial(t, float64Kernels, c, chunks, helpers, rng)
				})
			}
		}
	}
}

func splitMatchesSerial[T gemmtest.Float](t *testing.T, ks *kernelSet[T], c gemmtest.Case, chunks, helpers int, rng *rand.Rand) {
	t.Helper()
	a, b, c0 := gemmtest.Operands[T](c, rng)
	if c.Beta == 0 {
		clear(c0) // serial and split see the same C; NaN would hide differences
	}
	p := problem[T]{tA: c.TA, tB: c.TB, m: c.M, n: c.N, k: c.K, alpha: T(c.Alpha), a: a, lda: c.LDA(), b: b, ldb: c.LDB(), overwrite: c.Beta == 0, ldc: c.LDC()}
	p.c = slices.Clone(c0)
	ks.serial(p)
	serial := p.c
	p.c = slices.Clone(c0)
	var exited sync.WaitGroup
	exited.Add(helpers)
	ks.split(p, chunks, helpers, exited.Done)
	if !gemmtest.SameBits(serial, p.c) {
		t.Fatalf("split into %d chunks over %d helpers differs from serial", chunks, helpers)
	}
	exited.Wait() // every helper exits
}

// TestParallelUsesSharedHelpers checks that concurrent large calls never
// run more helpers than MaxThreads-1 in total, and still compute the same.
func TestParallelUsesSharedHelpers(t *testing.T) {
	requireKernels(t)
	defer SetMaxThreads(SetMaxThreads(3))
	c := gemmtest.Case{M: 200, N: 256, K: 256, Alpha: 1, Beta: 0} // 26 MFLOP: split
	rng := rand.New(rand.NewPCG(9, 10))
	a, b, c0 := gemmtest.Operands[float32](c, rng)
	want := slices.Clone(c0)
	SetMaxThreads(1)
	Sgemm(false, false, c.M, c.N, c.K, 1, a, c.LDA(), b, c.LDB(), 0, want, c.LDC())
	SetMaxThreads(3)

	const callers = 4
	results := make([][]float32, callers)
	done := make(chan int)
	peak := int64(0)
	for g := range callers {
		go func() {
			got := slices.Clone(c0)
			for range 5 {
				Sgemm(false, false, c.M, c.N, c.K, 1, a, c.LDA(), b, c.LDB(), 0, got, c.LDC())
			}
			results[g] = got
			done <- g
		}()
	}
	for range callers {
		for waiting := true; waiting; {
			select {
			case <-done:
				waiting = false
			default:
				peak = max(peak, helpersBusy.Load())
			}
		}
	}
	if peak > 2 {
		t.Errorf("peak helpers = %d, want ≤ MaxThreads-1 = 2", peak)
	}
	// A helper that found no chunk left exits after its caller returned.
	for deadline := time.Now().Add(5 * time.Second); helpersBusy.Load() != 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if busy := helpersBusy.Load(); busy != 0 {
		t.Errorf("helpers still reserved 5 s after the calls: %d", busy)
	}
	for g, got := range results {
		if !gemmtest.SameBits(got, want) {
			t.Errorf("caller %d: result differs from the serial one", g)
		}
	}
}

func TestSetMaxThreads(t *testing.T) {
	defer SetMaxThreads(SetMaxThreads(0))
	if prev := SetMaxThreads(3); prev != 0 {
		t.Fatalf("SetMaxThreads returned %d, want the default setting 0", prev)
	}
	if got := MaxThreads(); got != 3 {
		t.Fatalf("MaxThreads = %d after SetMaxThreads(3)", got)
	}
	if prev := SetMaxThreads(-5); prev != 3 {
		t.Fatalf("SetMaxThreads returned %d, want 3", prev)
	}
	if got, want := MaxThreads(), runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("MaxThreads = %d after SetMaxThreads(-5), want GOMAXPROCS %d", got, want)
	}
}
