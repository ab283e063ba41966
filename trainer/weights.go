package trainer

import (
	"fmt"
	"io"

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
// It returns nil for a Trainer not made by New.
func (t *Trainer) Weights() []*tensor.Dense {
	if t == nil || t.m == nil {
		return nil
	}
	var out []*tensor.Dense
	for _, w := range t.current() {
		out = append(out, w.Clone().(*tensor.Dense))
	}
	return out
}

// SetWeights replaces the current weights with ws (as returned by Weights).
// The optimizer's state is kept. It returns an error wrapping ErrConfig,
// changing nothing, if ws does not match the model's parameters or t was
// not made by New. After Close it still sets the model's parameters.
func (t *Trainer) SetWeights(ws []*tensor.Dense) error {
	if t == nil || t.m == nil {
		return errNotMade
	}
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

// Save writes the current weights — the training graph's during Fit, so a
// callback saves the epoch it sees — in model.Model.Save's format, which
// model.Model.Load reads. During Fit it first brings the model's parameters
// up to date (Fit does so at its end anyway). Errors are the writer's, or
// ErrClosed after Close, or wrap ErrConfig for a nil w or a Trainer not
// made by New.
func (t *Trainer) Save(w io.Writer) error {
	if w == nil {
		return fmt.Errorf("%w: Save into a nil io.Writer", ErrConfig)
	}
	if err := t.syncModel(); err != nil {
		return err
	}
	return t.m.Save(w)
}

// SaveFile is Save into path, replaced atomically (model.Model.SaveFile).
func (t *Trainer) SaveFile(path string) error {
	if err := t.syncModel(); err != nil {
		return err
	}
	return t.m.SaveFile(path)
}

// syncModel copies the training graph's weights into the model's
// parameters during Fit; outside Fit they already hold the weights.
func (t *Trainer) syncModel() error {
	if err := t.usable(); err != nil {
		return err
	}
	if !t.fitting {
		return nil
	}
	return t.m.SetParamValues(t.train.Learnables)
}
