package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/rowmajor"
)

// Huber is torch.nn.HuberLoss with delta δ = Delta (0 means the default 1):
// per element, with x = pred − y,
//
//	0.5·x²          if |x| < δ
//	δ·(|x| − 0.5·δ) otherwise
//
// and per sample the mean over outputs (Huber, "Robust Estimation of a
// Location Parameter", 1964). pred and targets: (batch, outputs);
// raw targets (n, outputs) real values. The gradient is torch's: x inside
// (−δ, δ), ±δ outside. Reductions as for MAE. Huber with δ equals
// δ·SmoothL1{Beta: δ}.
type Huber struct {
	// Delta δ > 0, the switch from quadratic to linear; 0 means 1.
	Delta float64
}

func (Huber) String() string { return "huber" }

// Validate returns an error wrapping ErrConfig for a Delta that is not a
// finite value ≥ 0 (0 meaning 1).
func (h Huber) Validate() error { return checkKnee("huber", "Delta", h.Delta) }

func (h Huber) delta() float64 { return orOne(h.Delta) }

// TargetWidth implements Loss.
func (Huber) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs columns.
func (h Huber) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	if err := h.Validate(); err != nil {
		return rowmajor.Matrix{}, err
	}
	return realTargets(h.String(), y, outputs)
}

// PerSample implements Loss.
func (h Huber) PerSample(pred, target *G.Node) (*G.Node, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return perSamplePoint(h.String(), huberFn{h.delta()}, pred, target)
}

// SampleWeights implements SampleWeighter: outputs for every row.
func (Huber) SampleWeights(target *G.Node) (*G.Node, error) { return outputsWeights(target) }

// huberFn follows torch 1.13's huber_kernel and huber_backward kernels.
type huberFn struct{ delta float64 }

func (h huberFn) String() string    { return fmt.Sprintf("huber(delta=%v)", h.delta) }
func (huberFn) check(float64) error { return nil }

func (h huberFn) f(p, y float64, _ int) float64 {
	z := math.Abs(p - y)
	if z < h.delta {
		return 0.5 * z * z
	}
	return h.delta * (z - 0.5*h.delta)
}

func (h huberFn) df(p, y float64, _ int) float64 {
	switch x := p - y; {
	case x <= -h.delta:
		return -h.delta
	case x >= h.delta:
		return h.delta
	default:
		return x
	}
}

// checkKnee accepts a finite v ≥ 0 (0 standing for the default 1).
func checkKnee(name, field string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s: %s = %v, want a finite value > 0 (or 0 for the default 1)", ErrConfig, name, field, v)
	}
	return nil
}

func orOne(v float64) float64 {
	if v == 0 {
		return 1
	}
	return v
}
