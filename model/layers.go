package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Dense adds y = x·W + b to the graph: x (batch, in), W (in, out), b (1, out)
// broadcast over the batch. Parameters are named name+"/W" and name+"/b"; W is
// regularized by default, b is not. Initializers nil → XavierUniform for W and
// Zeros for b.
func Dense(s *Scope, x *G.Node, name string, out int, wInit, bInit Initializer) (*G.Node, error) {
	if out < 1 {
		return nil, fmt.Errorf("%w: layer %s has %d units, want ≥ 1", ErrConfig, name, out)
	}
	if len(x.Shape()) != 2 {
		return nil, fmt.Errorf("%w: layer %s input shape %v, want (batch, features)", ErrConfig, name, x.Shape())
	}
	in := x.Shape()[1]
	if wInit == nil {
		wInit = XavierUniform{}
	}
	w, err := s.Param(ParamSpec{Name: name + "/W", Shape: []int{in, out}, Init: wInit, FanIn: in, FanOut: out, Decay: true})
	if err != nil {
		return nil, err
	}
	b, err := s.Param(ParamSpec{Name: name + "/b", Shape: []int{1, out}, Init: bInit, FanIn: in, FanOut: out})
	if err != nil {
		return nil, err
	}
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", name, err)
	}
	return G.BroadcastAdd(xw, b, nil, []byte{0})
}

// Linear is a single dense layer without activation: PyTorch's nn.Linear(in, Out).
// Its zero Init is TorchLinear for both weight and bias, as in PyTorch.
type Linear struct {
	Out  int
	Init Initializer // weight and bias; nil → TorchLinear
}

// Build implements Network.
func (l Linear) Build(s *Scope, x *G.Node) (*G.Node, error) {
	init := l.Init
	if init == nil {
		init = TorchLinear{}
	}
	return Dense(s, x, "linear", l.Out, init, init)
}

// MLP is a multilayer perceptron: dense layers of the Hidden sizes, each
// followed by Activation, then a dense output layer of Out units returning
// logits (no activation).
type MLP struct {
	Hidden     []int
	Out        int
	Activation Activation  // zero → ReLU
	Init       Initializer // weights; nil → HeNormal for ReLU, XavierUniform otherwise. Biases start at zero.
}

// Build implements Network.
func (m MLP) Build(s *Scope, x *G.Node) (*G.Node, error) {
	init := m.Init
	if init == nil {
		init = XavierUniform{}
		if m.Activation == ReLU || m.Activation == "" {
			init = HeNormal{}
		}
	}
	h := x
	for i, units := range m.Hidden {
		var err error
		if h, err = Dense(s, h, fmt.Sprintf("dense%d", i), units, init, Zeros{}); err != nil {
			return nil, err
		}
		if h, err = m.Activation.Apply(h); err != nil {
			return nil, err
		}
	}
	return Dense(s, h, fmt.Sprintf("dense%d", len(m.Hidden)), m.Out, XavierUniform{}, Zeros{})
}
