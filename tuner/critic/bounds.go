package critic

import (
	"fmt"
	"math"
	"sort"
)

// bounds runs the AtBound and UseLog checks on every numeric parameter.
func (s *study) bounds() []Finding {
	type test struct {
		r     ranked
		n     numeric
		upper bool // AtBound at the upper end; else the lower end
		log   bool // UseLog
	}
	var tests []test
	atBound, useLog := 0, 0
	for _, name := range s.params {
		n, ok := numericOf(s.dist[name])
		if !ok {
			continue
		}
		r := s.ranked(name)
		if len(r.x) < s.o.MinTrials {
			continue
		}
		tests = append(tests, test{r: r, n: n, upper: true})
		atBound++
		if linearWide(n) {
			tests = append(tests, test{r: r, n: n, log: true})
			useLog++
		} else {
			tests = append(tests, test{r: r, n: n})
			atBound++
		}
	}
	var out []Finding
	for _, t := range tests {
		var f Finding
		var ok bool
		switch {
		case t.log:
			f, ok = s.useLog(t.r, t.n, s.o.Alpha/4/float64(useLog))
		default:
			f, ok = s.atBound(t.r, t.n, t.upper, s.o.Alpha/4/float64(atBound))
		}
		if ok {
			out = append(out, f)
		}
	}
	return out
}

// linearWide reports whether n is a positive linear range spanning two
// orders of magnitude or more: a candidate for a log scale.
func linearWide(n numeric) bool { return !n.log && n.low > 0 && n.high/n.low >= 100 }

// split returns the positions of r's trials, of its best trials and of
// the others, mirrored (1 − u) when flip is set, so that "larger" always
// points at the end under test.
func split(r ranked, n numeric, flip bool) (all, best, rest []float64) {
	for i, x := range r.x {
		u := n.pos(x)
		if flip {
			u = 1 - u
		}
		all = append(all, u)
		if r.top[i] {
			best = append(best, u)
		} else {
			rest = append(rest, u)
		}
	}
	return all, best, rest
}

// crowded reports whether the best trials crowd a zone: at least 2 of them
// lie in it, and they are most of the best trials or most of the zone's
// trials (a random search of 40 trials draws about 4 in a zone of 10%).
func crowded(bestIn, best, in int) bool {
	return bestIn >= 2 && (2*bestIn > best || 2*bestIn > in)
}

// edgeZone is the zone next to a bound, as a fraction of the range in its
// search scale, where AtBound looks for crowding best trials.
const edgeZone = 0.1

// atBound is the AtBound check of one end of r's range, at level alpha.
// The best trials are near that end when more than half of them lie
// within edgeZone of it (a sampler that concentrates there, as TPE does,
// draws many trials near the bound, and the best among them), or when of
// the trials nearest it, q = max(3, ⌈best/2⌉) of them, more than half
// are among the best (a random search draws few there: 40 trials put 4 in
// a tenth of the range). Then the rank-sum test must say the best trials
// lie nearer that end than the others.
func (s *study) atBound(r ranked, n numeric, upper bool, alpha float64) (Finding, bool) {
	all, best, _ := split(r, n, !upper)
	inZone := 0
	for _, u := range best {
		if u >= 1-edgeZone {
			inZone++
		}
	}
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return all[idx[a]] > all[idx[b]] })
	q := min(len(idx), max(3, (len(best)+1)/2))
	near := 0
	for _, i := range idx[:q] {
		if r.top[i] {
			near++
		}
	}
	crowd, nearest := 2*inZone > len(best), 2*near > q
	if !crowd && !nearest {
		return Finding{}, false
	}
	p := stratifiedGreater(all, r.top, r.blocks(driftBlock))
	if p > alpha {
		return Finding{}, false
	}
	to, ok := widen(n, upper)
	if !ok {
		return Finding{}, false
	}
	bound, side, way, cmp := n.high, "upper", "upward", "≥"
	if !upper {
		bound, side, way, cmp = n.low, "lower", "downward", "≤"
	}
	f := Finding{
		Kind:  AtBound,
		Param: r.name,
		Measures: map[string]float64{"trials": float64(len(r.x)), "top": float64(len(best)), "top_in_zone": float64(inZone),
			"nearest": float64(q), "nearest_top": float64(near), "bound": bound, "p_value": p, "suggested_bound": to},
	}
	if crowd {
		edge := n.at(1 - edgeZone)
		if !upper {
			edge = n.at(edgeZone)
		}
		f.Measures["edge"] = edge
		f.Evidence = fmt.Sprintf("%d of the best %d of %d complete trials have %s %s %s, the tenth of its range next to its %s bound %s; rank-sum p = %.2g",
			inZone, len(best), len(r.x), r.name, cmp, num(edge), side, num(bound), p)
	} else {
		reach := r.x[idx[q-1]] // the farthest of the q nearest
		f.Measures["reach"] = reach
		f.Evidence = fmt.Sprintf("%d of the %d trials nearest its %s bound %s (%s %s %s) are among the best %d of %d complete trials; rank-sum p = %.2g",
			near, q, side, num(bound), r.name, cmp, num(reach), len(best), len(r.x), p)
	}
	if upper {
		f.Suggested = n.dist(n.low, to, n.log)
	} else {
		f.Suggested = n.dist(to, n.high, n.log)
	}
	f.Fix = fmt.Sprintf("widen the range %s, e.g. to %s (%v), if %s may go there: its best value may lie beyond %s",
		way, num(to), f.Suggested, r.name, num(bound))
	return f, true
}

