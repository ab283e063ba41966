//go:build !amd64 || purego

package gemm

// hasKernels is false: the kernels exist for amd64 only, and the purego
// build tag leaves them out. Callers use gonum instead.
const hasKernels = false

// The kernel sets exist so that the package compiles; gemm refuses to run
// without kernels.
var (
	float32Kernels = &kernelSet[float32]{nr: 16, lanes: 8, kc: 256, mc: 240, nc: 4096}
	float64Kernels = &kernelSet[float64]{nr: 8, lanes: 4, kc: 256, mc: 120, nc: 2048}
)
