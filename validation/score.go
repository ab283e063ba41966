package validation

import (
	"fmt"
	"math"
)

// Score summarizes the per-fold scores of a cross-validation.
type Score struct {
	// Mean is ΣPerFold / k.
	Mean float64
	// Std is the population standard deviation √(Σ(PerFold − Mean)² / k),
	// as NumPy's scores.std() that scikit-learn users report after
	// cross_val_score (ddof = 0; the sample version divides by k − 1 and is
	// larger by √(k/(k−1))).
	Std float64
	// PerFold holds the score of each fold, in fold order.
	PerFold []float64
}

// newScore computes Mean and Std of perFold (which it keeps).
func newScore(perFold []float64) Score {
	k := float64(len(perFold))
	sum := 0.0
	for _, v := range perFold {
		sum += v
	}
	mean := sum / k
	ss := 0.0
	for _, v := range perFold {
		ss += (v - mean) * (v - mean)
	}
	return Score{Mean: mean, Std: math.Sqrt(ss / k), PerFold: perFold}
}

// String returns "mean ± std (k folds)" with four decimals, e.g.
// "0.9533 ± 0.0210 (5 folds)".
func (s Score) String() string {
	folds := "folds"
	if len(s.PerFold) == 1 {
		folds = "fold"
	}
	return fmt.Sprintf("%.4f ± %.4f (%d %s)", s.Mean, s.Std, len(s.PerFold), folds)
}
