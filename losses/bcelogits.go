package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/rowmajor"
)

// BCEWithLogits is binary cross-entropy on logits, torch.nn.BCEWithLogitsLoss
// (F.binary_cross_entropy_with_logits): per element, with z = pred, y =
// target, m = max(−z, 0) and L = 1 + (w − 1)·y for the column's PosWeight w,
//
//	(1 − y)·z + L·(m + log(1 + exp(−|z|)))
//
// which for w = 1 is max(z, 0) − z·y + log(1 + exp(−|z|)); per sample the
// mean over outputs. It is finite for any finite logit: at z = ±1000 the
// exponent is −1000. pred: (batch, outputs) logits; targets (batch, outputs)
// in [0, 1]; raw targets (n, outputs). Reductions as for MAE.
//
// The value is computed as torch 1.13 computes it, log(1 + e) and not
// log1p(e): torch (and so this loss) rounds 1 + e^{−|z|}, an absolute error
// below 2.3e-16·L per element, which is all there is of a well-classified
// element's loss for |z| ≳ 37 (torch gives 0 for z = 100, y = 1). The
// gradient is torch's binary_cross_entropy_with_logits_backward:
// (L·σ(z) − w·y), σ(z) − y for w = 1; at z = 0 that is 0.5 − y, where
// Gorgonia's autodiff of the max/abs form gives 1 − y. Difference from
// PyTorch: EncodeTargets refuses targets outside [0, 1]; no weight= (per
// element) argument.
type BCEWithLogits struct {
	// PosWeight is torch's pos_weight: one weight ≥ 0 per output for the
	// positive term, broadcast over the batch. nil means all 1.
	PosWeight []float64
}

func (BCEWithLogits) String() string { return "bce_with_logits" }

// Validate returns an error wrapping ErrConfig for a PosWeight entry that is
// not a finite value ≥ 0.
func (l BCEWithLogits) Validate() error {
	for i, w := range l.PosWeight {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("%w: %s: PosWeight[%d] = %v, want a finite value ≥ 0", ErrConfig, l, i, w)
		}
	}
	return nil
}

// validateFor also checks PosWeight's length against the outputs.
func (l BCEWithLogits) validateFor(outputs int) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if n := len(l.PosWeight); n != 0 && n != outputs {
		return fmt.Errorf("%w: %s: PosWeight has %d entries, want one per output (%d) or none", ErrConfig, l, n, outputs)
	}
	return nil
}

// TargetWidth implements Loss.
func (BCEWithLogits) TargetWidth(outputs int) int { return outputs }

// EncodeTargets implements Loss: targets pass through; y must have outputs columns
// and each target must lie in [0, 1].
func (l BCEWithLogits) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	if err := l.validateFor(outputs); err != nil {
		return rowmajor.Matrix{}, err
	}
	return probTargets(l.String(), y, outputs)
}

// PerSample implements Loss.
func (l BCEWithLogits) PerSample(logits, target *G.Node) (*G.Node, error) {
	if logits == nil || target == nil {
		return nil, fmt.Errorf("%w: %s: logits or target is a nil node", ErrTarget, l)
	}
	if s := logits.Shape(); len(s) == 2 {
		if err := l.validateFor(s[1]); err != nil {
			return nil, err
		}
	}
	fn := bceLogitsFn{}
	if len(l.PosWeight) > 0 {
		fn.posWeight = append([]float64(nil), l.PosWeight...)
	}
	return perSamplePoint(l.String(), fn, logits, target)
}

// SampleWeights implements SampleWeighter: outputs for every row.
func (BCEWithLogits) SampleWeights(target *G.Node) (*G.Node, error) { return outputsWeights(target) }

// bceLogitsFn follows torch 1.13's binary_cross_entropy_with_logits and its
// backward, term by term.
type bceLogitsFn struct{ posWeight []float64 }

func (b bceLogitsFn) String() string {
	if b.posWeight == nil {
		return "bce_with_logits"
	}
	return fmt.Sprintf("bce_with_logits(pos_weight=%v)", b.posWeight)
}

func (bceLogitsFn) check(float64) error { return nil }

func (b bceLogitsFn) f(z, y float64, col int) float64 {
	m := math.Max(-z, 0)
	lg := math.Log(math.Exp(-m) + math.Exp(-z-m)) // log(1 + exp(−|z|))
	if b.posWeight == nil {
		return (1-y)*z + m + lg
	}
	return (1-y)*z + ((b.posWeight[col]-1)*y+1)*(lg+m)
}

func (b bceLogitsFn) df(z, y float64, col int) float64 {
	s := 1 / (1 + math.Exp(-z))
	if b.posWeight == nil {
		return s - y
	}
	t := b.posWeight[col] * y
	return (t+1-y)*s - t
}
