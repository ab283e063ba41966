//go:build openblas && cgo

package fastblas

// #cgo LDFLAGS: -lopenblas
import "C"

import "gonum.org/v1/netlib/blas/netlib"

// openblas is OpenBLAS through gonum's netlib bindings: with the openblas
// build tag (and Debian's libopenblas-dev, or any libopenblas the linker
// finds), Implementation runs it where the assembly kernels cannot, or
// everywhere with GRADTUNE_BLAS=openblas.
var openblas gemmer = netlib.Implementation{}
