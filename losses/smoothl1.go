package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/rowmajor"
)

// SmoothL1 is torch.nn.SmoothL1Loss with beta β = Beta (0 means the default
// 1): per element, with x = pred − y,
//
//	0.5·x²/β    if |x| < β
//	|x| − 0.5·β otherwise
//
// and per sample the mean over outputs (Girshick, Fast R-CNN, 2015). pred and
// targets: (batch, outputs); raw targets (n, outputs) real values. The
// gradient is torch's: x/β inside (−β, β), ±1 outside. Reductions as for MAE.
//
// Difference from PyTorch: torch's beta=0 is the L1 loss (torch then calls
// l1_loss). Here Beta 0 means the default β = 1, as every zero setting in
// gradtune means the default; for torch's beta=0 use MAE, which is the very
// loss torch computes then.
type SmoothL1 struct {
	// Beta β > 0, the switch from quadratic to linear; 0 means 1.
	Beta float64
}

func (SmoothL1) String() string { return "smooth_l1" }

// Validate returns an error wrapping ErrConfig for a Beta that is not a
// finite value ≥ 0 (0 meaning 1).
func (s SmoothL1) Validate() error { return checkKnee("smooth_l1", "Beta", s.Beta) }

// TargetWidth implements Loss.
func (SmoothL1) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs columns.
func (s SmoothL1) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	if err := s.Validate(); err != nil {
		return rowmajor.Matrix{}, err
	}
	return realTargets(s.String(), y, outputs)
}

// PerSample implements Loss.
func (s SmoothL1) PerSample(pred, target *G.Node) (*G.Node, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return perSamplePoint(s.String(), smoothL1Fn{orOne(s.Beta)}, pred, target)
}

// SampleWeights implements SampleWeighter: outputs for every row.
func (SmoothL1) SampleWeights(target *G.Node) (*G.Node, error) { return outputsWeights(target) }

// smoothL1Fn follows torch 1.13's smooth_l1_kernel and smooth_l1_backward.
type smoothL1Fn struct{ beta float64 }

func (s smoothL1Fn) String() string    { return fmt.Sprintf("smooth_l1(beta=%v)", s.beta) }
func (smoothL1Fn) check(float64) error { return nil }

func (s smoothL1Fn) f(p, y float64, _ int) float64 {
	z := math.Abs(p - y)
	if z < s.beta {
		return 0.5 * z * z / s.beta
	}
	return z - 0.5*s.beta
}

func (s smoothL1Fn) df(p, y float64, _ int) float64 {
	switch x := p - y; {
	case x <= -s.beta:
		return -1
	case x >= s.beta:
		return 1
	default:
		return x / s.beta
	}
}
