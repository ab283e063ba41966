package critic

import (
	"math"
	"sort"
)

// logChoose returns ln C(n, k).
func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// normalUpper returns P(U ≥ u) for U approximately normal with the given
// mean and variance, with a continuity correction of ½; 1 for no variance.
func normalUpper(u, mean, variance float64) float64 {
	if !(variance > 0) {
		return 1
	}
	z := (u - mean - 0.5) / math.Sqrt(variance)
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// rankSum returns the Mann–Whitney U of a against b (how many pairs have
// a's value larger, ties counting ½), its mean and its variance under the
// null hypothesis, with the tie correction; all 0 when a group is empty.
func rankSum(a, b []float64) (u, mean, variance float64) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return 0, 0, 0
	}
	type obs struct {
		v   float64
		inA bool
	}
	all := make([]obs, 0, n1+n2)
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	n := float64(n1 + n2)
	var rankSumA, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if all[k].inA {
				rankSumA += mid
			}
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	u = rankSumA - float64(n1)*float64(n1+1)/2
	mean = float64(n1) * float64(n2) / 2
	variance = float64(n1) * float64(n2) / 12 * (n + 1 - ties/(n*(n-1)))
	return u, mean, variance
}

// Blocks of consecutive trials (by number) for the tests that compare
// trials only within a block (stratifiedGreater, and the permutations of
// BadRegion), so that a sampler's drift is not taken for a parameter's
// effect. The sizes trade that protection for power, as measured on
// crafted studies of 40 and 100 trials run by TPE:
//   - choiceBlock, NeverWins: an objective of one float parameter made a
//     categorical parameter that does not matter "never win" in 1 of 40
//     studies of 100 trials with blocks of 10, in 4 with blocks of 20 and
//     in 6 without blocks.
//   - driftBlock, AtBound, UseLog and BadRegion: a parameter whose best
//     value lies below its range was found at the bound in 15 of 20
//     studies of 40 trials with blocks of 10, 18 with blocks of 20, 19
//     without, none of them blaming a parameter that does not matter; a
//     region above a bound that diverged, which TPE soon stops drawing (1
//     to 4 failures in 100 trials), was found in 7 of 40 studies of 100
//     trials with blocks of 20 and in 9 without, neither blaming another
//     parameter once the regions found are tested in turn (badRegions).
const (
	choiceBlock = 10
	driftBlock  = 20
)

// stratifiedGreater returns the one-sided p-value of the
// Wilcoxon–Mann–Whitney rank-sum test that the values v[i] of group a
// (inA[i]) tend to be larger than the others', comparing observations of
// the same block (block[i]) only: the sum of the blocks' U statistics,
// its mean and variance the sums of theirs (van Elteren's test with equal
// weights per pair), by the normal approximation with midranks for ties,
// the tie correction of the variance and a continuity correction of ½
// (Hollander & Wolfe, "Nonparametric Statistical Methods", 2nd ed., §4.1);
// 1 when no block has both groups or every value is tied. A sampler that
// drifts — TPE draws later trials from better regions of the other
// parameters — then cannot make a parameter look good by the company its
// values keep.
func stratifiedGreater(v []float64, inA []bool, block []int) float64 {
	type group struct{ a, b []float64 }
	var groups []group // by block, so that the sums run in one order
	for i, x := range v {
		for block[i] >= len(groups) {
			groups = append(groups, group{})
		}
		g := &groups[block[i]]
		if inA[i] {
			g.a = append(g.a, x)
		} else {
			g.b = append(g.b, x)
		}
	}
	var u, mean, variance float64
	for _, g := range groups {
		gu, gm, gv := rankSum(g.a, g.b)
		u, mean, variance = u+gu, mean+gm, variance+gv
	}
	return normalUpper(u, mean, variance)
}

// median returns the median of vs (the mean of the middle two for an even
// count); vs is not modified. NaN for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// mean returns the mean of vs; NaN for none.
func mean(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}
