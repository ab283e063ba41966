package losses

import (
	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/rowmajor"
)

// MSE is the mean squared error, torch.nn.MSELoss: per sample, the mean over
// outputs of (pred − y)². pred and targets: (batch, outputs); raw targets
// (n, outputs) real values.
//
// Reduce(Mean) equals torch's reduction="mean" (over all batch×outputs
// elements) and Reduce(Sum) its "sum"; Reduce(None) is (batch,): the row
// sums of torch's (batch, outputs) "none" (the same values when outputs = 1).
type MSE struct{}

func (MSE) String() string { return "mse" }

// TargetWidth implements Loss.
func (MSE) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs columns.
func (l MSE) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	return realTargets(l.String(), y, outputs)
}

// PerSample implements Loss.
func (l MSE) PerSample(pred, target *G.Node) (*G.Node, error) {
	if err := checkPair(l.String(), pred, target, same); err != nil {
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

// SampleWeights implements SampleWeighter: outputs for every row, so that
// Reduce(Sum) is torch's sum over all elements.
func (MSE) SampleWeights(target *G.Node) (*G.Node, error) { return outputsWeights(target) }
