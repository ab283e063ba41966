package diagnose

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/losses"
)

// targets are a dataset's raw targets: n rows of k values.
type targets struct {
	y    []float64
	n, k int
}

func (t targets) row(i int) []float64 { return t.y[i*t.k : (i+1)*t.k] }

// deref lets the loss checks accept a loss given by value or by pointer.
func deref(l losses.Loss) losses.Loss {
	switch p := l.(type) {
	case *losses.CrossEntropy:
		return *p
	case *losses.BCEWithLogits:
		return *p
	case *losses.BCE:
		return *p
	}
	return l
}

// chanceLoss returns the loss of all-zero logits — where a well-initialized
// classifier starts — for the losses that have one, with its formula:
// ln C for CrossEntropy over C = outputs classes (−log of the uniform
// 1/C); ln 2·mean(1 + (w_j − 1)·y_ij) for BCEWithLogits (torch's
// per-element loss at z = 0, pos_weight w).
func chanceLoss(l losses.Loss, t targets, outputs int) (v float64, formula string, ok bool) {
	switch l := deref(l).(type) {
	case losses.CrossEntropy:
		if outputs < 2 {
			return 0, "", false
		}
		return math.Log(float64(outputs)), fmt.Sprintf("ln %d", outputs), true
	case losses.BCEWithLogits:
		if len(l.PosWeight) == 0 {
			return math.Ln2, "ln 2", true
		}
		s := 0.0
		for i := 0; i < t.n; i++ {
			for j, y := range t.row(i) {
				s += 1 + (l.PosWeight[j%len(l.PosWeight)]-1)*y
			}
		}
		return math.Ln2 * s / float64(t.n*t.k), "ln 2 weighted by pos_weight", true
	}
	return 0, "", false
}

// lossFloor returns the lowest loss a model can reach on these targets:
// 0 for hard targets, the targets' entropy for soft or smoothed ones
// (cross-entropy with label smoothing cannot go below it).
//
// For CrossEntropy with smoothing ε, class weights w and target t (one-hot
// for a label), torch's row loss −Σ_c a_c·q_c with a_c = w_c·((1−ε)·t_c +
// ε/C) is smallest at q_c = ln(a_c/Σa), where it is −Σ_c a_c·ln(a_c/Σa);
// the mean divides the sum by Σ_i w[y_i] for labels and by n for
// probabilities (losses.CrossEntropy's reduction). For BCE and
// BCEWithLogits an element with A = w·y, B = 1 − y has the minimum
// A·ln((A+B)/A) + B·ln((A+B)/B); the loss is their mean.
func lossFloor(l losses.Loss, t targets, outputs int) float64 {
	xlog := func(a, s float64) float64 {
		if a <= 0 {
			return 0
		}
		return a * math.Log(s/a)
	}
	switch l := deref(l).(type) {
	case losses.CrossEntropy:
		c := outputs
		if t.k != 1 && t.k != c {
			return 0 // the trainer refuses such targets
		}
		w := func(j int) float64 {
			if len(l.ClassWeights) == 0 {
				return 1
			}
			return l.ClassWeights[j]
		}
		eps := l.LabelSmoothing
		sum, norm := 0.0, 0.0
		a := make([]float64, c)
		for i := 0; i < t.n; i++ {
			r := t.row(i)
			if t.k == 1 && (r[0] < 0 || int(r[0]) >= c || len(l.ClassWeights) > 0 && len(l.ClassWeights) != c) {
				return 0 // the trainer refuses such targets
			}
			s := 0.0
			for j := range a {
				tc := 0.0
				if t.k == 1 {
					if int(r[0]) == j {
						tc = 1
					}
				} else {
					tc = r[j]
				}
				a[j] = w(j) * ((1-eps)*tc + eps/float64(c))
				s += a[j]
			}
			for _, v := range a {
				sum += xlog(v, s)
			}
			if t.k == 1 {
				norm += w(int(r[0]))
			} else {
				norm++
			}
		}
		if norm == 0 {
			return 0
		}
		return sum / norm
	case losses.BCEWithLogits, losses.BCE:
		var pw []float64
		if b, ok := l.(losses.BCEWithLogits); ok {
			pw = b.PosWeight
		}
		sum := 0.0
		for i := 0; i < t.n; i++ {
			for j, y := range t.row(i) {
				w := 1.0
				if len(pw) > 0 {
					w = pw[j%len(pw)]
				}
				A, B := w*y, 1-y
				sum += xlog(A, A+B) + xlog(B, A+B)
			}
		}
		return sum / float64(t.n*t.k)
	}
	return 0
}
