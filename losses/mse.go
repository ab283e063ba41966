package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// MSE is the mean squared error: per sample, mean over outputs of (pred − y)².
// Its Mean over the batch equals torch.nn.functional.mse_loss(pred, y) with
// reduction="mean" (the mean over all batch×outputs elements).
// Targets: (n, outputs) real values.
type MSE struct{}

func (MSE) String() string { return "mse" }

// TargetWidth implements Loss.
func (MSE) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through unchanged; k must equal outputs.
func (MSE) EncodeTargets(y []float64, n, k, outputs int) ([]float64, error) {
	if k != outputs {
		return nil, fmt.Errorf("%w: mse: targets have %d columns, the model has %d outputs", ErrTarget, k, outputs)
	}
	return y[:n*k], nil
}

// PerSample implements Loss.
func (MSE) PerSample(pred, target *G.Node) (*G.Node, error) {
	if err := checkPair("mse", pred, target); err != nil {
		return nil, err
	}
	var out *G.Node
	err := gerr.Do("losses: mse", func() error {
		d, err := G.Sub(pred, target)
		if err != nil {
			return err
		}
		sq, err := G.Square(d)
		if err != nil {
			return err
		}
		out, err = G.Mean(sq, 1)
		return err
	})
	return out, err
}
