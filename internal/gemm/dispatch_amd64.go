//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// hasKernels: the kernels use AVX2-era encodings (VEX, YMM) and FMA3;
// cpu.X86.HasAVX2 also checks that the OS saves YMM registers.
var hasKernels = cpu.X86.HasAVX2 && cpu.X86.HasFMA

var float32Kernels = &kernelSet[float32]{
	nr: 16, lanes: 8, kc: 256, mc: 240, nc: 4096,
	micro: skernel6x16, packNN: spackNN16, packNT: spackNT16,
}

var float64Kernels = &kernelSet[float64]{
	nr: 8, lanes: 4, kc: 256, mc: 120, nc: 2048,
	micro: dkernel6x8, packNN: dpackNN8, packNT: dpackNT8,
}
