// Package nprand is numpy's legacy generator, numpy.random.RandomState
// (numpy 1.24, random/_mt19937.pyx, src/mt19937, src/distributions and
// mtrand.pyx), for the samplers that must draw exactly as Optuna does: the
// same seed gives the same numbers, bit for bit (tested against numpy's own
// output, testdata/optuna/nprand.json), but for normals, which take a
// logarithm: glibc's is an ulp off the correctly rounded one about once in
// 1,300 calls, and this package's (crmath.Log) is correctly rounded.
//
// Only the calls Optuna's samplers make are here: rand (Float64), randint
// and choice of an int (RandInt, IntN), uniform, standard_normal and normal
// (NormFloat64, Normal). Each consumes the 32-bit outputs of MT19937 as numpy's
// legacy paths do, so that a mixed sequence of calls stays in step with
// numpy's.
package nprand

import (
	"math"

	"github.com/gradtune/gradtune/internal/crmath"
)

const (
	stateLen  = 624 // MT19937's state, in 32-bit words
	shiftLen  = 397
	matrixA   = 0x9908b0df
	upperMask = 0x80000000
	lowerMask = 0x7fffffff
)

// RandomState is numpy's RandomState: MT19937 plus the cached second
// normal of the polar method. The zero value is not seeded: use New or
// NewFromArray. Not safe for concurrent use.
type RandomState struct {
	key      [stateLen]uint32
	pos      int
	hasGauss bool
	gauss    float64
}

// New returns RandomState(seed): numpy seeds an int seed below 2³² with
// MT19937's init_genrand (mt19937_seed).
func New(seed uint32) *RandomState {
	r := &RandomState{}
	s := seed
	for i := range r.key {
		r.key[i] = s
		s = 1812433253*(s^(s>>30)) + uint32(i) + 1
	}
	r.pos = stateLen
	return r
}

// NewFromArray returns RandomState(key) for a 1-D array of integers below
// 2³² (init_by_array, mt19937_init_by_array); an empty key seeds as [0].
func NewFromArray(key []uint32) *RandomState {
	if len(key) == 0 {
		key = []uint32{0}
	}
	r := New(19650218)
	mt := &r.key
	i, j := 1, 0
	for k := max(stateLen, len(key)); k > 0; k-- {
		mt[i] = (mt[i] ^ ((mt[i-1] ^ (mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= stateLen {
			mt[0] = mt[stateLen-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k := stateLen - 1; k > 0; k-- {
		mt[i] = (mt[i] ^ ((mt[i-1] ^ (mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= stateLen {
			mt[0] = mt[stateLen-1]
			i = 1
		}
	}
	mt[0] = 0x80000000 // non-zero initial state
	r.pos = stateLen
	return r
}

// NewSeed is RandomState as numpy seeds it from a seed of up to 64 bits:
// New below 2³², else NewFromArray of its low and high 32-bit halves (what
// RandomState([low, high]) does; numpy refuses an int seed of 2³² or more).
func NewSeed(seed uint64) *RandomState {
	if seed < 1<<32 {
		return New(uint32(seed))
	}
	return NewFromArray([]uint32{uint32(seed), uint32(seed >> 32)})
}

// refill generates the next stateLen words (mt19937_gen).
func (r *RandomState) refill() {
	mt := &r.key
	var i int
	for i = 0; i < stateLen-shiftLen; i++ {
		y := mt[i]&upperMask | mt[i+1]&lowerMask
		mt[i] = mt[i+shiftLen] ^ y>>1 ^ -(y&1)&matrixA
	}
	for ; i < stateLen-1; i++ {
		y := mt[i]&upperMask | mt[i+1]&lowerMask
		mt[i] = mt[i+shiftLen-stateLen] ^ y>>1 ^ -(y&1)&matrixA
	}
	y := mt[stateLen-1]&upperMask | mt[0]&lowerMask
	mt[stateLen-1] = mt[shiftLen-1] ^ y>>1 ^ -(y&1)&matrixA
	r.pos = 0
}

// Uint32 returns the next 32-bit output of MT19937 (tempered).
func (r *RandomState) Uint32() uint32 {
	if r.pos >= stateLen {
		r.refill()
	}
	y := r.key[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// Float64 is random_sample (rand): a uniform in [0, 1) with 53 random bits,
// made of two outputs.
func (r *RandomState) Float64() float64 {
	a, b := r.Uint32()>>5, r.Uint32()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// RandInt is randint(low, high): an integer in [low, high) by numpy's legacy
// masked rejection: draw under the smallest mask of all ones that covers
// high − 1 − low, retry above it; one output per try when the range fits
// in 32 bits, two otherwise. high ≤ low returns low without drawing (numpy
// raises).
func (r *RandomState) RandInt(low, high int64) int64 {
	if high <= low {
		return low
	}
	rng := uint64(high) - uint64(low) - 1
	if rng == 0 {
		return low // numpy draws nothing for a single value
	}
	mask := rng
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	mask |= mask >> 32
	if rng <= math.MaxUint32 {
		if rng == math.MaxUint32 {
			return low + int64(r.Uint32())
		}
		for {
			if v := uint64(r.Uint32()) & mask; v <= rng {
				return low + int64(v)
			}
		}
	}
	if rng == math.MaxUint64 {
		return low + int64(r.uint64())
	}
	for {
		if v := r.uint64() & mask; v <= rng {
			return int64(uint64(low) + v)
		}
	}
}

// uint64 is two outputs, the first high (mt19937_next64).
func (r *RandomState) uint64() uint64 {
	hi := uint64(r.Uint32())
	return hi<<32 | uint64(r.Uint32())
}

// IntN is choice(n) for an int n > 0: randint(0, n). n ≤ 1 returns 0
// without drawing.
func (r *RandomState) IntN(n int) int { return int(r.RandInt(0, int64(n))) }

// Uniform is uniform(low, high): low + (high − low)·Float64().
func (r *RandomState) Uniform(low, high float64) float64 {
	return low + float64((high-low)*r.Float64()) // no fused multiply-add: numpy rounds the product
}

// NormFloat64 is standard_normal (legacy_gauss): the polar method, which makes
// two normals from one accepted pair of uniforms and keeps the second for
// the next call.
func (r *RandomState) NormFloat64() float64 {
	if r.hasGauss {
		r.hasGauss = false
		g := r.gauss
		r.gauss = 0
		return g
	}
	var x1, x2, r2 float64
	for {
		x1 = 2*r.Float64() - 1
		x2 = 2*r.Float64() - 1
		r2 = x1*x1 + x2*x2
		if r2 < 1 && r2 != 0 {
			break
		}
	}
	f := math.Sqrt(-2 * crmath.Log(r2) / r2) // glibc's log, as numpy's
	r.gauss, r.hasGauss = f*x1, true
	return f * x2
}

// Normal is normal(loc, scale): loc + scale·NormFloat64().
func (r *RandomState) Normal(loc, scale float64) float64 { return loc + float64(scale*r.NormFloat64()) }
