package validation

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/gradtune/gradtune/data"
)

// approximateMode returns how many of nDraws draws without replacement go to
// each class of a population with the given counts (nDraws ≤ Σcounts), as
// scikit-learn 1.2's sklearn.utils._approximate_mode: class i first gets
// ⌊counts[i]/Σcounts·nDraws⌋ (computed in that order in float64, as NumPy
// does), and the draws still missing go one each to the classes with the
// largest remainders; among classes with equal remainders, src picks at
// random (scikit-learn uses rng.choice, so a tie can be broken differently
// from it; without ties the result is the same).
func approximateMode(counts []int, nDraws int, src *rand.PCG) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	out := make([]int, len(counts))
	remainder := make([]float64, len(counts))
	need := nDraws
	for i, c := range counts {
		continuous := float64(c) / float64(total) * float64(nDraws)
		floored := math.Floor(continuous)
		out[i] = int(floored)
		remainder[i] = continuous - floored
		need -= out[i]
	}
	if need <= 0 {
		return out
	}
	// Distinct remainders, largest first; each tie group is served in full
	// while it fits, and by a random subset when it does not.
	values := make([]float64, 0, len(remainder))
	seen := make(map[float64]bool, len(remainder))
	for _, r := range remainder {
		if !seen[r] {
			seen[r] = true
			values = append(values, r)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(values)))
	for _, v := range values {
		var tied []int
		for i, r := range remainder {
			if r == v {
				tied = append(tied, i)
			}
		}
		add := min(len(tied), need)
		if add < len(tied) {
			data.Shuffle(tied, src)
		}
		for _, i := range tied[:add] {
			out[i]++
		}
		need -= add
		if need == 0 {
			break
		}
	}
	return out
}
