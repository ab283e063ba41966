package fastblas

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gemm"
	"github.com/gradtune/gradtune/internal/gemm/gemmtest"
)

func TestKernelMatchesCPU(t *testing.T) {
	want := chooseKernel(os.Getenv(EnvVar), gemm.Available(), openblas != nil)
	if got := Kernel(); got != want {
		t.Errorf("Kernel() = %q, want %q (kernels available: %v, %s=%q)", got, want, gemm.Available(), EnvVar, os.Getenv(EnvVar))
	}
}

// TestEnvOptOut runs this test binary again with GRADTUNE_BLAS=gonum: the
// child must report the gonum kernel and refuse to install.
func TestEnvOptOut(t *testing.T) {
	if os.Getenv("FASTBLAS_TEST_CHILD") == "1" {
		if Kernel() != KernelGonum || Install() || Installed() {
			t.Fatalf("with %s=gonum: Kernel() = %q, Installed() = %v", EnvVar, Kernel(), Installed())
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnvOptOut$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FASTBLAS_TEST_CHILD=1", EnvVar+"=gonum")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestChooseKernel(t *testing.T) {
	tests := []struct {
		env                     string
		available, haveOpenBLAS bool
		want                    string
	}{
		{"", true, false, KernelAVX2FMA},
		{"", false, false, KernelGonum},
		{"gonum", true, false, KernelGonum},
		{"gonum", false, false, KernelGonum},
		{" GONUM ", true, false, KernelGonum},   // as people type it
		{"avx2-fma", false, false, KernelGonum}, // asking cannot conjure the instructions
		{"something-else", true, false, KernelAVX2FMA},
		{"openblas", true, false, KernelAVX2FMA}, // not built with the openblas tag
		{"", false, true, KernelOpenBLAS},        // OpenBLAS where the kernels cannot run
		{"", true, true, KernelAVX2FMA},          // the kernels where they can
		{"OpenBLAS", true, true, KernelOpenBLAS}, // unless asked
		{"gonum", true, true, KernelGonum},
	}
	for _, tt := range tests {
		if got := chooseKernel(tt.env, tt.available, tt.haveOpenBLAS); got != tt.want {
			t.Errorf("chooseKernel(%q, %v, %v) = %q, want %q", tt.env, tt.available, tt.haveOpenBLAS, got, tt.want)
		}
	}
}

// TestImplementationMatchesGonum runs the sweep of layouts, sizes, strides
// and scalars through Implementation, with ConjTrans for every other
// transposed case (the same as Trans for real matrices).
func TestImplementationMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	conj := func(g blas.Transpose, i int) blas.Transpose {
		if g == blas.Trans && i%2 == 1 {
			return blas.ConjTrans
		}
		return g
	}
	for i, c := range gemmtest.Cases(true) {
		s := func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cm []float32, ldc int) {
			Implementation{}.Sgemm(conj(tA, i), conj(tB, i), m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
		}
		if err := gemmtest.Run(c, rng, s); err != nil {
			t.Fatal(err)
		}
		d := func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cm []float64, ldc int) {
			Implementation{}.Dgemm(conj(tA, i), conj(tB, i), m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
		}
		if err := gemmtest.Run(c, rng, d); err != nil {
			t.Fatal(err)
		}
	}
}

// gemmArgs is one call's arguments, valid or not; the slices are made of
// the given lengths.
type gemmArgs struct {
	tA, tB           blas.Transpose
	m, n, k          int
	lda, ldb, ldc    int
	lenA, lenB, lenC int
}

// panicArgs lists bad arguments, one or several at once (gonum's order of
// checks decides which message wins), and valid edge cases.
var panicArgs = []gemmArgs{
	{tA: 0, tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lenA: 4, lenB: 4, lenC: 4},
	{tA: blas.NoTrans, tB: 'x', m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lenA: 4, lenB: 4, lenC: 4},
	{tA: blas.NoTrans, tB: blas.NoTrans, m: -1, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: -1, k: 2, lda: 2, ldb: 2, ldc: 2},
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: -1, lda: 2, ldb: 2, ldc: 2},
	{tA: blas.NoTrans, tB: blas.NoTrans, m: -1, n: -1, k: -1, lda: 0, ldb: 0, ldc: 0},
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 3, ldb: 2, ldc: 2, lenA: 12, lenB: 8, lenC: 6}, // lda < k
	{tA: blas.Trans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 2, ldb: 2, ldc: 2, lenA: 12, lenB: 8, lenC: 6},   // lda < m
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 0, lda: 0, ldb: 2, ldc: 2, lenA: 0, lenB: 0, lenC: 6},  // lda < 1
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 4, ldb: 1, ldc: 2, lenA: 12, lenB: 8, lenC: 6}, // ldb < n
	{tA: blas.NoTrans, tB: blas.Trans, m: 3, n: 2, k: 4, lda: 4, ldb: 3, ldc: 2, lenA: 12, lenB: 8, lenC: 6},   // ldb < k
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 4, ldb: 2, ldc: 1, lenA: 12, lenB: 8, lenC: 6}, // ldc < n
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 3, ldb: 1, ldc: 1, lenA: 0, lenB: 0, lenC: 0},  // lda wins
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 4, ldb: 2, ldc: 2, lenA: 11, lenB: 8, lenC: 6}, // short a
	{tA: blas.Trans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 5, ldb: 2, ldc: 2, lenA: 17, lenB: 8, lenC: 6},   // short a, Aᵀ
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 4, ldb: 2, ldc: 2, lenA: 12, lenB: 7, lenC: 6}, // short b
	{tA: blas.NoTrans, tB: blas.Trans, m: 3, n: 2, k: 4, lda: 4, ldb: 6, ldc: 2, lenA: 12, lenB: 9, lenC: 6},   // short b, Bᵀ
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 4, ldb: 2, ldc: 3, lenA: 12, lenB: 8, lenC: 7}, // short c
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 4, lda: 4, ldb: 2, ldc: 2, lenA: 0, lenB: 0, lenC: 0},  // short a wins
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 0, lda: 1, ldb: 2, ldc: 2, lenA: 1, lenB: 0, lenC: 6},  // k = 0 still wants (m-1)·lda of a
	// Valid: empty C needs no slices at all; exact minimum lengths.
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 0, n: 5, k: 3, lda: 3, ldb: 5, ldc: 5},
	{tA: blas.Trans, tB: blas.Trans, m: 4, n: 0, k: 3, lda: 4, ldb: 3, ldc: 1},
	{tA: blas.NoTrans, tB: blas.NoTrans, m: 3, n: 2, k: 0, lda: 1, ldb: 2, ldc: 2, lenA: 2, lenB: 0, lenC: 6},
	{tA: blas.ConjTrans, tB: blas.ConjTrans, m: 3, n: 2, k: 4, lda: 3, ldb: 4, ldc: 2, lenA: 12, lenB: 8, lenC: 6},
}

