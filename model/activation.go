package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Activation names an elementwise nonlinearity. The zero value is ReLU.
type Activation string

// The activations an MLP accepts.
const (
	ReLU     Activation = "relu"
	Tanh     Activation = "tanh"
	Sigmoid  Activation = "sigmoid"
	Identity Activation = "identity"
)

// Apply adds the activation of x to x's graph. An unknown name returns an
// error wrapping ErrConfig that lists the known ones.
func (a Activation) Apply(x *G.Node) (*G.Node, error) {
	switch a {
	case ReLU, "":
		return G.Rectify(x)
	case Tanh:
		return G.Tanh(x)
	case Sigmoid:
		return G.Sigmoid(x)
	case Identity:
		return x, nil
	}
	return nil, fmt.Errorf("%w: unknown activation %q, want one of relu, tanh, sigmoid, identity", ErrConfig, string(a))
}
