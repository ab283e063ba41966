package qmc

import (
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// ErrSobol is wrapped by errors about a Sobol sequence's size or index.
var ErrSobol = errors.New("qmc: invalid Sobol sequence request")

// sobolBits is the precision of each coordinate, SciPy's default: points
// are multiples of 2⁻³⁰ and an unscrambled sequence repeats after 2³⁰.
const sobolBits = 30

// MaxDim is the largest number of dimensions NewSobol accepts.
const MaxDim = maxDim

// Sobol is the Sobol low-discrepancy sequence (I. M. Sobol', 1967) with Joe
// and Kuo's direction numbers (S. Joe and F. Y. Kuo, "Constructing Sobol
// sequences with better two-dimensional projections", SIAM J. Sci. Comput.
// 30, 2008), in the Gray-code order of Antonov and Saleev, so that point i
// equals scipy.stats.qmc.Sobol(d, scramble=False) after fast_forward(i).
// Scrambled, its direction numbers get Matoušek's linear matrix scrambling
// and each point a digital shift (J. Matoušek, "On the L2-discrepancy for
// anchored boxes", J. Complexity 14, 1998; SciPy's scramble=True does the
// same with another random stream, so the points differ from SciPy's).
// Both keep the sequence's (t, s) net property: each run of 2^m points
// starting at a multiple of 2^m puts one point in each of 2^m equal
// intervals of every coordinate.
type Sobol struct {
	v     [][sobolBits]uint32 // v[dim][k]: direction number k, as a 30-bit fraction
	shift []uint32
}

// NewSobol returns the sequence in d dimensions; scrambled with a random
// stream seeded by seed when scramble is true. The error wraps ErrSobol when
// d is not in [1, MaxDim].
func NewSobol(d int, scramble bool, seed uint64) (*Sobol, error) {
	if d < 1 || d > MaxDim {
		return nil, fmt.Errorf("%w: %d dimensions, want 1 to %d", ErrSobol, d, MaxDim)
	}
	s := &Sobol{v: make([][sobolBits]uint32, d), shift: make([]uint32, d)}
	for dim := range d {
		s.v[dim] = directionNumbers(dim)
	}
	if scramble {
		r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		for dim := range d {
			s.v[dim] = scrambleLinear(s.v[dim], r)
			s.shift[dim] = uint32(r.Uint64() >> (64 - sobolBits))
		}
	}
	return s, nil
}

// Dim is the number of dimensions.
func (s *Sobol) Dim() int { return len(s.v) }

// Point writes point i (0-based) to dst, which must hold Dim values in
// [0, 1). The error wraps ErrSobol when s is nil, i ≥ 2³⁰ (the sequence has no more
// distinct points) or dst is shorter than Dim.
func (s *Sobol) Point(i uint64, dst []float64) error {
	if s == nil {
		return fmt.Errorf("%w: nil *Sobol (make one with NewSobol)", ErrSobol)
	}
	if i >= 1<<sobolBits {
		return fmt.Errorf("%w: point %d, the sequence has 2^%d", ErrSobol, i, sobolBits)
	}
	if len(dst) < len(s.v) {
		return fmt.Errorf("%w: destination holds %d values, want %d", ErrSobol, len(dst), len(s.v))
	}
	gray := i ^ i>>1
	for dim, v := range s.v {
		x := s.shift[dim]
		for g := gray; g != 0; g &= g - 1 {
			x ^= v[bits.TrailingZeros64(g)]
		}
		dst[dim] = float64(x) / (1 << sobolBits)
	}
	return nil
}

// directionNumbers computes v_k = m_k / 2^k, as 30-bit fractions, for one
// dimension by Bratley and Fox's recurrence (ACM TOMS 14(1), 1988, Algorithm
// 659): with the primitive polynomial x^s + a₁x^(s−1) + … + a_(s−1)x + 1,
// v_k = v_(k−s) ⊕ (v_(k−s) >> s) ⊕ a₁v_(k−1) ⊕ … ⊕ a_(s−1)v_(k−s+1).
func directionNumbers(dim int) [sobolBits]uint32 {
	var v [sobolBits]uint32
	if dim == 0 {
		for k := range v {
			v[k] = 1 << (sobolBits - 1 - k)
		}
		return v
	}
	p := directions[dim].poly
	s := bits.Len32(p) - 1
	for k := 0; k < s && k < sobolBits; k++ {
		v[k] = directions[dim].vinit[k] << (sobolBits - 1 - k)
	}
	for k := s; k < sobolBits; k++ {
		x := v[k-s] ^ v[k-s]>>s
		for j := 1; j < s; j++ {
			if p>>(s-j)&1 == 1 {
				x ^= v[k-j]
			}
		}
		v[k] = x
	}
	return v
}

// scrambleLinear multiplies the generator matrix whose columns are v (bit
// 29 of v[k] is row 0) by a random lower-triangular matrix with a unit
// diagonal: output digit r becomes digit r plus a random subset of the
// digits above it, mod 2.
func scrambleLinear(v [sobolBits]uint32, r *rand.Rand) [sobolBits]uint32 {
	var lower [sobolBits]uint32 // lower[row]: the digits (as bits of a column) mixed into row
	for row := range lower {
		below := uint32(1)<<row - 1 // rows 0..row-1, as bit positions counted from the top
		lower[row] = uint32(r.Uint32())&below | 1<<row
	}
	var out [sobolBits]uint32
	for k, col := range v {
		var x uint32
		for row := range sobolBits {
			// digit t of col is bit (29 − t); the new digit row is the parity
			// of the chosen digits.
			digits := bits.Reverse32(col) >> (32 - sobolBits) // digit t at bit t
			if bits.OnesCount32(digits&lower[row])&1 == 1 {
				x |= 1 << (sobolBits - 1 - row)
			}
		}
		out[k] = x
	}
	return out
}