// TestPanicsMatchGonum checks that Sgemm and Dgemm panic exactly when
// gonum's do, with the same value (Gorgonia relies on gonum's behaviour),
// and compute the same when they do not.
func TestPanicsMatchGonum(t *testing.T) {
	for _, args := range panicArgs {
		t.Run(fmt.Sprintf("%+v", args), func(t *testing.T) {
			matchGonum(t, args, 0.5, 0)
			matchGonum(t, args, 1, 2)
		})
	}
}

// matchGonum calls Implementation's and gonum's Sgemm and Dgemm with args
// and fails t unless both panic with the same value or both return the
// same C (within rounding).
func matchGonum(t *testing.T, args gemmArgs, alpha, beta float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(args.m+7), uint64(args.k+11)))
	matchGonumT[float32](t, args, alpha, beta, rng, Implementation{}.Sgemm)
	matchGonumT[float64](t, args, alpha, beta, rng, Implementation{}.Dgemm)
}

func matchGonumT[T gemmtest.Float](t *testing.T, args gemmArgs, alpha, beta float64, rng *rand.Rand, ours gemmtest.Gemm[T]) {
	t.Helper()
	random := func(n int) []T {
		s := make([]T, max(n, 0))
		for i := range s {
			s[i] = T(rng.Float64()*2 - 1)
		}
		return s
	}
	a, b, c := random(args.lenA), random(args.lenB), random(args.lenC)
	call := func(g gemmtest.Gemm[T]) (out []T, panicked any) {
		out = slices.Clone(c)
		defer func() { panicked = recover() }()
		g(args.tA, args.tB, args.m, args.n, args.k, T(alpha), a, args.lda, b, args.ldb, T(beta), out, args.ldc)
		return out, nil
	}
	got, gotPanic := call(ours)
	want, wantPanic := call(gemmtest.Gonum[T]())
	if gotPanic != wantPanic {
		t.Fatalf("%T: panic %v, gonum panics %v", T(0), gotPanic, wantPanic)
	}
	if wantPanic != nil {
		return
	}
	for i := range got {
		if d := float64(got[i] - want[i]); d > 1e-5 || d < -1e-5 {
			t.Fatalf("%T: C[%d] = %v, gonum %v", T(0), i, got[i], want[i])
		}
	}
}

