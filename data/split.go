package data

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// splitStream is the PCG stream (increment selector) used by Split: 2^64 divided by the golden ratio, an arbitrary odd
// constant that is fixed so that a seed always yields the same split.
const splitStream = 0x9e3779b97f4a7c15

// Split shuffles the rows with a PCG generator seeded by (seed, splitStream)
// and returns held, the first round(frac*n) shuffled rows, and rest, the
// others; both are copies, in shuffled order. The same seed gives the same
// split, bit for bit, on every platform and Go release (the shuffle uses only
// rand.PCG's documented output, not rand.Rand's methods).
//
// Errors: frac outside (0, 1), or one that leaves rest or held empty, wraps
// ErrSplit and names frac and n.
func (d *Dataset) Split(frac float64, seed uint64) (rest, held *Dataset, err error) {
	if d.empty() {
		return nil, nil, fmt.Errorf("%w: Split of an empty Dataset", ErrEmpty)
	}
	n := d.Len()
	k, err := splitCount("frac", frac, n)
	if err != nil {
		return nil, nil, err
	}
	if k == n {
		return nil, nil, fmt.Errorf("%w: frac = %v of n = %d rows leaves the rest empty", ErrSplit, frac, n)
	}
	perm := permutation(n, seed)
	if held, err = d.Subset(perm[:k]); err != nil {
		return nil, nil, err
	}
	if rest, err = d.Subset(perm[k:]); err != nil {
		return nil, nil, err
	}
	return rest, held, nil
}

// splitCount returns round(frac*n) for frac in (0, 1), or an error wrapping
// ErrSplit naming the parameter, frac and n when frac is out of range or the
// count is 0.
func splitCount(name string, frac float64, n int) (int, error) {
	if !(frac > 0 && frac < 1) { // also rejects NaN
		return 0, fmt.Errorf("%w: %s = %v, want 0 < %s < 1 (n = %d rows)", ErrSplit, name, frac, name, n)
	}
	k := int(math.Round(frac * float64(n)))
	if k == 0 {
		return 0, fmt.Errorf("%w: %s = %v of n = %d rows rounds to 0 rows", ErrSplit, name, frac, n)
	}
	return k, nil
}

// permutation returns a permutation of [0, n) from a Fisher–Yates shuffle
// driven by rand.NewPCG(seed, splitStream).
func permutation(n int, seed uint64) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	Shuffle(p, rand.NewPCG(seed, splitStream))
	return p
}

// Shuffle permutes order in place with a Fisher–Yates shuffle driven by src.
// Unlike rand.Rand.Shuffle, its output depends only on rand.PCG's documented
// stream, so the same source gives the same order on every Go release. A
// nil src means rand.NewPCG(0, 0), the zero seed.
func Shuffle(order []int, src *rand.PCG) {
	if src == nil && len(order) > 1 {
		src = rand.NewPCG(0, 0)
	}
	for i := len(order) - 1; i > 0; i-- {
		j := boundedUint64(src, uint64(i)+1)
		order[i], order[j] = order[j], order[i]
	}
}

// boundedUint64 returns a uniform integer in [0, bound) (bound > 0) from src
// with Lemire's multiply-and-reject method, written here so that its output
// does not depend on the Go release.
func boundedUint64(src *rand.PCG, bound uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), bound)
	if lo < bound {
		threshold := -bound % bound // 2^64 mod bound
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), bound)
		}
	}
	return hi
}
