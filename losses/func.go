package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/rowmajor"
)

// Func returns a Loss made of one function, as http.HandlerFunc makes a
// Handler of one: a custom loss is its name and its per-sample losses.
//
// The contract, for pred (batch, outputs) and target (batch, outputs) of the
// same dtype (float32 or float64, checked before perSample runs):
//
//   - perSample returns ℓ, shape (batch,): one loss per row, built in pred's
//     graph from Gorgonia operations (so that it can be differentiated) and of
//     pred's dtype. Anything else is an error wrapping ErrConfig.
//   - The target has the model's width: TargetWidth(outputs) = outputs, and
//     EncodeTargets passes raw targets (n, outputs) through unchanged (an
//     error wrapping ErrTarget for another width or a NaN/Inf target).
//   - The loss has no sample weights: the trainer minimizes the masked mean
//     Σ_i m_i·ℓ_i / Σ_i m_i over a batch, where m_i is 0 for the rows that pad
//     a short last batch and 1 otherwise, so padding never counts; Evaluate
//     reports the mean of ℓ over the data set, and Reduce(Mean/Sum/None) is
//     the mean, sum or ℓ itself.
//   - A panic inside perSample (G.Must on a shape error, say) is returned as
//     a *panics.Error wrapping panics.ErrUser.
//
// name names the loss in errors and logs (String). An empty name or a nil
// perSample is reported, wrapping ErrConfig, by Validate, which trainer.New
// calls.
func Func(name string, perSample func(pred, target *G.Node) (*G.Node, error)) Loss {
	return funcLoss{name: name, fn: perSample}
}

type funcLoss struct {
	name string
	fn   func(pred, target *G.Node) (*G.Node, error)
}

func (l funcLoss) String() string { return l.name }

// Validate reports an empty name or a nil function.
func (l funcLoss) Validate() error {
	if l.name == "" {
		return fmt.Errorf("%w: losses.Func has an empty name", ErrConfig)
	}
	if l.fn == nil {
		return fmt.Errorf("%w: losses.Func %q has a nil per-sample function", ErrConfig, l.name)
	}
	return nil
}

// TargetWidth implements Loss: the target is as wide as the model's output.
func (funcLoss) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs
// columns of finite values.
func (l funcLoss) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	if err := l.Validate(); err != nil {
		return rowmajor.Matrix{}, err
	}
	return realTargets(l.name, y, outputs)
}

// PerSample implements Loss: it checks the shapes, runs the function and
// checks that its result is (batch,) in pred's graph and dtype.
func (l funcLoss) PerSample(pred, target *G.Node) (*G.Node, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if err := checkPair(l.name, pred, target, same); err != nil {
		return nil, err
	}
	var out *G.Node
	err := panics.Recover("losses: "+l.name, panics.ErrUser, func() error {
		var err error
		out, err = l.fn(pred, target)
		return err
	})
	if err != nil {
		return nil, err
	}
	batch := pred.Shape()[0]
	switch {
	case out == nil:
		return nil, fmt.Errorf("%w: %s: the per-sample function returned a nil node and no error, want (%d,)", ErrConfig, l.name, batch)
	case out.Graph() != pred.Graph():
		return nil, fmt.Errorf("%w: %s: the per-sample function returned a node of another graph, want one built from pred", ErrConfig, l.name)
	case len(out.Shape()) != 1 || out.Shape()[0] != batch:
		return nil, fmt.Errorf("%w: %s: the per-sample function returned shape %v, want (%d,): one loss per row", ErrConfig, l.name, out.Shape(), batch)
	case out.Dtype() != pred.Dtype():
		return nil, fmt.Errorf("%w: %s: the per-sample function returned %v, want pred's %v", ErrConfig, l.name, out.Dtype(), pred.Dtype())
	}
	return out, nil
}
