package validation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/gradtune/gradtune/data"
)

// stratifiedSplitStream is the PCG stream of StratifiedSplit.
const stratifiedSplitStream = 0x7374737031 // "stsp1"

// StratifiedSplit splits the rows whose classes are labels into a training
// and a test part that keep each class's share, as scikit-learn 1.2's
// train_test_split(..., test_size=testFrac, stratify=labels) (which runs
// StratifiedShuffleSplit):
//
//   - sizes: nTest = ⌈testFrac·n⌉ and nTrain = n − nTest (n = len(labels));
//   - per class c, in ascending label order, the training part gets
//     ⌊count_c/n·nTrain⌋ members, plus one for each of the classes with the
//     largest remainders until it holds nTrain rows (scikit-learn's
//     utils._approximate_mode); the test part gets the same rule applied to
//     the members left, with nTest;
//   - each class's members are permuted and cut in that order, then train and
//     test are each permuted.
//
// The per-class counts equal scikit-learn's whenever its remainders have no
// ties; with ties both break them at random (ours with rand.NewPCG(seed,
// stratifiedSplitStream) through data.Shuffle, so the same seed gives the same
// split everywhere). The rows differ from scikit-learn's for any seed. train
// and test are row indices in shuffled order; together they hold every row
// once.
//
// Errors: testFrac outside (0, 1) (NaN included) or one that leaves no
// training row, and a part with fewer rows than there are classes, wrap
// ErrConfig; no labels, or a class with a single member (it cannot be in both
// parts), wrap ErrData and name the class.
func StratifiedSplit(labels []int, testFrac float64, seed uint64) (train, test []int, err error) {
	n := len(labels)
	if n == 0 {
		return nil, nil, fmt.Errorf("%w: StratifiedSplit of no labels", ErrData)
	}
	if !(testFrac > 0 && testFrac < 1) {
		return nil, nil, fmt.Errorf("%w: testFrac = %v, want 0 < testFrac < 1", ErrConfig, testFrac)
	}
	nTest := heldCount(testFrac, n)
	if nTest >= n {
		return nil, nil, fmt.Errorf("%w: testFrac = %v of n = %d rows leaves no training row", ErrConfig, testFrac, n)
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	src := rand.NewPCG(seed, stratifiedSplitStream)
	return stratifiedSplitRows(rows, labels, nTest, "testFrac", testFrac, src)
}

// heldCount is scikit-learn's size of a held-out part: ⌈frac·n⌉.
func heldCount(frac float64, n int) int {
	return int(math.Ceil(frac * float64(n)))
}

// stratifiedSplitRows splits rows (whose classes are labels, aligned with
// rows) into rest and held parts, held having nHeld rows, as StratifiedSplit
// describes. fracName and frac name the setting in errors.
func stratifiedSplitRows(rows, labels []int, nHeld int, fracName string, frac float64, src *rand.PCG) (rest, held []int, err error) {
	n := len(rows)
	nRest := n - nHeld
	byClass := make(map[int][]int) // label → positions in rows, ascending
	for p, l := range labels {
		byClass[l] = append(byClass[l], p)
	}
	classes := make([]int, 0, len(byClass))
	for l := range byClass {
		classes = append(classes, l)
	}
	sort.Ints(classes) // NumPy's np.unique order
	counts := make([]int, len(classes))
	for c, l := range classes {
		counts[c] = len(byClass[l])
		if counts[c] < 2 {
			return nil, nil, fmt.Errorf("%w: class %d has only 1 member; stratifying needs ≥ 2 per class",
				ErrData, l)
		}
	}
	if nRest < len(classes) {
		return nil, nil, fmt.Errorf("%w: %s = %v holds out %d of %d rows, leaving %d training rows, fewer than the %d classes",
			ErrConfig, fracName, frac, nHeld, n, nRest, len(classes))
	}
	if nHeld < len(classes) {
		return nil, nil, fmt.Errorf("%w: %s = %v holds out %d of %d rows, fewer than the %d classes",
			ErrConfig, fracName, frac, nHeld, n, len(classes))
	}
	restCounts := approximateMode(counts, nRest, src)
	left := make([]int, len(counts))
	for c := range counts {
		left[c] = counts[c] - restCounts[c]
	}
	heldCounts := approximateMode(left, nHeld, src)

	rest = make([]int, 0, nRest)
	held = make([]int, 0, nHeld)
	for c, l := range classes {
		members := append([]int(nil), byClass[l]...)
		if restCounts[c]+heldCounts[c] > len(members) {
			// Unreachable: each share is below its class count (see approximateMode).
			return nil, nil, fmt.Errorf("%w: class %d: %d + %d rows allotted of %d members",
				ErrData, l, restCounts[c], heldCounts[c], len(members))
		}
		data.Shuffle(members, src)
		for _, p := range members[:restCounts[c]] {
			rest = append(rest, rows[p])
		}
		for _, p := range members[restCounts[c] : restCounts[c]+heldCounts[c]] {
			held = append(held, rows[p])
		}
	}
	data.Shuffle(rest, src)
	data.Shuffle(held, src)
	return rest, held, nil
}
