package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/rowmajor"
)

// NLL is the negative log-likelihood on log-probabilities,
// torch.nn.functional.nll_loss(logp, labels, weight=ClassWeights): with class
// weights w (all 1 if nil), torch's reduction="none" is −w[y_i]·logp[i, y_i]
// and its mean divides the sum by Σ_i w[y_i]. Hence PerSample
// ℓ_i = −logp[i, y_i] = −Σ_c t_ic·logp_ic for the one-hot target t, and
// SampleWeights c_i = w[y_i] (Σ_c w_c·t_ic).
//
// Shapes: logp (batch, C), e.g. from LogSoftMax (CrossEntropy fuses both);
// raw targets (n, 1) integer labels in [0, C), encoded one-hot to (n, C).
// Differences from PyTorch: no ignore_index.
type NLL struct {
	// ClassWeights are torch's weight=: one finite weight ≥ 0 per class.
	// nil: all 1.
	ClassWeights []float64
}

func (NLL) String() string { return "nll" }

// Validate returns an error wrapping ErrConfig for a class weight that is not
// a finite value ≥ 0.
func (l NLL) Validate() error { return checkClassWeights(l.String(), l.ClassWeights) }

// TargetWidth implements Loss.
func (NLL) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: one-hot encodes the labels. A label that is
// not an integer in [0, outputs) is an error naming its row.
func (l NLL) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	if err := l.Validate(); err != nil {
		return rowmajor.Matrix{}, err
	}
	if err := checkClassCount(l.String(), l.ClassWeights, outputs); err != nil {
		return rowmajor.Matrix{}, err
	}
	if outputs < 1 {
		return rowmajor.Matrix{}, fmt.Errorf("%w: %s: the model has %d outputs, want ≥ 1 class", ErrTarget, l, outputs)
	}
	if err := checkRaw(l.String(), y); err != nil {
		return rowmajor.Matrix{}, err
	}
	enc := rowmajor.Matrix{Rows: y.Rows, Cols: outputs, Data: make([]float64, y.Rows*outputs)}
	if err := labels(l.String(), y, outputs, func(i, label int) { enc.Data[i*outputs+label] = 1 }); err != nil {
		return rowmajor.Matrix{}, err
	}
	return enc, nil
}

// PerSample implements Loss.
func (l NLL) PerSample(logp, target *G.Node) (*G.Node, error) {
	name := l.String()
	if err := checkPair(name, logp, target, same); err != nil {
		return nil, err
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if err := checkClassCount(name, l.ClassWeights, logp.Shape()[1]); err != nil {
		return nil, err
	}
	var out *G.Node
	err := gerr.Do("losses: "+name, func() error {
		tq, err := G.HadamardProd(logp, target)
		if err != nil {
			return err
		}
		out, err = negSum(tq)
		return err
	})
	return out, err
}

// SampleWeights implements SampleWeighter: c_i = w[y_i]; all 1 without
// ClassWeights.
func (l NLL) SampleWeights(target *G.Node) (*G.Node, error) {
	return labelWeights(l.String(), l.ClassWeights, target, false)
}