// widen returns the new bound of n at one end: half a decade further on a
// log scale, half the range's width further on a linear one (a tenth of
// a positive lower bound where that would cross 0), rounded to few
// digits and on the grid; ok is false where the range cannot widen (the
// lower end 1 of a log-scale int range).
func widen(n numeric, upper bool) (float64, bool) {
	var target float64
	switch {
	case n.log && upper:
		target = n.high * math.Sqrt(10)
	case n.log:
		target = n.low / math.Sqrt(10)
	case upper:
		target = n.high + (n.high-n.low)/2
	default:
		target = n.low - (n.high-n.low)/2
		if n.low > 0 && target <= 0 {
			target = n.low / 10
		}
	}
	if n.isInt {
		if n.log && !upper && n.low <= 1 {
			return 0, false
		}
		// At least one step further, and on the grid.
		k := math.Max(1, math.Round(math.Abs(target-boundOf(n, upper))/n.step))
		if upper {
			target = n.high + k*n.step
		} else {
			target = n.low - k*n.step
			if n.log && target < 1 {
				target = 1
			}
		}
	}
	// The roundest value between the bound and the target.
	if upper {
		return n.roundestBeyond(n.high, target)
	}
	return n.roundestBeyond(n.low, target)
}

// boundOf returns n's upper or lower bound.
func boundOf(n numeric, upper bool) float64 {
	if upper {
		return n.high
	}
	return n.low
}

// roundestBeyond returns the roundest value strictly beyond bound, up to
// target (included), on n's grid.
func (n numeric) roundestBeyond(bound, target float64) (float64, bool) {
	if target > bound {
		return n.roundest(bound+(target-bound)/2, target, target, true, true)
	}
	return n.roundest(target, bound-(bound-target)/2, target, true, true)
}

// useLog is the UseLog check of r, a linearWide range, at level alpha.
func (s *study) useLog(r ranked, n numeric, alpha float64) (Finding, bool) {
	all, best, _ := split(r, n, true)
	cut := n.high / 10
	low := 0
	for i, x := range r.x {
		if r.top[i] && x < cut {
			low++
		}
	}
	drawn := 0
	for _, x := range r.x {
		if x < cut {
			drawn++
		}
	}
	if !crowded(low, len(best), drawn) {
		return Finding{}, false
	}
	p := stratifiedGreater(all, r.top, r.blocks(driftBlock))
	if p > alpha {
		return Finding{}, false
	}
	decades := math.Log10(n.high / n.low)
	f := Finding{
		Kind:  UseLog,
		Param: r.name,
		Evidence: fmt.Sprintf("%s spans %.1f decades [%s, %s] on a linear scale, which draws %s of its values in the top decade; yet %d of the best %d of %d complete trials have %s < %s, against %d of the other %d; rank-sum p = %.2g",
			r.name, decades, num(n.low), num(n.high), pct(0.9*n.high/(n.high-n.low)), low, len(best), len(r.x), r.name, num(cut), drawn-low, len(r.x)-len(best), p),
		Measures: map[string]float64{"trials": float64(len(r.x)), "top": float64(len(best)), "top_low": float64(low),
			"drawn_low": float64(drawn), "decades": decades, "p_value": p},
	}
	f.Suggested = n.dist(n.low, n.high, true)
	f.Fix = fmt.Sprintf("search %s on a log scale (tuner.Log()): %v", r.name, f.Suggested)
	if n.step > 0 && !(n.isInt && n.step == 1) {
		f.Fix += fmt.Sprintf(", without its step %s (a log scale takes none)", num(n.step))
	}
	return f, true
}
