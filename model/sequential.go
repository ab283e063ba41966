package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Sequential applies its Layers in order, like torch.nn.Sequential or a
// Keras Sequential model:
//
//	Sequential{Layers: []Layer{
//		Dense{Units: 128, Init: HeNormal{}, Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 1e-4}}},
//		Act{ReLU{}},
//		Dropout{Rate: 0.2},
//		Dense{Units: 10},
//	}}
//
// Layer i is named "layer<i>", so its parameters are "layer0/W",
// "layer0/b", "layer3/W", ... (torch would say "0.weight", "0.bias", ...).
type Sequential struct {
	Layers []Layer
}

// Build implements Network. No layers, or a nil layer, is an error wrapping
// ErrConfig.
func (q Sequential) Build(s *Scope, x *G.Node) (*G.Node, error) {
	if len(q.Layers) == 0 {
		return nil, fmt.Errorf("%w: Sequential has no Layers, want ≥ 1", ErrConfig)
	}
	h := x
	for i, l := range q.Layers {
		if l == nil {
			return nil, fmt.Errorf("%w: Sequential Layers[%d] is nil", ErrConfig, i)
		}
		name := fmt.Sprintf("layer%d", i)
		var err error
		h, err = gerr.Value(fmt.Sprintf("model: Sequential %s (%T) Build", name, l), func() (*G.Node, error) { return l.Build(s, h, name) })
		if err != nil {
			return nil, err
		}
		if h == nil {
			return nil, fmt.Errorf("%w: Sequential Layers[%d] (%T) returned a nil node", ErrConfig, i, l)
		}
	}
	return h, nil
}

// apply runs act.Apply, a user's or ours, behind gerr.User.
func apply(act Activation, x *G.Node) (*G.Node, error) {
	return gerr.Value(fmt.Sprintf("model: %T Apply", act), func() (*G.Node, error) { return act.Apply(x) })
}

// Act is a layer applying an Activation elementwise; the output has the
// input's shape. A nil Activation is an error.
type Act struct{ Activation Activation }

// Build implements Layer. A nil Activation, a nil input or a Scope no Model
// made is an error wrapping ErrConfig.
func (a Act) Build(s *Scope, x *G.Node, name string) (*G.Node, error) {
	if err := checkBuild(s, x, name); err != nil {
		return nil, err
	}
	if a.Activation == nil {
		return nil, fmt.Errorf("%w: layer %s: Act with a nil Activation", ErrConfig, name)
	}
	y, err := apply(a.Activation, x)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", name, err)
	}
	s.Watch(name+"/"+a.Activation.String(), y)
	return y, nil
}
