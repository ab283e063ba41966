package validation

import (
	"fmt"
	"math/rand/v2"

	"github.com/gradtune/gradtune/data"
)

// kfoldStream is the PCG stream of KFold's shuffle: an arbitrary odd
// constant, fixed so that a seed always gives the same folds.
const kfoldStream = 0x6b666f6c64_5f7631 // "kfold_v1"

// KFold splits n rows into K folds, as sklearn.model_selection.KFold: fold f
// validates on a block of n/K rows (the first n%K folds get one more) and
// trains on the others. Without Shuffle the blocks are contiguous, in row
// order, and the folds equal scikit-learn's exactly. With Shuffle the rows are
// permuted first by data.Shuffle driven by rand.NewPCG(Seed, kfoldStream):
// the fold sizes are scikit-learn's, the members are not (NumPy's generator
// differs). The zero value is 5 unshuffled folds.
type KFold struct {
	// K is the number of folds, ≥ 2; 0 means 5.
	K int
	// Shuffle permutes the rows before cutting the blocks.
	Shuffle bool
	// Seed drives the shuffle; it is ignored without Shuffle (scikit-learn
	// rejects a random_state there; we do not).
	Seed uint64
}

// MaxSplitIndices is the most indices KFold.Split returns in all: every
// row is in each of the K folds, as training or validation row, so K·n
// indices. 2^31 − 1 of them take 16 GiB; a larger request is an error wrapping
// ErrConfig before anything is allocated, where it would otherwise abort
// the process with "out of memory".
const MaxSplitIndices = 1<<31 - 1 // the largest int on 32-bit machines too

// Split returns the K folds of n rows, with sorted indices.
//
// Errors (ErrConfig): K < 0 or K = 1, K > n (every fold needs a row), or
// K·n > MaxSplitIndices.
func (kf KFold) Split(n int) ([]Fold, error) {
	k, err := foldCount(kf.K)
	if err != nil {
		return nil, err
	}
	if n < k {
		return nil, fmt.Errorf("%w: K = %d folds of n = %d rows, want K ≤ n", ErrConfig, k, n)
	}
	if n > MaxSplitIndices/k {
		return nil, fmt.Errorf("%w: K = %d folds of n = %d rows hold more than MaxSplitIndices = %d indices", ErrConfig, k, n, MaxSplitIndices)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if kf.Shuffle {
		data.Shuffle(order, rand.NewPCG(kf.Seed, kfoldStream))
	}
	valFold := make([]int, n)
	start := 0
	for f := range k {
		size := n / k
		if f < n%k {
			size++
		}
		for _, i := range order[start : start+size] {
			valFold[i] = f
		}
		start += size
	}
	return foldsFromAssignment(valFold, k), nil
}

// foldCount resolves K (0 means 5) and checks K ≥ 2.
func foldCount(k int) (int, error) {
	if k == 0 {
		return defaultK, nil
	}
	if k < 2 {
		return 0, fmt.Errorf("%w: K = %d, want ≥ 2 (0 means %d)", ErrConfig, k, defaultK)
	}
	return k, nil
}
