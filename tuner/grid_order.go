package tuner

import (
	"math/bits"
	"math/rand/v2"
)

// gridOrder is a seeded permutation of the grid points [0, n), computed
// one position at a time in O(1) memory, so that a shuffled grid of
// millions of points costs a trial no more than a small one: a balanced
// Feistel network over the smallest even number of bits that holds n,
// whose outputs ≥ n are fed back in until one falls inside ("cycle
// walking": Black and Rogaway 2002, "Ciphers with Arbitrary Finite
// Domains"; at most 4 rounds of the network per position on average).
type gridOrder struct {
	n    uint64
	half uint // bits per half of the network's input
	keys [gridOrderRounds]uint64
}

// gridOrderRounds: the Luby–Rackoff bound asks for 4 rounds of a random
// function to make a pseudo-random permutation; 6 give margin.
const gridOrderRounds = 6

// gridOrderStream tells the grid's generator from the samplers' ("grid").
const gridOrderStream = 0x67726964

func newGridOrder(n int, seed uint64) gridOrder {
	width := uint(bits.Len64(uint64(max(n, 1) - 1)))
	width = max(width+width%2, 2)
	o := gridOrder{n: uint64(n), half: width / 2}
	r := rand.New(rand.NewPCG(seed, gridOrderStream))
	for i := range o.keys {
		o.keys[i] = r.Uint64()
	}
	return o
}

// at returns the point visited at position p, 0 ≤ p < n.
func (o gridOrder) at(p int) int {
	x := uint64(p)
	for {
		x = o.permute(x)
		if x < o.n {
			return int(x)
		}
	}
}

// permute is the Feistel network, a permutation of [0, 2^(2·half)).
func (o gridOrder) permute(x uint64) uint64 {
	mask := uint64(1)<<o.half - 1
	l, r := x>>o.half, x&mask
	for _, k := range o.keys {
		l, r = r, l^(mix64(r^k)&mask)
	}
	return l<<o.half | r
}

// mix64 is SplitMix64's finalizer (Steele, Lea and Flood 2014), the round
// function: every input bit flips about half of the output bits.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
