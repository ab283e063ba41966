package validation

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/gradtune/gradtune/data"
)

// stratifiedKFoldStream is the PCG stream of StratifiedKFold's shuffle.
const stratifiedKFoldStream = 0x73746b666f6c6431 // "stkfold1"

// StratifiedKFold splits rows into K folds that keep each class's share, as
// sklearn.model_selection.StratifiedKFold in scikit-learn 1.2
// (_make_test_folds):
//
//  1. classes are numbered in order of first appearance in labels;
//  2. the numbered labels are sorted and dealt round-robin to the folds:
//     position p of the sorted list goes to fold p mod K, which fixes how many
//     members of each class every fold validates on (the allocation);
//  3. each class's members, in row order, fill its folds in order: the first
//     allocation[0] members go to fold 0, the next to fold 1, and so on.
//
// Without Shuffle the folds equal scikit-learn's exactly. With Shuffle step 3
// assigns each class's members to its folds in a random order (data.Shuffle
// driven by rand.NewPCG(Seed, stratifiedKFoldStream), one generator over the
// classes in order of appearance): the per-fold class counts are still
// scikit-learn's, since the allocation does not depend on the generator; the
// members are not. The zero value is 5 unshuffled folds.
type StratifiedKFold struct {
	// K is the number of folds, ≥ 2; 0 means 5.
	K int
	// Shuffle assigns each class's members to its folds at random.
	Shuffle bool
	// Seed drives the shuffle; ignored without Shuffle.
	Seed uint64
}

// Split returns the K folds of the rows whose classes are labels (any int
// values: a class is identified by its value), with sorted indices.
//
// warnings is nil unless some class has fewer than K members, so that some
// folds validate on none of it (scikit-learn warns "The least populated class
// in y has only m members, which is less than n_splits=K"): then it holds one
// line per such class, naming it and its count, in ascending class order. The
// folds are still returned; a score on such a fold does not cover that class.
//
// Errors: K < 0 or K = 1, or K > len(labels), wrap ErrConfig; every class
// having fewer than K members (scikit-learn's ValueError "n_splits=K cannot be
// greater than the number of members in each class") wraps ErrData and names
// the largest class and its count.
func (s StratifiedKFold) Split(labels []int) (folds []Fold, warnings []string, err error) {
	k, err := foldCount(s.K)
	if err != nil {
		return nil, nil, err
	}
	n := len(labels)
	if n < k {
		return nil, nil, fmt.Errorf("%w: K = %d folds of %d labels, want K ≤ len(labels)", ErrConfig, k, n)
	}
	encoded, values := encodeByAppearance(labels)
	counts := make([]int, len(values))
	for _, c := range encoded {
		counts[c]++
	}
	largest := 0
	for c := range counts {
		if counts[c] > counts[largest] {
			largest = c
		}
	}
	if counts[largest] < k {
		return nil, nil, fmt.Errorf("%w: K = %d is greater than the number of members of every class "+
			"(the largest class, %d, has %s)", ErrData, k, values[largest], pluralMembers(counts[largest]))
	}
	warnings = stratifiedKFoldWarnings(values, counts, k)

	alloc := stratifiedKFoldAllocation(counts, k)
	var src *rand.PCG
	if s.Shuffle {
		src = rand.NewPCG(s.Seed, stratifiedKFoldStream)
	}
	members := make([][]int, len(values)) // rows of each class, in row order
	for i, c := range encoded {
		members[c] = append(members[c], i)
	}
	valFold := make([]int, n)
	for c, rows := range members {
		foldsForClass := make([]int, 0, len(rows))
		for f := range k {
			for range alloc[f][c] {
				foldsForClass = append(foldsForClass, f)
			}
		}
		if src != nil {
			data.Shuffle(foldsForClass, src)
		}
		for j, i := range rows {
			valFold[i] = foldsForClass[j]
		}
	}
	return foldsFromAssignment(valFold, k), warnings, nil
}

// encodeByAppearance numbers the classes of labels in order of first
// appearance (as scikit-learn's y_encoded): encoded[i] is row i's class
// number and values[c] the label of class number c.
func encodeByAppearance(labels []int) (encoded, values []int) {
	number := make(map[int]int)
	encoded = make([]int, len(labels))
	for i, l := range labels {
		c, ok := number[l]
		if !ok {
			c = len(values)
			number[l] = c
			values = append(values, l)
		}
		encoded[i] = c
	}
	return encoded, values
}

// stratifiedKFoldAllocation returns alloc[f][c], the number of members of
// class c that fold f validates on: the classes' members sorted by class
// number and dealt round-robin to the k folds.
func stratifiedKFoldAllocation(counts []int, k int) [][]int {
	alloc := make([][]int, k)
	for f := range alloc {
		alloc[f] = make([]int, len(counts))
	}
	p := 0
	for c, m := range counts {
		for range m {
			alloc[p%k][c]++
			p++
		}
	}
	return alloc
}

// stratifiedKFoldWarnings names each class with fewer than k members, in
// ascending class order.
func stratifiedKFoldWarnings(values, counts []int, k int) []string {
	var small []int
	for c, m := range counts {
		if m < k {
			small = append(small, c)
		}
	}
	sort.Slice(small, func(a, b int) bool { return values[small[a]] < values[small[b]] })
	var out []string
	for _, c := range small {
		out = append(out, fmt.Sprintf("class %d has only %s, fewer than K = %d: %d folds validate on none of it",
			values[c], pluralMembers(counts[c]), k, k-counts[c]))
	}
	return out
}

// pluralMembers returns "1 member" or "m members".
func pluralMembers(m int) string {
	if m == 1 {
		return "1 member"
	}
	return fmt.Sprintf("%d members", m)
}
