package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/rowmajor"
)

// CrossEntropy is softmax cross-entropy on logits,
// torch.nn.functional.cross_entropy(logits, target, weight=ClassWeights,
// label_smoothing=LabelSmoothing), for class-index or class-probability
// targets.
//
// With C classes, log-probabilities q = log_softmax(logits), smoothing ε, class
// weights w (all 1 if nil) and the target distribution t of row i (one-hot for
// a label y_i), smoothed to t' = (1 − ε)·t + ε/C, torch's reduction="none" is
//
//	labels:        none_i = (1 − ε)·w[y_i]·(−q[y_i]) + (ε/C)·Σ_c w_c·(−q_c)
//	probabilities: none_i = −Σ_c w_c·t'_c·q_c
//
// and torch's mean divides Σ_i none_i by Σ_i w[y_i] for labels but by the
// batch size for probabilities (torch 1.13 cross_entropy_loss_prob_target).
// Hence the SampleWeights c_i = w[y_i] for label rows and 1 for probability
// rows, and PerSample ℓ_i = none_i / c_i: −q[y_i] for a label without
// smoothing. Without ClassWeights both kinds of target agree and c ≡ 1.
//
// Its log_softmax is torch's (our own op: Gorgonia's LogSoftMax mixes up the
// rows' maxima), which subtracts each row's max, so it is finite for any
// finite logits: logits [1000, 0] give 1000 for label 1 and 0 for label 0, in
// any batch.
//
// Shapes: logits (batch, C). Raw targets (n, 1) hold integer labels in [0, C)
// and are encoded one-hot; raw targets (n, C) are class probabilities in
// [0, 1] and pass through. Without ClassWeights the encoded target is
// (batch, C); with ClassWeights it is (batch, C + 1), its last column 1 for a
// row encoded from a label and 0 for a row of probabilities (the two differ
// in torch's mean). PerSample accepts any such targets built by hand.
//
// Differences from PyTorch: no ignore_index; LabelSmoothing 1 is refused
// (torch accepts it); and with LabelSmoothing > 0 a zero class weight cannot be
// a label's class (torch's none_i is then non-zero with c_i = 0, which no
// per-sample weighting can express), an error from EncodeTargets.
type CrossEntropy struct {
	// LabelSmoothing ε in [0, 1): torch's label_smoothing. 0: none.
	LabelSmoothing float64
	// ClassWeights are torch's weight=: one finite weight ≥ 0 per class.
	// nil: all 1.
	ClassWeights []float64
}

func (CrossEntropy) String() string { return "cross_entropy" }

// Validate returns an error wrapping ErrConfig for a LabelSmoothing outside
// [0, 1) or a class weight that is not a finite value ≥ 0.
func (l CrossEntropy) Validate() error {
	if e := l.LabelSmoothing; !(e >= 0 && e < 1) {
		return fmt.Errorf("%w: %s: LabelSmoothing = %v, want a value in [0, 1)", ErrConfig, l, e)
	}
	return checkClassWeights(l.String(), l.ClassWeights)
}

// validateFor also checks ClassWeights' length against the classes.
func (l CrossEntropy) validateFor(classes int) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return checkClassCount(l.String(), l.ClassWeights, classes)
}

// TargetWidth implements Loss: classes, plus the label flag column when
// ClassWeights are set.
func (l CrossEntropy) TargetWidth(outputs int) int {
	if len(l.ClassWeights) > 0 {
		return outputs + 1
	}
	return outputs
}

// EncodeTargets implements Loss: one-hot encodes labels (one column) or passes
// probabilities through (outputs columns), adding the flag column with
// ClassWeights. A label that is not an integer in [0, outputs), or a
// probability outside [0, 1], is an error naming its row.
func (l CrossEntropy) EncodeTargets(y rowmajor.Matrix, outputs int) (rowmajor.Matrix, error) {
	name := l.String()
	if err := l.validateFor(outputs); err != nil {
		return rowmajor.Matrix{}, err
	}
	if outputs < 2 {
		return rowmajor.Matrix{}, fmt.Errorf("%w: %s: the model has %d output, want ≥ 2 classes", ErrTarget, name, outputs)
	}
	if err := checkRaw(name, y); err != nil {
		return rowmajor.Matrix{}, err
	}
	width, flag := l.TargetWidth(outputs), len(l.ClassWeights) > 0
	enc := rowmajor.Matrix{Rows: y.Rows, Cols: width}
	switch y.Cols {
	case 1:
		if l.LabelSmoothing > 0 {
			for c, w := range l.ClassWeights {
				if w == 0 {
					return rowmajor.Matrix{}, fmt.Errorf("%w: %s: ClassWeights[%d] = 0 with LabelSmoothing = %v and class-label targets, want every class weight > 0 (torch's per-sample loss of such a label has no per-sample weighting)", ErrConfig, name, c, l.LabelSmoothing)
				}
			}
		}
		enc.Data = make([]float64, y.Rows*width)
		err := labels(name, y, outputs, func(i, label int) {
			enc.Data[i*width+label] = 1
			if flag {
				enc.Data[i*width+outputs] = 1
			}
		})
		if err != nil {
			return rowmajor.Matrix{}, err
		}
		return enc, nil
	case outputs:
		probs, err := probTargets(name, y, outputs)
		if err != nil || !flag {
			return probs, err
		}
		enc.Data = make([]float64, y.Rows*width)
		for i := range y.Rows {
			copy(enc.Row(i), probs.Row(i))
		}
		return enc, nil
	}
	return rowmajor.Matrix{}, fmt.Errorf("%w: %s: targets have %d columns, want 1 (class labels) or %d (class probabilities)", ErrTarget, name, y.Cols, outputs)
}

