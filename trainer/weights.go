package trainer

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// current returns the tensors holding the current weights: the training
// graph's during Fit, the model's parameters otherwise.
func (t *Trainer) current() []tensor.Tensor {
	out := make([]tensor.Tensor, len(t.m.Params()))
	for i, p := range t.m.Params() {
		out[i] = p.Value
		if t.fitting {
			out[i] = t.train.Learnables[i].Value().(tensor.Tensor)
		}
	}
	return out
}

// Weights returns a copy of the current weights, in Model.Params order. A
// callback can keep it and give it back to SetWeights (EarlyStopping does).
func (t *Trainer) Weights() []*tensor.Dense {
	var out []*tensor.Dense
	for _, w := range t.current() {
		out = append(out, w.Clone().(*tensor.Dense))
	}
	return out
}

// SetWeights replaces the current weights with ws (as returned by Weights).
// The optimizer's state is kept. It returns an error, changing nothing, if
// ws does not match the model's parameters.
func (t *Trainer) SetWeights(ws []*tensor.Dense) error {
	cur := t.current()
	if len(ws) != len(cur) {
		return fmt.Errorf("%w: %d weight tensors for %d parameters", ErrConfig, len(ws), len(cur))
	}
	for i, w := range ws {
		if w == nil || !w.Shape().Eq(cur[i].Shape()) || w.Dtype() != cur[i].Dtype() {
			return fmt.Errorf("%w: weights[%d] do not match parameter %s %v %v", ErrConfig, i, t.m.Params()[i].Name, cur[i].Shape(), cur[i].Dtype())
		}
	}
	for i, w := range ws {
		if err := dense.CopyValues(cur[i], w); err != nil {
			return err
		}
	}
	return nil
}
