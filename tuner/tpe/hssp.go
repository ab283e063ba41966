package tpe

import (
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/gradtune/gradtune/tuner/pareto"
)

// lastHSSP holds the last selection and its input, as Optuna 5 caches
// _solve_hssp (lru_cache(maxsize=1)): a trial's parameters drawn one by one
// split the same trials, and the hypervolumes cost most of a split.
var lastHSSP struct {
	sync.Mutex
	labels    []int
	k         int
	ref, flat []float64
	chosen    []int
}

// hsspCached is hssp, computed once for the same input in a row.
func hsspCached(points [][]float64, labels []int, k int, ref []float64) []int {
	var flat []float64
	for _, p := range points {
		flat = append(flat, p...)
	}
	c := &lastHSSP
	c.Lock()
	defer c.Unlock()
	if c.chosen != nil && c.k == k && slices.Equal(c.labels, labels) && sameBits(c.ref, ref) && sameBits(c.flat, flat) {
		return slices.Clone(c.chosen)
	}
	chosen := hssp(points, labels, k, ref)
	c.labels, c.k, c.ref, c.flat, c.chosen = slices.Clone(labels), k, slices.Clone(ref), flat, slices.Clone(chosen)
	return chosen
}

// sameBits reports whether a and b hold the same float64 values, bit for
// bit.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// hssp chooses k of the points (minimized objective values, one front;
// labels[i] names point i) by greedy hypervolume subset selection with the
// reference point ref, and returns the chosen labels (Optuna 5's
// optuna/_hypervolume/hssp.py, _solve_hssp: each step takes the point that
// adds the most hypervolume, the first in lexicographic order among equals).
// Duplicated points count once until the distinct ones run out.
func hssp(points [][]float64, labels []int, k int, ref []float64) []int {
	if k == len(points) {
		return slices.Clone(labels)
	}
	uniq := lexUnique(points) // first occurrences, lexicographically sorted
	if len(uniq) < k {
		chosen := make([]bool, len(points))
		for _, i := range uniq {
			chosen[i] = true
		}
		extra := k - len(uniq) // the first duplicates, in order
		for i := range chosen {
			if !chosen[i] && extra > 0 {
				chosen[i] = true
				extra--
			}
		}
		var out []int
		for i, c := range chosen {
			if c {
				out = append(out, labels[i])
			}
		}
		return out
	}
	pts := make([][]float64, len(uniq))
	for i, u := range uniq {
		pts[i] = points[u]
	}
	var sel []int // positions in uniq
	switch {
	case slices.ContainsFunc(ref, func(r float64) bool { return math.IsInf(r, 0) || math.IsNaN(r) }):
		sel = make([]int, k)
		for i := range sel {
			sel[i] = i
		}
	case len(uniq) == k:
		sel = make([]int, k)
		for i := range sel {
			sel[i] = i
		}
	case len(ref) == 2:
		sel = hssp2(pts, k, ref)
	default:
		sel = hsspLazy(pts, k, ref)
	}
	out := make([]int, len(sel))
	for i, s := range sel {
		out[i] = labels[uniq[s]]
	}
	return out
}

// lexUnique returns the index of the first occurrence of each distinct
// point, sorted lexicographically by the points (numpy's unique with
// axis=0 and return_index).
func lexUnique(points [][]float64) []int {
	order := make([]int, len(points))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lexLess(points[order[a]], points[order[b]]) })
	var out []int
	for i, o := range order {
		if i == 0 || lexLess(points[order[i-1]], points[o]) {
			out = append(out, o)
		}
	}
	return out
}

func lexLess(a, b []float64) bool {
	for j := range a {
		if a[j] != b[j] {
			return a[j] < b[j]
		}
	}
	return false
}

// hssp2 is _solve_hssp_2d: on a lexicographically sorted 2-objective
// front, each point's contribution is the rectangle between it and the
// nearest chosen neighbours (or the reference point); it returns the chosen
// positions in pts.
func hssp2(pts [][]float64, k int, ref []float64) []int {
	n := len(pts)
	pos := make([]int, n)
	rect := make([][2]float64, n)
	loss := make([][]float64, n)
	for i := range pos {
		pos[i], rect[i], loss[i] = i, [2]float64{ref[0], ref[1]}, pts[i]
	}
	sel := make([]int, k)
	for i := range k {
		best, bestC := 0, math.Inf(-1)
		for m := range pos {
			c := (rect[m][0] - loss[m][0]) * (rect[m][1] - loss[m][1])
			if math.IsNaN(c) {
				best = m
				break
			}
			if m == 0 || c > bestC {
				best, bestC = m, c
			}
		}
		sel[i] = pos[best]
		lv := loss[best]
		pos = slices.Delete(pos, best, best+1)
		rect = slices.Delete(rect, best, best+1)
		loss = slices.Delete(loss, best, best+1)
		for m := range best {
			rect[m][0] = min(lv[0], rect[m][0])
		}
		for m := best; m < len(rect); m++ {
			rect[m][1] = min(lv[1], rect[m][1])
		}
	}
	return sel
}

