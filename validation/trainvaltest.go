package validation

import (
	"fmt"
	"math/rand/v2"

	"github.com/gradtune/gradtune/data"
)

// trainValTestStream is the PCG stream of TrainValTestSplit.
const trainValTestStream = 0x7476747331 // "tvts1"

// TrainValTestSplit splits d into training, validation and test parts, as two
// successive scikit-learn train_test_split calls: first test, then val out of
// what is left.
//
// Sizes: test holds ⌈testFrac·n⌉ rows and val ⌈valFrac·n⌉ rows (valFrac is a
// fraction of the whole d, not of what test leaves), train the rest. This is
// scikit-learn's rounding (ceil for the held-out part). A fraction of 0 gives
// a nil part. For a two-way split, see data.Dataset.Split or
// [StratifiedSplit].
//
// With stratify, d's labels (column 0 of Y, see Dataset.Labels) are split
// class by class as [StratifiedSplit] describes, first test out of all rows,
// then val out of the rest; the per-class counts equal those of
// train_test_split(stratify=y, test_size=testFrac) followed by
// train_test_split(stratify=y_rest, test_size=⌈valFrac·n⌉) when scikit-learn's
// remainders have no ties. Without it, one permutation of the rows is cut
// into test, val and train. Either way the permutation comes from
// rand.NewPCG(seed, trainValTestStream) through data.Shuffle, and each part
// holds copies of its rows in shuffled order.
//
// Errors: a nil or empty d wraps ErrData; valFrac or testFrac outside [0, 1)
// (NaN included), or fractions that leave no training row, wrap ErrConfig and
// name them; with stratify, labels that are not class indices wrap ErrData
// (and data.ErrLabel), and the conditions of [StratifiedSplit] (a class with
// one member, a part smaller than the number of classes) apply to each step.
func TrainValTestSplit(d *data.Dataset, valFrac, testFrac float64, stratify bool, seed uint64) (train, val, test *data.Dataset, err error) {
	n := d.Len()
	if n == 0 {
		return nil, nil, nil, fmt.Errorf("%w: TrainValTestSplit of an empty Dataset", ErrData)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"valFrac", valFrac}, {"testFrac", testFrac}} {
		if !(f.v >= 0 && f.v < 1) {
			return nil, nil, nil, fmt.Errorf("%w: %s = %v, want 0 ≤ %s < 1", ErrConfig, f.name, f.v, f.name)
		}
	}
	nVal, nTest := heldCount(valFrac, n), heldCount(testFrac, n)
	if nVal+nTest >= n {
		return nil, nil, nil, fmt.Errorf("%w: valFrac = %v and testFrac = %v of n = %d rows hold out %d + %d rows, leaving no training row",
			ErrConfig, valFrac, testFrac, n, nVal, nTest)
	}
	src := rand.NewPCG(seed, trainValTestStream)
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	var trainIdx, valIdx, testIdx []int
	if !stratify || nVal+nTest == 0 {
		data.Shuffle(rows, src)
		testIdx, valIdx, trainIdx = rows[:nTest], rows[nTest:nTest+nVal], rows[nTest+nVal:]
	} else {
		labels, err := d.Labels()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: stratify: %w", ErrData, err)
		}
		rest := rows
		if nTest > 0 {
			if rest, testIdx, err = stratifiedSplitRows(rows, labels, nTest, "testFrac", testFrac, src); err != nil {
				return nil, nil, nil, err
			}
		}
		trainIdx = rest
		if nVal > 0 {
			restLabels := make([]int, len(rest))
			for p, i := range rest {
				restLabels[p] = labels[i]
			}
			if trainIdx, valIdx, err = stratifiedSplitRows(rest, restLabels, nVal, "valFrac", valFrac, src); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	if train, err = subsetOrNil(d, trainIdx); err != nil {
		return nil, nil, nil, err
	}
	if val, err = subsetOrNil(d, valIdx); err != nil {
		return nil, nil, nil, err
	}
	if test, err = subsetOrNil(d, testIdx); err != nil {
		return nil, nil, nil, err
	}
	return train, val, test, nil
}

// subsetOrNil returns d.Subset(idx), or nil for no rows.
func subsetOrNil(d *data.Dataset, idx []int) (*data.Dataset, error) {
	if len(idx) == 0 {
		return nil, nil
	}
	s, err := d.Subset(idx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	return s, nil
}
