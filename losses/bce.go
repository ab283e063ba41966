package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/rowmajor"
)

// BCE is binary cross-entropy on probabilities, torch.nn.BCELoss: per
// element, with p = pred and y = target,
//
//	−(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100))
//
// and per sample the mean over outputs. pred: (batch, outputs) probabilities
// in [0, 1] (e.g. after Sigmoid); targets (batch, outputs) in [0, 1]; raw
// targets (n, outputs). Reductions as for MAE.
//
// Like torch it clamps each log at −100, so it is finite at p = 0 and 1:
// BCE(p=0, y=1) = 100, BCE(p=1, y=1) = 0. Its gradient is torch's
// binary_cross_entropy_backward, (p − y) / max(p·(1 − p), ε) with ε =
// float32(1e-12) (torch's EPSILON, a float): −1.000000004e12 at p = 0, y = 1,
// 0 at p = y. This is not the derivative of the clamped value, and Gorgonia's
// BinaryXent (NaN/Inf at 0 and 1) is not used. A prediction outside [0, 1]
// (or NaN) makes the graph run fail with an error wrapping ErrPrediction, as
// torch raises. For logits use BCEWithLogits, which is exact for any logit.
// Difference from PyTorch: EncodeTargets refuses targets outside [0, 1],
// which torch would use in the formula.
type BCE struct{}

func (BCE) String() string { return "bce" }

// TargetWidth implements Loss.
func (BCE) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs columns
// and each target must lie in [0, 1].
func (l BCE) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	return probTargets(l.String(), y, outputs)
}

// PerSample implements Loss.
func (l BCE) PerSample(pred, target *G.Node) (*G.Node, error) {
	return perSamplePoint(l.String(), bceFn{}, pred, target)
}

// SampleWeights implements SampleWeighter: outputs for every row.
func (BCE) SampleWeights(target *G.Node) (*G.Node, error) { return outputsWeights(target) }

// bceEpsilon is torch's EPSILON in Loss.cpp: the float 1e-12, widened.
var bceEpsilon = float64(float32(1e-12))

// bceFn follows torch 1.13's binary_cross_entropy CPU kernels. Torch takes
// log(1 − p), not log1p(−p): BCE(p=1e-20, y=0) is 0 there, and here.
type bceFn struct{}

func (bceFn) String() string { return "bce" }

func (bceFn) check(p float64) error {
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("%w: bce: pred = %v, want a probability in [0, 1] (apply Sigmoid, or use BCEWithLogits on logits)", ErrPrediction, p)
	}
	return nil
}

func (bceFn) f(p, y float64, _ int) float64 {
	return (y-1)*math.Max(math.Log(1-p), -100) - y*math.Max(math.Log(p), -100)
}

func (bceFn) df(p, y float64, _ int) float64 {
	return (p - y) / math.Max((1-p)*p, bceEpsilon)
}
