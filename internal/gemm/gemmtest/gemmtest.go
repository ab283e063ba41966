// Package gemmtest builds GEMM test cases and checks results against
// gonum's, for the tests of package gemm and package fastblas.
//
// Operands are cut to the exact minimum length gonum's argument checks
// accept, the gaps between rows of A and B (leading dimension larger than a
// row) hold NaN, so a kernel that reads them produces NaN, and the gaps of C
// hold a sentinel that must survive.
package gemmtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Float is the element types of Sgemm and Dgemm.
type Float interface{ float32 | float64 }

// Sentinel fills the gaps of C; it must be there after the call.
const Sentinel = -12345.5

// Case is one call C = Alpha·op(A)·op(B) + Beta·C with op(A) M×K, op(B) K×N
// and leading dimensions larger than the minimum by PadA, PadB and PadC.
type Case struct {
	TA, TB           bool
	M, N, K          int
	PadA, PadB, PadC int
	Alpha, Beta      float64
}

func (c Case) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m=%d,n=%d,k=%d/pad=%d,%d,%d/alpha=%g,beta=%g",
		t(c.TA), t(c.TB), c.M, c.N, c.K, c.PadA, c.PadB, c.PadC, c.Alpha, c.Beta)
}

// Shapes of the stored matrices: rows×cols with a leading dimension.
func (c Case) shapeA() (rows, cols int) {
	if c.TA {
		return c.K, c.M
	}
	return c.M, c.K
}

func (c Case) shapeB() (rows, cols int) {
	if c.TB {
		return c.N, c.K
	}
	return c.K, c.N
}

// LDA, LDB and LDC are the leading dimensions: gonum's minimum, max(1, cols),
// plus the padding.
func (c Case) LDA() int { _, cols := c.shapeA(); return max(1, cols) + c.PadA }
func (c Case) LDB() int { _, cols := c.shapeB(); return max(1, cols) + c.PadB }
func (c Case) LDC() int { return max(1, c.N) + c.PadC }

// minLen is the least length gonum accepts for a rows×cols matrix with
// leading dimension ld: (rows-1)·ld + cols, and anything when C is empty.
func (c Case) minLen(rows, cols, ld int) int {
	if c.M == 0 || c.N == 0 {
		return 0
	}
	return max(0, (rows-1)*ld+cols)
}

// Operands returns A, B and C for the case, of exactly the minimum length
// (for invalid cases, of the length that formula gives),
// with random values in [-1, 1) in the matrices, NaN in the gaps of A and B
// and Sentinel in the gaps of C. If Beta is 0, C's values are NaN: BLAS
// must not read them.
func Operands[T Float](c Case, rng *rand.Rand) (a, b, cm []T) {
	fill := func(rows, cols, ld int, gap, val func() T) []T {
		s := make([]T, c.minLen(rows, cols, ld))
		for i := range s {
			if ld > 0 && i%ld >= cols {
				s[i] = gap()
			} else {
				s[i] = val()
			}
		}
		return s
	}
	random := func() T { return T(rng.Float64()*2 - 1) }
	nan := func() T { return T(math.NaN()) }
	sentinel := func() T { return Sentinel }
	rows, cols := c.shapeA()
	a = fill(rows, cols, c.LDA(), nan, random)
	rows, cols = c.shapeB()
	b = fill(rows, cols, c.LDB(), nan, random)
	cval := random
	if c.Beta == 0 {
		cval = nan
	}
	cm = fill(c.M, c.N, c.LDC(), sentinel, cval)
	return a, b, cm
}