// userBLAS stands for a BLAS a user installed (netlib's, say).
type userBLAS struct{ gonum.Implementation }

func TestInstallLeavesUserBLASAlone(t *testing.T) {
	defer gorgonia.Use(gorgonia.WhichBLAS())

	gorgonia.Use(userBLAS{})
	install()
	if _, ok := gorgonia.WhichBLAS().(userBLAS); !ok {
		t.Fatalf("install replaced the user's BLAS with %T", gorgonia.WhichBLAS())
	}
	if Installed() {
		t.Fatal("Installed() = true with the user's BLAS in place")
	}

	gorgonia.Use(gonum.Implementation{}) // Gorgonia's default
	install()
	if want := Kernel() != KernelGonum; Installed() != want {
		t.Fatalf("after install over the default: Installed() = %v, want %v (kernel %s)", Installed(), want, Kernel())
	}
	install() // again: nothing changes
	if want := Kernel() != KernelGonum; Installed() != want {
		t.Fatalf("after a second install: Installed() = %v, want %v", Installed(), want)
	}

	gorgonia.Use(&Implementation{}) // installed by hand, as a pointer
	if !Installed() {
		t.Fatal("Installed() = false with *Implementation in place")
	}
}

func TestInstallIsIdempotent(t *testing.T) {
	defer gorgonia.Use(gorgonia.WhichBLAS())
	gorgonia.Use(gonum.Implementation{})
	first := Install()
	if want := Kernel() != KernelGonum; first != want {
		t.Fatalf("Install() = %v, want %v (kernel %s)", first, want, Kernel())
	}
	gorgonia.Use(userBLAS{}) // the user changes their mind afterwards
	if Install() {
		t.Fatal("a second Install() reinstalled over the user's BLAS")
	}
}

// A product with one row or one column runs gonum's code: bit-identical to
// it, while a wider product runs the kernel (and differs by rounding).
func TestVectorShapedProductsRunGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	fill := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		return x
	}
	for _, s := range []struct{ m, n, k int }{{64, 1, 2}, {1, 64, 3}, {2, 1, 64}, {1, 1, 100}} {
		a, b := fill(s.m*s.k), fill(s.k*s.n)
		want, got := make([]float64, s.m*s.n), make([]float64, s.m*s.n)
		gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, b, s.n, 0, want, s.n)
		Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, b, s.n, 0, got, s.n)
		if !slices.Equal(got, want) {
			t.Errorf("%d×%d×%d: %v, want gonum's %v bit for bit", s.m, s.k, s.n, got, want)
		}
	}
}
