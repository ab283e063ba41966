package fastblas

import (
	"math"

	"gonum.org/v1/gonum/blas"
)

// gonum's panic messages (gonum.org/v1/gonum/blas/gonum, errors.go):
// Gorgonia calls a BLAS expecting them, so ours are the same strings.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// checkGemm panics, with gonum's message and in gonum's order, on what
// gonum's Sgemm and Dgemm reject, and also on a slice length check that
// overflows int in gonum's arithmetic (there gonum goes on and fails on an
// index, or OpenBLAS reads past the slice). It reports whether the matrices
// are transposed; empty reports that C is empty (m or n is 0), in which case
// the slice lengths are not checked and there is nothing to do.
func checkGemm(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) (aTrans, bTrans, empty bool) {
	aTrans, okA := isTrans(tA)
	bTrans, okB := isTrans(tB)
	switch {
	case !okA, !okB:
		panic(badTranspose)
	case m < 0:
		panic(mLT0)
	case n < 0:
		panic(nLT0)
	case k < 0:
		panic(kLT0)
	}
	rowsA, colsA := m, k
	if aTrans {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if bTrans {
		rowsB, colsB = n, k
	}
	switch {
	case lda < max(1, colsA):
		panic(badLdA)
	case ldb < max(1, colsB):
		panic(badLdB)
	case ldc < max(1, n):
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return aTrans, bTrans, true
	}
	switch {
	case short(lenA, rowsA, lda, colsA):
		panic(shortA)
	case short(lenB, rowsB, ldb, colsB):
		panic(shortB)
	case short(lenC, m, ldc, n):
		panic(shortC)
	}
	return aTrans, bTrans, false
}

// short reports whether a slice of n elements is too short for a rows ×
// cols matrix with leading dimension ld ≥ max(1, cols): n < (rows−1)·ld +
// cols, gonum's test, without its overflow (a matrix reaching past MaxInt
// fits no slice). rows = 0 needs no element.
func short(n, rows, ld, cols int) bool {
	if rows == 0 {
		return false
	}
	if rows > 1 && ld > (math.MaxInt-cols)/(rows-1) {
		return true
	}
	return n < (rows-1)*ld+cols
}

// isTrans maps a blas.Transpose to "transposed" (ConjTrans is Trans for
// real matrices); ok is false for values that are none of the three.
func isTrans(t blas.Transpose) (trans, ok bool) {
	switch t {
	case blas.NoTrans:
		return false, true
	case blas.Trans, blas.ConjTrans:
		return true, true
	}
	return false, false
}
