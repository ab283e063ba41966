package pareto

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Hypervolume returns the volume of the region that the points dominate and
// that is bounded by the reference point, in minimization space (every
// objective minimized; negate maximized ones first, or use HypervolumeOf).
// A point that is not below the reference in every objective bounds nothing
// and is ignored. It is exact: a sweep for two objectives and the WFG
// algorithm otherwise (While, Bradstreet and Barone, "A fast way of
// calculating exact hypervolumes", IEEE TEC 16(1), 2012), following Optuna
// 3.1's optuna/_hypervolume/wfg.py step for step, so that values agree with
// it to rounding. WFG's time grows exponentially with d in the worst case;
// two and three objectives with thousands of points are fast.
//
// points: (n, d); reference: (d). Errors wrap ErrInput: a reference with
// fewer than two values or a non-finite one, ragged points, or a NaN or
// −Inf value in a point that counts.
func Hypervolume(points [][]float64, reference []float64) (float64, error) {
	d := len(reference)
	if d < 2 {
		return 0, fmt.Errorf("%w: reference point has %d values, want at least 2", ErrInput, d)
	}
	for j, r := range reference {
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return 0, fmt.Errorf("%w: reference point value %d is %v, want a finite number", ErrInput, j, r)
		}
	}
	var set [][]float64
	for i, p := range points {
		if len(p) != d {
			return 0, fmt.Errorf("%w: point %d has %d values, the reference point %d", ErrInput, i, len(p), d)
		}
		if slices.ContainsFunc(p, math.IsNaN) {
			return 0, fmt.Errorf("%w: point %d has a NaN value", ErrInput, i)
		}
		if !below(p, reference) {
			continue
		}
		if slices.ContainsFunc(p, func(v float64) bool { return math.IsInf(v, -1) }) {
			return 0, fmt.Errorf("%w: point %d has a −Inf value: its hypervolume is infinite", ErrInput, i)
		}
		set = append(set, slices.Clone(p))
	}
	if len(set) == 0 {
		return 0, nil
	}
	w := wfg{ref: reference}
	return w.volume(set), nil
}

// below reports whether p < ref in every objective.
func below(p, ref []float64) bool {
	for j := range p {
		if !(p[j] < ref[j]) {
			return false
		}
	}
	return true
}

type wfg struct{ ref []float64 }

// volume is WFG's recursion (Optuna's _compute_rec).
func (w wfg) volume(set [][]float64) float64 {
	if len(w.ref) == 2 {
		return volume2(set, w.ref)
	}
	switch len(set) {
	case 1:
		return box(set[0], w.ref)
	case 2:
		v := box(set[0], w.ref) + box(set[1], w.ref)
		inter := 1.0
		for j := range w.ref {
			inter *= w.ref[j] - max(set[0][j], set[1][j])
		}
		return v - inter
	}
	sort.SliceStable(set, func(a, b int) bool { return set[a][0] < set[b][0] })
	v := 0.0
	for i := range set {
		v += w.exclusive(set[i], set[i+1:])
	}
	return v
}

// exclusive is the volume that p alone dominates, given the points after it.
func (w wfg) exclusive(p []float64, rest [][]float64) float64 {
	v := box(p, w.ref)
	limited := limit(p, rest)
	switch len(limited) {
	case 0:
	case 1:
		v -= box(limited[0], w.ref)
	default:
		v -= w.volume(limited)
	}
	return v
}

// limit returns max(s, p) for each s in rest (sorted by the first
// objective), dropping each one the last kept one dominates, as Optuna's
// _limit does (nearly the Pareto front of the limited set, cheaply).
func limit(p []float64, rest [][]float64) [][]float64 {
	if len(rest) == 0 {
		return nil
	}
	lim := make([][]float64, len(rest))
	for i, s := range rest {
		q := make([]float64, len(p))
		for j := range p {
			q[j] = max(s[j], p[j])
		}
		lim[i] = q
	}
	kept := [][]float64{lim[0]}
	left := 0
	for right := 1; right < len(lim); right++ {
		if anyGreater(lim[left], lim[right]) {
			left = right
			kept = append(kept, lim[left])
		}
	}
	return kept
}

// anyGreater reports whether a[j] > b[j] for some j.
func anyGreater(a, b []float64) bool {
	for j := range a {
		if a[j] > b[j] {
			return true
		}
	}
	return false
}

// box is the volume of the box with corners p and ref.
func box(p, ref []float64) float64 {
	v := 1.0
	for j := range p {
		v *= p[j] - ref[j]
	}
	return math.Abs(v)
}

// volume2 sweeps two objectives: points sorted by the first ascending (ties:
// the second descending), each adding the rectangle between it, the
// reference and the last second value (Optuna's _compute_2d).
func volume2(set [][]float64, ref []float64) float64 {
	sort.SliceStable(set, func(a, b int) bool {
		if set[a][0] != set[b][0] {
			return set[a][0] < set[b][0]
		}
		return set[a][1] > set[b][1]
	})
	r1 := ref[1]
	v := 0.0
	for _, p := range set {
		if r1 < p[1] {
			continue
		}
		v += math.Abs((ref[0] - p[0]) * (r1 - p[1]))
		r1 = p[1]
	}
	return v
}
