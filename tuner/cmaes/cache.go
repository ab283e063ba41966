package cmaes

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"sync"
)

// The optimizer states that earlier trial starts replayed, by the hash of
// everything that made them (the initial optimizer and every solution told,
// in order): the next trial start of the same study replays only the
// generations told since. Replaying is deterministic, so a state found here
// is the one a replay would compute; it only saves the work (the O(n³)
// decompositions of every generation). Bounded: the least recently used go
// first.
var states = stateCache{maxEntries: 32, maxFloats: 1 << 22} // 32 MiB of matrices

// cacheStates turns the cache off (tests compare both).
var cacheStates = true

type stateCache struct {
	mu                    sync.Mutex
	seed                  maphash.Seed
	once                  sync.Once
	entries               []cacheEntry // least recently used first
	floats                int
	maxEntries, maxFloats int
}

type cacheEntry struct {
	key uint64
	opt *cma
}

// size is the number of float64s a state holds, mostly C and B.
func (c *cma) size() int { return 2*c.n*c.n + 4*c.n + len(c.funhist) }

// clone copies what tell, eigen and ask change; the constants, weights and
// bounds are shared.
func (c *cma) clone() *cma {
	d := *c
	d.mean, d.cov, d.pSigma, d.pc = slices.Clone(c.mean), slices.Clone(c.cov), slices.Clone(c.pSigma), slices.Clone(c.pc)
	d.b, d.d, d.funhist = slices.Clone(c.b), slices.Clone(c.d), slices.Clone(c.funhist)
	return &d
}

// keyer hashes a replay step by step.
type keyer struct {
	h   maphash.Hash
	buf [8]byte
}

func (s *stateCache) keyer() *keyer {
	s.once.Do(func() { s.seed = maphash.MakeSeed() })
	k := &keyer{}
	k.h.SetSeed(s.seed)
	return k
}

func (k *keyer) float(x float64) {
	binary.LittleEndian.PutUint64(k.buf[:], math.Float64bits(x))
	k.h.Write(k.buf[:])
}

// start hashes the initial optimizer: all newCMA's arguments.
func (k *keyer) start(c *cma) uint64 {
	for _, xs := range [][]float64{c.mean, c.lo, c.hi, {c.sigma, float64(c.popsize), float64(c.maxResample)}} {
		k.float(float64(len(xs)))
		for _, x := range xs {
			k.float(x)
		}
	}
	return k.h.Sum64()
}

// step hashes one generation's solutions, in the order told.
func (k *keyer) step(sols []solution) uint64 {
	k.float(float64(len(sols)))
	for _, s := range sols {
		k.float(s.value)
		for _, x := range s.x {
			k.float(x)
		}
	}
	return k.h.Sum64()
}

// get returns a copy of the state stored under key.
func (s *stateCache) get(key uint64) (*cma, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.entries, func(e cacheEntry) bool { return e.key == key })
	if i < 0 {
		return nil, false
	}
	e := s.entries[i]
	s.entries = append(slices.Delete(s.entries, i, i+1), e) // now the most recently used
	return e.opt.clone(), true
}

// put stores a copy of opt under key, dropping the least recently used
// states beyond the bounds.
func (s *stateCache) put(key uint64, opt *cma) {
	if opt.size() > s.maxFloats {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.entries, func(e cacheEntry) bool { return e.key == key }) {
		return
	}
	s.entries = append(s.entries, cacheEntry{key, opt.clone()})
	s.floats += opt.size()
	for len(s.entries) > s.maxEntries || s.floats > s.maxFloats {
		s.floats -= s.entries[0].opt.size()
		s.entries = slices.Delete(s.entries, 0, 1)
	}
}
