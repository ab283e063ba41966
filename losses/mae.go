package losses

import (
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/rowmajor"
)

// MAE is the mean absolute error, torch.nn.L1Loss: per sample, the mean over
// outputs of |pred − y|. pred and targets: (batch, outputs), raw targets
// (n, outputs) real values.
//
// Its gradient is sign(pred − y) (0 where pred = y), as torch's. Reduce(Mean)
// equals torch's reduction="mean" (over all batch×outputs elements) and
// Reduce(Sum) its "sum"; Reduce(None) is (batch,): the row sums of torch's
// (batch, outputs) "none" (the same values when outputs = 1).
type MAE struct{}

func (MAE) String() string { return "mae" }

// TargetWidth implements Loss.
func (MAE) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs columns.
func (l MAE) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	return realTargets(l.String(), y, outputs)
}

// PerSample implements Loss.
func (l MAE) PerSample(pred, target *G.Node) (*G.Node, error) {
	return perSamplePoint(l.String(), l1Fn{}, pred, target)
}

// SampleWeights implements SampleWeighter: outputs for every row, so that
// Reduce(Sum) is torch's sum over all elements.
func (MAE) SampleWeights(target *G.Node) (*G.Node, error) { return outputsWeights(target) }

// l1Fn is |p − y|; torch 1.13 computes l1_loss as (input − target).abs(),
// whose backward is sgn(input − target).
type l1Fn struct{}

func (l1Fn) String() string                { return "l1" }
func (l1Fn) check(float64) error           { return nil }
func (l1Fn) f(p, y float64, _ int) float64 { return math.Abs(p - y) }

func (l1Fn) df(p, y float64, _ int) float64 {
	switch d := p - y; {
	case d > 0:
		return 1
	case d < 0:
		return -1
	case d == 0:
		return 0
	}
	return math.NaN()
}
