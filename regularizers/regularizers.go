// Package regularizers defines L1 and L2 weight penalties as symbolic nodes.
//
// The trainer adds each penalty to the loss node, so G.Grad differentiates it
// together with the loss. Never combine these with Gorgonia's solver options
// WithL1Reg/WithL2Reg: that would regularize twice.
package regularizers

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// ErrConfig is wrapped by errors about an invalid regularizer.
var ErrConfig = errors.New("regularizers: invalid configuration")

// Regularizer returns a scalar penalty node over the given parameters.
// By default the trainer passes the weights and not the biases
// (model.Param.Decay).
type Regularizer interface {
	Penalty(params G.Nodes) (*G.Node, error)
	String() string
}

// L1 is λ·Σ|w| over every element of every parameter (lasso). Its gradient is
// λ·sign(w), 0 at w = 0 (as torch.abs's gradient).
type L1 struct{ Lambda float64 }

// L2 is λ·Σw² over every element of every parameter, without a factor ½: its
// gradient is 2λ·w. PyTorch's weight_decay=wd adds wd·w to the gradient, so
// L2{Lambda: wd/2} equals weight_decay=wd for SGD and Adam (not AdamW, whose
// decay is decoupled from the gradient).
type L2 struct{ Lambda float64 }

func (r L1) String() string { return fmt.Sprintf("l1(%g)", r.Lambda) }
func (r L2) String() string { return fmt.Sprintf("l2(%g)", r.Lambda) }

// Penalty implements Regularizer. It returns an error if Lambda is negative
// or not finite, or if params is empty.
func (r L1) Penalty(params G.Nodes) (*G.Node, error) {
	return penalty("l1", r.Lambda, params, G.Abs)
}

// Penalty implements Regularizer. It returns an error if Lambda is negative
// or not finite, or if params is empty.
func (r L2) Penalty(params G.Nodes) (*G.Node, error) {
	return penalty("l2", r.Lambda, params, G.Square)
}

func penalty(name string, lambda float64, params G.Nodes, elem func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	if lambda < 0 || math.IsNaN(lambda) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("%w: %s Lambda = %v, want a finite value ≥ 0", ErrConfig, name, lambda)
	}
	if len(params) == 0 {
		return nil, fmt.Errorf("%w: %s over no parameters", ErrConfig, name)
	}
	var total *G.Node
	err := gerr.Do("regularizers: "+name, func() error {
		for _, p := range params {
			e, err := elem(p)
			if err != nil {
				return err
			}
			s, err := G.Sum(e)
			if err != nil {
				return err
			}
			if total == nil {
				total = s
			} else if total, err = G.Add(total, s); err != nil {
				return err
			}
		}
		var err error
		total, err = G.Mul(total, G.NewConstant(castLike(params[0], lambda)))
		return err
	})
	return total, err
}

// castLike returns v in the dtype of n, so constants don't force a float64
// op into a float32 graph.
func castLike(n *G.Node, v float64) any {
	if n.Dtype() == G.Float32 {
		return float32(v)
	}
	return v
}
