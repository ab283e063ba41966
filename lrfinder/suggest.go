package lrfinder

import (
	"fmt"
	"math"
)

// The trust thresholds of the suggestion.
const (
	// MinDrop is the least relative fall of the smoothed loss, from the first
	// searched step to the smoothed minimum, that counts as a descent.
	MinDrop = 0.10
	// MinMonotone is the least ratio of net fall to total travel (Σ|Δ|) of
	// the smoothed loss on the descent: below it the curve is noise.
	MinMonotone = 0.5
)

// verdict names the outcome of analyze.
type verdict string

const (
	verdictOK          verdict = "ok"
	verdictFewPoints   verdict = "few_points"
	verdictNoDescent   verdict = "no_descent"
	verdictEdgeStart   verdict = "edge_start"
	verdictEdgeMin     verdict = "edge_min"
	verdictNotMonotone verdict = "not_monotone"
)

// analysis is what the suggestion read off a smoothed curve. Indices are
// 0-based steps.
type analysis struct {
	// lo is the first searched step (steps/10 are skipped, Lightning's
	// skip_begin = 10 of its 100 steps); hi is one past the last (the last
	// recorded step is skipped, Lightning's skip_end = 1).
	lo, hi int
	// minIndex is the smoothed minimum in [lo, hi); index the steepest point
	// of the descent [lo, minIndex] (−1 when not computed).
	minIndex, index int
	// drop is (S[lo] − S[min]) / S[lo]; monotone is (S[lo] − S[min]) /
	// Σ|S[k+1] − S[k]| over the descent; slope is the torch.gradient value at
	// index, per step.
	drop, monotone, slope float64
	verdict               verdict
}

// analyze finds the steepest descent of the smoothed loss, as PyTorch
// Lightning's LRFinder.suggestion — argmin of torch.gradient(smoothed) with
// unit spacing, which is the argmin w.r.t. log lr since the rates are evenly
// spaced in log — with one difference: the search stops at the smoothed
// minimum instead of running to the last step but one. Past the minimum a
// curve may fall again (a saturated or diverged run coming back down), and
// Lightning then suggests a rate from that fall, past the rates where the
// loss was lowest (the golden curve "falls_again_after_minimum" in
// testdata/torch/lrfinder.json). Only finite values are read: the curve is
// cut at its first NaN or ±Inf.
//
// Then it judges the descent (thresholds MinDrop, MinMonotone), in order:
// fewer than 3 searched points; a fall below MinDrop; the steepest point at
// the first searched step (the descent began below MinLR) or at the minimum
// itself (no safe point before divergence); a net fall below MinMonotone of
// the travel (noise).
func analyze(smoothed []float64, steps int) analysis {
	n := len(smoothed)
	for i, v := range smoothed {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			n = i
			break
		}
	}
	a := analysis{lo: steps / 10, hi: n - 1, minIndex: -1, index: -1}
	if a.hi-a.lo < 3 {
		a.verdict = verdictFewPoints
		return a
	}
	s := smoothed
	a.minIndex = a.lo
	for k := a.lo + 1; k < a.hi; k++ {
		if s[k] < s[a.minIndex] {
			a.minIndex = k
		}
	}
	if s[a.lo] > 0 {
		a.drop = (s[a.lo] - s[a.minIndex]) / s[a.lo]
	}
	if a.drop < MinDrop {
		a.verdict = verdictNoDescent
		return a
	}
	g := gradient(s[a.lo : a.minIndex+1])
	best := 0
	for k := range g {
		if g[k] < g[best] {
			best = k
		}
	}
	a.index, a.slope = a.lo+best, g[best]
	travel := 0.0
	for k := a.lo; k < a.minIndex; k++ {
		travel += math.Abs(s[k+1] - s[k])
	}
	a.monotone = (s[a.lo] - s[a.minIndex]) / travel // travel > 0: the curve fell
	switch {
	case a.index == a.lo:
		a.verdict = verdictEdgeStart
	case a.index == a.minIndex:
		a.verdict = verdictEdgeMin
	case a.monotone < MinMonotone:
		a.verdict = verdictNotMonotone
	default:
		a.verdict = verdictOK
	}
	return a
}

// gradient is torch.gradient with unit spacing and edge_order 1: central
// differences inside, one-sided at the ends. len(f) ≥ 2.
func gradient(f []float64) []float64 {
	n := len(f)
	g := make([]float64, n)
	g[0], g[n-1] = f[1]-f[0], f[n-1]-f[n-2]
	for k := 1; k < n-1; k++ {
		g[k] = (f[k+1] - f[k-1]) / 2
	}
	return g
}

// explain says, with numbers, why the analysis suggests its rate or none.
// lrs and smoothed are the recorded curve; steps is Config.Steps.
func (a analysis) explain(lrs, smoothed []float64, steps int) string {
	at := func(k int) string {
		return fmt.Sprintf("step %d (lr %.3g, smoothed loss %.4g)", k+1, lrs[k], smoothed[k])
	}
	switch a.verdict {
	case verdictFewPoints:
		return fmt.Sprintf("too few points: %d finite smoothed losses recorded; the first %d and the last are skipped and at least 3 must remain: the loss diverged almost at once, lower MinLR and MaxLR",
			a.hi+1, a.lo)
	case verdictNoDescent:
		return fmt.Sprintf("no clear descent: the smoothed loss falls only %.3g%% from %s to its minimum at %s, want ≥ %g%%: the model is not learning at any rate swept (random labels? a range entirely too low or too high?)",
			100*a.drop, at(a.lo), at(a.minIndex), 100*MinDrop)
	}
	perDecade := a.slope / math.Log10(lrs[1]/lrs[0])
	steep := fmt.Sprintf("the smoothed loss falls fastest (%.3g per decade of lr) at %s", perDecade, at(a.index))
	fall := fmt.Sprintf("it falls %.3g%% from %s to %s", 100*a.drop, at(a.lo), at(a.minIndex))
	switch a.verdict {
	case verdictEdgeStart:
		return fmt.Sprintf("steepest point at the edge: %s, the first step searched (the first %d are skipped): the descent began below MinLR = %.3g; lower MinLR", steep, a.lo, lrs[0])
	case verdictEdgeMin:
		return fmt.Sprintf("steepest point at the edge: %s, which is the minimum itself: the loss was still falling fastest when it turned up, so no rate on the descent is safely below divergence; sweep more slowly (raise Steps or narrow MinLR–MaxLR)", steep)
	case verdictNotMonotone:
		return fmt.Sprintf("too noisy: %s, but the smoothed loss moves %.4g in total (Σ|Δ|) to fall %.4g from %s to %s, a net/total ratio of %.3g, want ≥ %g; raise Smoothing or the batch size",
			steep, (smoothed[a.lo]-smoothed[a.minIndex])/a.monotone, smoothed[a.lo]-smoothed[a.minIndex], at(a.lo), at(a.minIndex), a.monotone, MinMonotone)
	}
	return fmt.Sprintf("suggested lr %.3g, the steepest descent of the smoothed loss between step %d and its minimum, of %d steps: %s; %s, net/total %.3g",
		lrs[a.index], a.lo+1, steps, steep, fall, a.monotone)
}
