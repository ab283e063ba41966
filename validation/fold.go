package validation

// Fold is one cross-validation split: the rows to train on and the rows to
// validate on, as indices into the dataset, each sorted in ascending order.
// Train and Val are disjoint; over the folds of one split, every row is in
// exactly one Val.
type Fold struct {
	Train, Val []int
}

// defaultK is the number of folds when K is 0, as scikit-learn's n_splits=5.
const defaultK = 5

// foldsFromAssignment turns a per-row fold number (valFold[i] in [0, k): the
// fold in which row i is validated) into k folds with sorted indices, as
// scikit-learn's _iter_test_masks does.
func foldsFromAssignment(valFold []int, k int) []Fold {
	sizes := make([]int, k)
	for _, f := range valFold {
		sizes[f]++
	}
	folds := make([]Fold, k)
	for f := range folds {
		folds[f] = Fold{
			Train: make([]int, 0, len(valFold)-sizes[f]),
			Val:   make([]int, 0, sizes[f]),
		}
	}
	for i, vf := range valFold {
		for f := range folds {
			if f == vf {
				folds[f].Val = append(folds[f].Val, i)
			} else {
				folds[f].Train = append(folds[f].Train, i)
			}
		}
	}
	return folds
}