// hsspLazy is _solve_hssp_on_unique_loss_vals for three or more
// objectives: the greedy selection with lazily updated contributions (an
// upper bound by submodularity skips the points that cannot win); it
// returns the chosen positions in pts.
func hsspLazy(pts [][]float64, k int, ref []float64) []int {
	d := len(ref)
	contribs := make([]float64, len(pts))
	for i, p := range pts {
		contribs[i] = boxVolume(p, ref)
	}
	idx := make([]int, len(pts))
	for i := range idx {
		idx[i] = i
	}
	rest := slices.Clone(pts)
	sel := make([]int, 0, k)
	var chosen [][]float64
	hv := 0.0
	for len(sel) < k {
		best := firstArgmax(contribs)
		hv += contribs[best]
		sel = append(sel, idx[best])
		chosen = append(chosen, rest[best])
		contribs = slices.Delete(contribs, best, best+1)
		idx = slices.Delete(idx, best, best+1)
		rest = slices.Delete(rest, best, best+1)
		if len(sel) == k {
			break
		}
		contribs = lazyContribs(contribs, rest, chosen, ref, hv, d)
	}
	return sel
}

// lazyContribs is _lazy_contribs_update: contribs[i] bounds point i's
// contribution to the chosen set from above; it tightens each bound with
// the newest chosen point alone, then computes the exact contribution of
// the points, largest bound first, whose bound still beats the best exact
// one so far.
func lazyContribs(contribs []float64, pts, chosen [][]float64, ref []float64, hv float64, d int) []float64 {
	if math.IsInf(hv, 0) {
		for i := range contribs {
			contribs[i] = math.Inf(1)
		}
		return contribs
	}
	newest := chosen[len(chosen)-1]
	inclusive := make([]float64, len(pts))
	inter := make([]float64, d)
	for i, p := range pts {
		inclusive[i] = boxVolume(p, ref)
		for j := range inter {
			inter[j] = max(p[j], newest[j])
		}
		contribs[i] = min(contribs[i], inclusive[i]-boxVolume(inter, ref))
	}
	neg := make([]float64, len(contribs))
	for i, c := range contribs {
		neg[i] = -c
		if math.IsNaN(c) {
			neg[i] = math.Inf(1) // numpy sorts NaN last
		}
	}
	best := 0.0
	set := append(slices.Clone(chosen), nil)
	for _, i := range argsort(neg) {
		if math.IsInf(inclusive[i], 0) {
			contribs[i], best = math.Inf(1), math.Inf(1)
			continue
		}
		if contribs[i] < best {
			continue
		}
		if d <= 3 { // H(S ∪ {i}) − H(S)
			set[len(set)-1] = pts[i]
			contribs[i] = hypervolume(set, ref) - hv
		} else { // H({i}) − H(S ∩ {i})
			limited := make([][]float64, len(chosen))
			for c, s := range chosen {
				limited[c] = make([]float64, d)
				for j := range d {
					limited[c][j] = max(pts[i][j], s[j])
				}
			}
			contribs[i] = inclusive[i] - hypervolume(limited, ref)
		}
		best = max(contribs[i], best)
	}
	return contribs
}

// hypervolume is pareto.Hypervolume of points below a finite reference
// point, which cannot fail.
func hypervolume(points [][]float64, ref []float64) float64 {
	v, err := pareto.Hypervolume(points, ref)
	if err != nil {
		return math.NaN()
	}
	return v
}

// boxVolume is Π (ref − p), numpy's prod of the differences.
func boxVolume(p, ref []float64) float64 {
	v := 1.0
	for j := range p {
		v *= ref[j] - p[j]
	}
	return v
}

// firstArgmax is numpy's argmax: the first maximum, or the first NaN.
func firstArgmax(v []float64) int {
	best := 0
	for i, x := range v {
		if math.IsNaN(x) {
			return i
		}
		if x > v[best] {
			best = i
		}
	}
	return best
}
