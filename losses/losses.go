// Package losses defines training losses as symbolic Gorgonia nodes, equal to
// torch.nn.functional (PyTorch 1.13) in value and in gradient.
//
// A Loss gives per-sample losses ℓ, shape (batch,). Reduce turns them into
// torch's reduction="mean", "sum" or "none".
//
// # The reduction contract
//
// Some torch reductions are not plain means of per-sample values: a
// class-weighted cross-entropy divides by the sum of the selected class
// weights, and an element-wise loss sums over outputs for "sum". A loss that
// needs this implements SampleWeighter, whose weights c (batch,) come from the
// targets only. For every loss in this package, with ℓ = PerSample(pred,
// target) and c = SampleWeights(target) (all ones if the loss is not a
// SampleWeighter):
//
//	Reduce(Mean) = Σ_i c_i·ℓ_i / Σ_i c_i
//	Reduce(Sum)  = Σ_i c_i·ℓ_i
//	Reduce(None) = c ⊙ ℓ
//
// and all three equal torch's reduction= of the same loss (see each type for
// the one place where reduction="none" has a different shape). A trainer that
// pads a short batch with rows of mask m_i = 0 gets torch's mean over the real
// rows as Σ_i m_i·c_i·ℓ_i / Σ_i m_i·c_i; with c ≡ const this is the plain mean.
//
// # Your own loss
//
// Func makes a Loss of a name and one function from pred and target,
// (batch, outputs) each, to the per-sample losses (batch,); see Func for
// what the trainer does with them.
//
// # Settings
//
// The zero value of every loss type is its torch default. Losses with settings
// have a Validate method; PerSample and EncodeTargets run it too, so a bad
// setting is reported (wrapping ErrConfig) before any graph runs.
package losses

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/rowmajor"
)

var (
	// ErrTarget is wrapped by every error about targets that don't fit the loss.
	ErrTarget = errors.New("losses: invalid target")
	// ErrConfig is wrapped by every error about a loss setting (Delta, Beta,
	// LabelSmoothing, ClassWeights, PosWeight) or a reduction.
	ErrConfig = errors.New("losses: invalid config")
	// ErrPrediction is returned when the graph runs on predictions outside the
	// loss's domain: BCE probabilities outside [0, 1] (torch raises there too).
	// The trainer's errors wrap it. (Gorgonia's TapeMachine.RunAll returns
	// it inside an error that has no Unwrap method but an Err() method,
	// whose result wraps ErrPrediction.)
	ErrPrediction = errors.New("losses: invalid prediction")
)

// Loss is a per-sample loss.
type Loss interface {
	// PerSample returns the per-sample losses, shape (batch,), for
	// pred (batch, outputs) and target (batch, TargetWidth(outputs)).
	PerSample(pred, target *G.Node) (*G.Node, error)
	// TargetWidth is the width of the encoded target for a model with the given outputs.
	TargetWidth(outputs int) int
	// EncodeTargets turns raw targets y (n, k), as stored in a data.Dataset,
	// into encoded targets (n, TargetWidth(outputs)) for a model with the
	// given outputs; it must not modify y. It returns an error wrapping
	// ErrTarget that names the first bad row, or the shape that does not fit
	// (an invalid y also wraps rowmajor.ErrShape), or ErrConfig for a bad
	// setting.
	EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error)
	String() string
}

// SampleWeighter is implemented by losses whose torch reduction weighs the
// samples: SampleWeights returns c, shape (batch,), computed from the encoded
// target (batch, TargetWidth(outputs)) alone, never from the prediction. See
// the package documentation for the contract Reduce and a trainer rely on.
type SampleWeighter interface {
	SampleWeights(target *G.Node) (*G.Node, error)
}

// checkPair checks that pred is (batch, outputs) and target (batch, width)
// of the same dtype, float32 or float64.
func checkPair(name string, pred, target *G.Node, width func(outputs int) int) error {
	if pred == nil || target == nil {
		return fmt.Errorf("%w: %s: pred or target is a nil node", ErrTarget, name)
	}
	ps, ts := pred.Shape(), target.Shape()
	if len(ps) != 2 {
		return fmt.Errorf("%w: %s: pred %v, want (batch, outputs)", ErrTarget, name, ps)
	}
	if w := width(ps[1]); len(ts) != 2 || ts[0] != ps[0] || ts[1] != w {
		return fmt.Errorf("%w: %s: pred %v and target %v, want target (%d, %d)", ErrTarget, name, ps, ts, ps[0], w)
	}
	if pd, td := pred.Dtype(), target.Dtype(); pd != td || (pd != tensor.Float64 && pd != tensor.Float32) {
		return fmt.Errorf("%w: %s: pred is %v and target %v, want both float64 or both float32", ErrTarget, name, pd, td)
	}
	return nil
}

func same(outputs int) int { return outputs }
