package prune

import (
	"math"
	"sort"

	"github.com/gradtune/gradtune/tuner"
)

// nanPercentile is numpy.nanpercentile(xs, p) with its default "linear"
// method (Hyndman & Fan's 7th), bit for bit as numpy 1.24 computes it: NaN
// values are dropped (all NaN → NaN), q = p/100, the virtual index is
// v = (n−1)·q, and the value is numpy's _lerp(a[⌊v⌋], a[⌊v⌋+1], γ) over the
// sorted values a. At the top (v ≥ n−1) numpy takes a[n−1] twice with
// γ = v+1, which turns an infinite top value into NaN; we keep that quirk.
func nanPercentile(xs []float64, p float64) float64 {
	a := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			a = append(a, x)
		}
	}
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	sort.Float64s(a)
	q := p / 100
	v := float64(n-1) * q
	prev := math.Floor(v)
	lo, hi, gamma := int(prev), int(prev)+1, v-prev
	if v >= float64(n-1) {
		// numpy's _get_indexes sets both indexes to −1 and _get_gamma
		// then measures γ from that −1.
		lo, hi, gamma = n-1, n-1, v+1
	}
	return lerp(a[lo], a[hi], gamma)
}

// lerp is numpy's _lerp: a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ 0.5.
// The explicit conversions forbid fused multiply-adds, which numpy does not
// use either.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - float64(d*(1-t))
	}
	return a + float64(d*t)
}

// nanBest is numpy's nanmin (Minimize) or nanmax (Maximize) of the
// trial's intermediate values: NaN only if all are NaN (or there are none).
func nanBest(values map[int]float64, dir tuner.Direction) float64 {
	best := math.NaN()
	for _, v := range values {
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(best) || dir.Better(v, best) {
			best = v
		}
	}
	return best
}