// Compare checks got against want, both computed from a, b and the original
// C c0. Elements of C must agree within the rounding error of a k-term dot
// product (2(k+2)·ε times Σ|alpha·a·b| + |beta·c|; ε of T); gaps must hold
// Sentinel. It returns an error naming the first element that does not.
func Compare[T Float](c Case, a, b, c0, got, want []T) error {
	if len(got) != len(want) {
		return fmt.Errorf("%v: len(got) = %d, len(want) = %d", c, len(got), len(want))
	}
	eps := 0x1p-53
	if _, ok := any(T(0)).(float32); ok {
		eps = 0x1p-24
	}
	lda, ldb, ldc := c.LDA(), c.LDB(), c.LDC()
	opA := func(i, p int) float64 {
		if c.TA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	opB := func(p, j int) float64 {
		if c.TB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	for idx := range got {
		i, j := idx/ldc, idx%ldc
		g, w := float64(got[idx]), float64(want[idx])
		if j >= c.N {
			if g != Sentinel {
				return fmt.Errorf("%v: gap C[%d] (row %d, column %d ≥ n) = %v, was %v", c, idx, i, j, g, float64(Sentinel))
			}
			continue
		}
		mag := 0.0
		if c.Alpha != 0 {
			for p := 0; p < c.K; p++ {
				mag += math.Abs(c.Alpha * opA(i, p) * opB(p, j))
			}
		}
		if c.Beta != 0 {
			mag += math.Abs(c.Beta * float64(c0[idx]))
		}
		tol := 2 * float64(c.K+2) * eps * mag
		if g != w && (math.IsNaN(g) != math.IsNaN(w) || math.Abs(g-w) > tol) {
			return fmt.Errorf("%v: C[%d][%d] = %v, gonum %v (tolerance %.3g)", c, i, j, g, w, tol)
		}
	}
	return nil
}

// Cases returns a sweep over the four layouts, sizes around the tile edges
// (0, 1, and one less and more than multiples of the 6-row and 8/16-column
// tiles), padded and unpadded leading dimensions, and alpha and beta values
// 0, 1 and others. short keeps a subset.
func Cases(short bool) []Case {
	sizes := []int{0, 1, 2, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33}
	ks := []int{0, 1, 3, 4, 8, 9, 17}
	if short {
		sizes = []int{0, 1, 5, 7, 16, 17}
		ks = []int{0, 1, 9}
	}
	scalars := [][2]float64{{1, 0}, {1, 1}, {0, 1}, {0, 0}, {0, 0.5}, {-1.5, 0}, {0.75, -2}, {1, 1}}
	var out []Case
	n := 0
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, m := range sizes {
				for _, nn := range sizes {
					for _, k := range ks {
						s := scalars[n%len(scalars)]
						pad := n % 3 // 0, 1 or 2 elements of padding, varying per matrix
						out = append(out, Case{
							TA: tA, TB: tB, M: m, N: nn, K: k,
							PadA: pad, PadB: (pad + 1) % 3, PadC: (pad + 2) % 3,
							Alpha: s[0], Beta: s[1],
						})
						n++
					}
				}
			}
		}
	}
	return out
}

// Gemm is the signature of gonum's Sgemm (T float32) and Dgemm (float64).
type Gemm[T Float] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// Gonum returns gonum's Sgemm or Dgemm.
func Gonum[T Float]() Gemm[T] {
	var g any
	switch any(T(0)).(type) {
	case float32:
		g = Gemm[float32](gonum.Implementation{}.Sgemm)
	case float64:
		g = Gemm[float64](gonum.Implementation{}.Dgemm)
	}
	return g.(Gemm[T])
}

// Trans maps "transposed" to blas.Trans, else blas.NoTrans.
func Trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Run calls ours and gonum's on the same operands of case c and returns an
// error if the results differ (see Compare) or if ours changed A or B.
func Run[T Float](c Case, rng *rand.Rand, ours Gemm[T]) error {
	a, b, c0 := Operands[T](c, rng)
	aIn, bIn := slices.Clone(a), slices.Clone(b)
	got, want := slices.Clone(c0), slices.Clone(c0)
	ours(Trans(c.TA), Trans(c.TB), c.M, c.N, c.K, T(c.Alpha), a, c.LDA(), b, c.LDB(), T(c.Beta), got, c.LDC())
	Gonum[T]()(Trans(c.TA), Trans(c.TB), c.M, c.N, c.K, T(c.Alpha), a, c.LDA(), b, c.LDB(), T(c.Beta), want, c.LDC())
	if err := Compare(c, a, b, c0, got, want); err != nil {
		return err
	}
	if !SameBits(a, aIn) || !SameBits(b, bIn) {
		return fmt.Errorf("%v: A or B changed", c)
	}
	return nil
}

// SameBits reports whether x and y hold the same bit patterns.
func SameBits[T Float](x, y []T) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if bitsOf(x[i]) != bitsOf(y[i]) {
			return false
		}
	}
	return true
}

func bitsOf[T Float](v T) uint64 {
	if f, ok := any(v).(float32); ok {
		return uint64(math.Float32bits(f))
	}
	return math.Float64bits(float64(v))
}
