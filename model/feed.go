package model

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
)

// Feed is a placeholder that must receive fresh random values before every
// run of its graph (a dropout mask, for instance). We don't use Gorgonia's
// own random ops: their generator is global and seeded from the clock, so a
// run could not be reproduced. Instead whoever runs the graph owns a seeded
// generator and calls Graph.FillFeeds before each run.
type Feed struct {
	Node *G.Node
	// Fill writes Node's next values, in row-major order, drawing only from rng.
	Fill func(rng *rand.Rand, dst []float64)

	buf   []float64
	value *tensor.Dense
}

// Feed declares a placeholder of the given shape, named name, in the graph
// being built, and records it in the Graph's Feeds with its fill function.
// Layers that need randomness (Dropout) use it, typically only when
// s.Training() is true. Errors wrap ErrConfig: a Scope no Model made, a
// nil fill, a shape with no dimension, a dimension < 1 or more than
// MaxElements elements, a name used twice.
func (s *Scope) Feed(name string, shape []int, fill func(rng *rand.Rand, dst []float64)) (*G.Node, error) {
	if err := s.usable(); err != nil {
		return nil, fmt.Errorf("feed %s: %w", name, err)
	}
	if fill == nil {
		return nil, fmt.Errorf("%w: feed %s has a nil Fill", ErrConfig, name)
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("%w: feed %s shape %v, want at least one dimension", ErrConfig, name, shape)
	}
	vol, err := checkVolume("feed "+name, shape)
	if err != nil {
		return nil, err
	}
	for _, f := range s.feeds {
		if f.Node.Name() == name {
			return nil, fmt.Errorf("%w: feed name %q used twice", ErrConfig, name)
		}
	}
	value, err := dense.FromFloat64(s.Dtype(), make([]float64, vol), shape...)
	if err != nil {
		return nil, err
	}
	var n *G.Node
	err = gerr.Do("model: feed "+name, func() error {
		n = G.NewTensor(s.g, s.Dtype(), len(shape), G.WithShape(shape...), G.WithName(name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.feeds = append(s.feeds, &Feed{Node: n, Fill: fill, buf: make([]float64, vol), value: value})
	return n, nil
}

// FillFeeds draws new values for every feed of g, in declaration order, from
// rng, and binds them to their nodes. Call it before each run of a training
// graph that has feeds; it does nothing for a graph without feeds (every
// eval graph built by this package). The same generator state gives the same
// values, bit for bit. A nil g, a nil rng while g has feeds, or a feed not
// made by Scope.Feed is an error wrapping ErrConfig; a panic in a feed's
// Fill is an error (a *panics.Error naming the feed).
func (g *Graph) FillFeeds(rng *rand.Rand) error {
	if g == nil {
		return fmt.Errorf("%w: FillFeeds of a nil *Graph", ErrConfig)
	}
	if len(g.Feeds) > 0 && rng == nil {
		return fmt.Errorf("%w: FillFeeds with a nil generator", ErrConfig)
	}
	for i, f := range g.Feeds {
		if f == nil || f.Node == nil || f.Fill == nil || f.value == nil {
			return fmt.Errorf("%w: Feeds[%d] was not made by Scope.Feed", ErrConfig, i)
		}
		err := f.fill(rng)
		if err != nil {
			return err
		}
		switch d := f.value.Data().(type) {
		case []float64:
			copy(d, f.buf)
		case []float32:
			for i, v := range f.buf {
				d[i] = float32(v)
			}
		}
		err = gerr.Do("model: fill feed "+f.Node.Name(), func() error { return G.Let(f.Node, f.value) })
		if err != nil {
			return err
		}
	}
	return nil
}

// fill runs the user's Fill behind gerr's user boundary, naming the feed
// only if it panics (a name built at every step costs an allocation).
func (f *Feed) fill(rng *rand.Rand) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = gerr.Recovered("model: feed "+f.Node.Name()+" Fill", r)
		}
	}()
	f.Fill(rng, f.buf)
	return nil
}
