package fastblas_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"

	"github.com/gradtune/gradtune/fastblas"
)

// Install once at start-up, before building graphs. It reports whether
// fastblas is Gorgonia's BLAS afterwards: not without AVX2/FMA, with
// GRADTUNE_BLAS=gonum, or when another BLAS was installed first.
func ExampleInstall() {
	if fastblas.Install() {
		fmt.Println("GEMM kernel:", fastblas.Kernel())
	}
}

// Implementation is a gonum BLAS: here C = A·Bᵀ with A 2×3 and B 2×3.
func ExampleImplementation_Sgemm() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 1, 0, 1, 0}
	c := make([]float32, 4)
	fastblas.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}