// PerSample implements Loss: ℓ as in the type's documentation.
func (l CrossEntropy) PerSample(logits, target *G.Node) (*G.Node, error) {
	name := l.String()
	if err := checkPair(name, logits, target, l.TargetWidth); err != nil {
		return nil, err
	}
	classes := logits.Shape()[1]
	if err := l.validateFor(classes); err != nil {
		return nil, err
	}
	var out *G.Node
	err := gerr.Do("losses: "+name, func() error {
		q, err := logSoftmax(logits)
		if err != nil {
			return err
		}
		t, flag, err := splitFlag(target, classes, len(l.ClassWeights) > 0)
		if err != nil {
			return err
		}
		// hard: −Σ_c t_c·q_c, the label rows' term (and all rows' without weights).
		tq, err := G.HadamardProd(q, t)
		if err != nil {
			return err
		}
		hard, err := negSum(tq)
		if err != nil {
			return err
		}
		ce, ws := hard, (*G.Node)(nil)
		if flag != nil {
			// soft: −Σ_c w_c·t_c·q_c for probability rows; flag picks per row.
			if ws, err = constVec(logits, fmt.Sprintf("class_weights%v", l.ClassWeights), l.ClassWeights); err != nil {
				return err
			}
			soft, err := negMatVec(tq, ws)
			if err != nil {
				return err
			}
			if ce, err = pick(flag, hard, soft); err != nil {
				return err
			}
		}
		if l.LabelSmoothing == 0 {
			out = ce
			return nil
		}
		out, err = smooth(l.LabelSmoothing, classes, ce, q, t, flag, ws)
		return err
	})
	return out, err
}

// SampleWeights implements SampleWeighter: c_i = w[y_i] for a label row and
// 1 for a probability row; all 1 without ClassWeights.
func (l CrossEntropy) SampleWeights(target *G.Node) (*G.Node, error) {
	return labelWeights(l.String(), l.ClassWeights, target, true)
}

// smooth returns (1 − ε)·ce + (ε/C)·r ⊙ u with u = −Σ_c w_c·q_c and r = 1/c:
// for label rows torch's smoothing term is divided by c_i = w[y_i] like the
// rest, for probability rows c_i = 1.
func smooth(eps float64, classes int, ce, q, t, flag, ws *G.Node) (*G.Node, error) {
	var u *G.Node
	var err error
	if ws == nil {
		u, err = negSum(q)
	} else {
		u, err = negMatVec(q, ws)
	}
	if err != nil {
		return nil, err
	}
	if flag != nil {
		c, err := sampleWeights(t, flag, ws)
		if err != nil {
			return nil, err
		}
		if u, err = G.HadamardDiv(u, c); err != nil {
			return nil, err
		}
	}
	a, err := G.Mul(ce, constScalar(ce, 1-eps))
	if err != nil {
		return nil, err
	}
	b, err := G.Mul(u, constScalar(u, eps/float64(classes)))
	if err != nil {
		return nil, err
	}
	return G.Add(a, b)
}

// checkClassWeights accepts nil or finite weights ≥ 0.
func checkClassWeights(name string, ws []float64) error {
	for c, w := range ws {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("%w: %s: ClassWeights[%d] = %v, want a finite value ≥ 0", ErrConfig, name, c, w)
		}
	}
	return nil
}

// checkClassCount accepts nil or one weight per class.
func checkClassCount(name string, ws []float64, classes int) error {
	if n := len(ws); n != 0 && n != classes {
		return fmt.Errorf("%w: %s: ClassWeights has %d entries, want one per class (%d) or none", ErrConfig, name, n, classes)
	}
	return nil
}
