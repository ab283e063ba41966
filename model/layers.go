package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/regularizers"
)

// Layer is one step of a Sequential. Build adds the layer to the graph on
// x: (batch, features) and returns its output (batch, units). name is unique
// within the model (Sequential passes "layer0", "layer1", ...); parameters
// and feeds are named name+"/W", name+"/mask", and so on.
type Layer interface {
	Build(s *Scope, x *G.Node, name string) (*G.Node, error)
}

// Dense is a fully connected layer, y = x·W + b, with x: (batch, in),
// W: (in, Units), b: (1, Units) broadcast over the batch (torch.nn.Linear
// stores W transposed, (Units, in); the fans are the same). Its parameters
// are name+"/W" (Decay set) and name+"/b".
//
// Init nil is XavierUniform (Keras Dense's glorot_uniform; torch.nn.Linear
// uses TorchLinear) and BiasInit nil is Zeros (torch: TorchLinear).
// Regularizers penalize W only (Keras's kernel_regularizer); they become
// W's Param.Regularizers, which the trainer adds to the loss.
type Dense struct {
	Units        int
	Init         Initializer
	BiasInit     Initializer
	Regularizers []regularizers.Regularizer
}

// Build implements Layer. Units < 1, a nil input or one that is not a
// matrix, or a Scope no Model made is an error wrapping ErrConfig.
func (d Dense) Build(s *Scope, x *G.Node, name string) (*G.Node, error) {
	if err := checkBuild(s, x, name); err != nil {
		return nil, err
	}
	if d.Units < 1 {
		return nil, fmt.Errorf("%w: layer %s Units = %d, want ≥ 1", ErrConfig, name, d.Units)
	}
	if len(x.Shape()) != 2 {
		return nil, fmt.Errorf("%w: layer %s input shape %v, want (batch, features)", ErrConfig, name, x.Shape())
	}
	in, out := x.Shape()[1], d.Units
	wInit, bInit := d.Init, d.BiasInit
	if wInit == nil {
		wInit = XavierUniform{}
	}
	if bInit == nil {
		bInit = Zeros{}
	}
	w, err := s.Param(ParamSpec{Name: name + "/W", Shape: []int{in, out}, Init: wInit, FanIn: in, FanOut: out, Decay: true, Regularizers: d.Regularizers})
	if err != nil {
		return nil, err
	}
	b, err := s.Param(ParamSpec{Name: name + "/b", Shape: []int{1, out}, Init: bInit, FanIn: in, FanOut: out})
	if err != nil {
		return nil, err
	}
	var y *G.Node
	err = gerr.Do("model: layer "+name+" dense", func() error {
		var err error
		y, err = denseLayer(x, w, b, s.needsGradient(x))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", name, err)
	}
	return y, nil
}

// Linear is a single dense layer without activation: PyTorch's nn.Linear(in, Out),
// with parameters "linear/W" and "linear/b". Its zero Init is TorchLinear
// for both weight and bias, as in PyTorch.
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
	return Dense{Units: l.Out, Init: init, BiasInit: init}.Build(s, x, "linear")
}

// MLP is a multilayer perceptron: dense layers of the Hidden sizes, each
// followed by Activation, then a dense output layer of Out units returning
// logits (no activation). Parameters are "dense0/W", "dense0/b", ...
type MLP struct {
	Hidden     []int
	Out        int
	Activation Activation  // nil → ReLU
	Init       Initializer // hidden weights; nil → HeNormal for ReLU, XavierUniform otherwise. The output weight is XavierUniform; biases start at zero.
}

// Build implements Network.
func (m MLP) Build(s *Scope, x *G.Node) (*G.Node, error) {
	act := m.Activation
	if act == nil {
		act = ReLU{}
	}
	init := m.Init
	if init == nil {
		init = XavierUniform{}
		if _, ok := act.(ReLU); ok {
			init = HeNormal{}
		}
	}
	h := x
	for i, units := range m.Hidden {
		var err error
		if h, err = (Dense{Units: units, Init: init}).Build(s, h, fmt.Sprintf("dense%d", i)); err != nil {
			return nil, err
		}
		if h, err = apply(act, h); err != nil {
			return nil, err
		}
		s.Watch(fmt.Sprintf("dense%d/%v", i, act), h)
	}
	return Dense{Units: m.Out}.Build(s, h, fmt.Sprintf("dense%d", len(m.Hidden)))
}
