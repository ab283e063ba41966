//go:build openblas && cgo

package fastblas

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"gonum.org/v1/gonum/blas"

	"github.com/gradtune/gradtune/internal/gemm/gemmtest"
)

// OpenBLAS, as Implementation runs it, agrees with gonum over the sweep of
// layouts, sizes, strides and scalars.
func TestOpenBLASMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, c := range gemmtest.Cases(true) {
		s := func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cm []float32, ldc int) {
			openblas.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
		}
		if err := gemmtest.Run(c, rng, s); err != nil {
			t.Fatal(err)
		}
		d := func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cm []float64, ldc int) {
			openblas.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
		}
		if err := gemmtest.Run(c, rng, d); err != nil {
			t.Fatal(err)
		}
	}
}

// With GRADTUNE_BLAS=openblas a child process reports OpenBLAS and installs
// Implementation.
func TestEnvSelectsOpenBLAS(t *testing.T) {
	if os.Getenv("FASTBLAS_TEST_CHILD") == "openblas" {
		if Kernel() != KernelOpenBLAS || !Install() {
			t.Fatalf("with %s=openblas: Kernel() = %q, Installed() = %v", EnvVar, Kernel(), Installed())
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnvSelectsOpenBLAS$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FASTBLAS_TEST_CHILD=openblas", EnvVar+"=openblas")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
