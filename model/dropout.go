package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Dropout zeroes each element of its input with probability Rate during
// training and scales the kept ones by 1/(1 − Rate) ("inverted" dropout,
// Srivastava et al. 2014; torch.nn.Dropout), so eval graphs, where it is the
// identity, need no rescaling. y = x ⊙ m with m: the input's shape
// (batch, features), each value 1/(1 − Rate) with probability 1 − Rate and 0
// otherwise.
//
// The mask is a Feed named name+"/mask", drawn by Graph.FillFeeds from the
// caller's seeded generator (PyTorch draws it from its global generator, so
// the masks themselves differ from torch's; their distribution is the same).
// Rate 0 adds nothing to the graph; Rate must be in [0, 1).
type Dropout struct{ Rate float64 }

// Build implements Layer. A Rate outside [0, 1), a nil input or a Scope no
// Model made is an error wrapping ErrConfig.
func (d Dropout) Build(s *Scope, x *G.Node, name string) (*G.Node, error) {
	if err := checkBuild(s, x, name); err != nil {
		return nil, err
	}
	if math.IsNaN(d.Rate) || d.Rate < 0 || d.Rate >= 1 {
		return nil, fmt.Errorf("%w: layer %s Dropout Rate = %v, want 0 ≤ Rate < 1", ErrConfig, name, d.Rate)
	}
	if d.Rate == 0 || !s.Training() {
		return x, nil
	}
	mask, err := s.Feed(name+"/mask", x.Shape().Clone(), dropoutMask(d.Rate))
	if err != nil {
		return nil, err
	}
	var y *G.Node
	err = gerr.Do("model: layer "+name+" dropout", func() error {
		var err error
		y, err = G.HadamardProd(x, mask)
		return err
	})
	return y, err
}

// dropoutMask keeps a value when u ≥ rate for u ~ U[0, 1), i.e. with
// probability exactly 1 − rate.
func dropoutMask(rate float64) func(rng *rand.Rand, dst []float64) {
	scale := 1 / (1 - rate)
	return func(rng *rand.Rand, dst []float64) {
		for i := range dst {
			if rng.Float64() < rate {
				dst[i] = 0
			} else {
				dst[i] = scale
			}
		}
	}
}
