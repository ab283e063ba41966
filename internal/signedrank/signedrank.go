// Package signedrank is the Wilcoxon signed-rank test as
// scipy.stats.wilcoxon(d, alternative=…, zero_method="zsplit") computes it
// with its defaults (method="auto", correction=False) in SciPy ≥ 1.13
// (scipy/stats/_wilcoxon.py), which is how Optuna's WilcoxonPruner calls it.
package signedrank

import (
	"math"
	"sort"
)

// Alternative is the one-sided alternative hypothesis about the
// differences d: Greater (d tends to be positive) or Less.
type Alternative int

const (
	Greater Alternative = iota // H1: the median of d is > 0
	Less                       // H1: the median of d is < 0
)

// Method says which null distribution gave the p-value, as SciPy's
// method="auto" chooses it.
type Method string

const (
	Exact       Method = "exact"       // n ≤ 50, no ties, no zeros: exact distribution of R+
	Permutation Method = "permutation" // n ≤ 13 with ties or zeros: all 2ⁿ sign flips
	Approx      Method = "approx"      // otherwise: normal approximation, tie-corrected, no continuity correction
)

// Test returns the one-sided p-value of the signed-rank statistic R+ of d
// (the sum of the ranks of |d| over positive d, plus half the ranks of the
// zeros: the "zsplit" rule) and the method used. Ranks are averaged over
// ties. d must be finite; an empty d gives NaN.
func Test(d []float64, alt Alternative) (float64, Method) {
	n := len(d)
	if n == 0 {
		return math.NaN(), ""
	}
	ranks, tieGroups := rankAbs(d)
	nZero := 0
	rPlus, rZero := 0.0, 0.0
	for i, x := range d {
		switch {
		case x > 0:
			rPlus += ranks[i]
		case x == 0:
			nZero++
			rZero += ranks[i]
		}
	}
	rPlus += rZero / 2
	hasTies := false
	for _, t := range tieGroups {
		hasTies = hasTies || t > 1
	}
	switch {
	case n <= 50 && !hasTies && nZero == 0:
		return exactP(n, rPlus, alt), Exact
	case n <= 13 && (hasTies || nZero > 0):
		return permutationP(d, ranks, rPlus, alt), Permutation
	}
	fn := float64(n)
	mean := fn * (fn + 1) / 4
	v := fn * (fn + 1) * (2*fn + 1)
	for _, t := range tieGroups {
		v -= (t*t*t - t) / 2
	}
	z := (rPlus - mean) / math.Sqrt(v/24)
	if alt == Greater {
		return 0.5 * math.Erfc(z/math.Sqrt2), Approx
	}
	return 0.5 * math.Erfc(-z/math.Sqrt2), Approx
}

// rankAbs returns the average ranks (1-based) of |d| and the sizes of the
// groups of equal |d| (scipy.stats.rankdata, method="average").
func rankAbs(d []float64) ([]float64, []float64) {
	idx := make([]int, len(d))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(d[idx[a]]) < math.Abs(d[idx[b]]) })
	ranks := make([]float64, len(d))
	var groups []float64
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && math.Abs(d[idx[j+1]]) == math.Abs(d[idx[i]]) {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		groups = append(groups, float64(j-i+1))
		i = j + 1
	}
	return ranks, groups
}

// exactP is SciPy's WilcoxonDistribution: the null pmf of R+ for n
// untied, non-zero differences (each sign ± with probability ½). Greater
// takes sf(⌊R+⌋), Less cdf(⌈R+⌉), each summed from the nearer tail as
// SciPy does.
func exactP(n int, rPlus float64, alt Alternative) float64 {
	pmf := nullPMF(n)
	mean := float64(n) * float64(n+1) / 4
	sum := func(lo, hi int) float64 { // pmf[lo..hi]
		s := 0.0
		for k := max(lo, 0); k <= hi && k < len(pmf); k++ {
			s += pmf[k]
		}
		return s
	}
	top := len(pmf) - 1
	if alt == Greater {
		k := int(math.Floor(rPlus))
		if float64(k) <= mean {
			return sum(k, top)
		}
		return 1 - sum(0, k-1)
	}
	k := int(math.Ceil(rPlus))
	if float64(k) <= mean {
		return sum(0, k)
	}
	return 1 - sum(k+1, top)
}

// nullPMF is scipy.stats._hypotests._get_wilcoxon_distr: the counts of
// sign patterns giving each R+ = 0 … n(n+1)/2, divided by 2ⁿ.
func nullPMF(n int) []float64 {
	c := []float64{1}
	for k := 1; k <= n; k++ {
		next := make([]float64, len(c)+k)
		for i, x := range c {
			next[i] += x
			next[i+k] += x
		}
		c = next
	}
	scale := math.Ldexp(1, -n)
	for i := range c {
		c[i] *= scale
	}
	return c
}

// permutationP is scipy.stats.permutation_test over all 2ⁿ sign flips of
// d (permutation_type="samples", exact since 2¹³ < 9999 resamples): the
// share of flips whose R+ is ≥ the observed (Greater) or ≤ it (Less),
// within SciPy's tolerance max(1e-14, 1e-14·|R+|). Flipping a zero leaves it
// a zero, so zeros keep their half ranks.
func permutationP(d, ranks []float64, obs float64, alt Alternative) float64 {
	base := 0.0
	var nonzero []float64
	for i, x := range d {
		if x == 0 {
			base += ranks[i] / 2
		} else {
			nonzero = append(nonzero, ranks[i])
		}
	}
	gamma := math.Max(1e-14, math.Abs(1e-14*obs))
	hits := 0
	// Zeros contribute base under either sign, so counting the flips of
	// the non-zero differences alone gives the same share.
	for mask := 0; mask < 1<<len(nonzero); mask++ {
		s := base
		for i, r := range nonzero {
			if mask&(1<<i) != 0 {
				s += r
			}
		}
		if alt == Greater && s >= obs-gamma || alt == Less && s <= obs+gamma {
			hits++
		}
	}
	return float64(hits) / float64(int(1)<<len(nonzero))
}
