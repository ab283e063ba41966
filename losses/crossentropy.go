package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// CrossEntropy is softmax cross-entropy on logits with integer class labels:
// per sample, −log softmax(logits)[label] = logsumexp(logits) − logits[label].
// Its Mean equals torch.nn.functional.cross_entropy(logits, labels).
//
// It is computed through Gorgonia's LogSoftMax, which subtracts the row max,
// so it stays finite for any finite logits: logits [1000, 0] give 1000 for
// label 1 and 0 for label 0.
//
// Shapes: logits (batch, classes); raw targets (n, 1) holding integer labels
// in [0, classes), encoded one-hot to (n, classes).
type CrossEntropy struct{}

func (CrossEntropy) String() string { return "cross_entropy" }

// TargetWidth implements Loss.
func (CrossEntropy) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: one-hot encodes the labels. A label that is
// not an integer in [0, outputs) is an error naming its row.
func (CrossEntropy) EncodeTargets(y []float64, n, k, outputs int) ([]float64, error) {
	if k != 1 {
		return nil, fmt.Errorf("%w: cross_entropy: targets have %d columns, want 1 column of class labels", ErrTarget, k)
	}
	if outputs < 2 {
		return nil, fmt.Errorf("%w: cross_entropy: the model has %d output, want ≥ 2 classes", ErrTarget, outputs)
	}
	out := make([]float64, n*outputs)
	for i, v := range y[:n] {
		if v != math.Trunc(v) || v < 0 || v >= float64(outputs) {
			return nil, fmt.Errorf("%w: cross_entropy: row %d has label %v, want an integer in [0, %d)", ErrTarget, i, v, outputs)
		}
		out[i*outputs+int(v)] = 1
	}
	return out, nil
}

// PerSample implements Loss. target is one-hot (or any probability
// distribution over classes): −Σ_c target_c · log softmax(logits)_c.
func (CrossEntropy) PerSample(logits, target *G.Node) (*G.Node, error) {
	if err := checkPair("cross_entropy", logits, target); err != nil {
		return nil, err
	}
	var out *G.Node
	err := gerr.Do("losses: cross_entropy", func() error {
		lsm, err := G.LogSoftMax(logits, 1)
		if err != nil {
			return err
		}
		picked, err := G.HadamardProd(lsm, target)
		if err != nil {
			return err
		}
		s, err := G.Sum(picked, 1)
		if err != nil {
			return err
		}
		out, err = G.Neg(s)
		return err
	})
	return out, err
}
