package tuner

import (
	"math"
	"sort"
)

// tpeScore ranks a trial for TPE's split, lower is better, compared as the
// pair (step, value) (Optuna 3.1's _get_observation_pairs): a complete trial
// is (−∞, ±value); a pruned one (−last step, ±its value), so pruned trials
// rank after every complete one and the longer-lived first; a NaN last
// value counts as +∞; a pruned trial with no report is (1, 0); a running
// one (constant liar) is (+∞, ±∞). ± flips values when maximizing.
type tpeScore struct{ step, value float64 }

func (a tpeScore) less(b tpeScore) bool {
	return a.step < b.step || a.step == b.step && a.value < b.value
}

// tpeObservations are the trials TPE learns from, split into the "below"
// (good) and "above" groups: vals[p][i] is parameter p of the group's
// i-th trial, in trial order.
type tpeObservations struct {
	n            int // complete and pruned trials (running ones do not count)
	below, above [][]float64
	// belowNumbers and aboveNumbers are the trials of each group, before
	// dropping those that lack a parameter (for tests).
	belowNumbers, aboveNumbers []int
}

// tpeCollect gathers the scored trials and their values of space, and
// splits them: the gamma(n) best (stable by score) go below, the rest above
// (_split_observation_pairs). A trial that lacks a parameter of space (or
// holds it with an incompatible distribution) is left out of both groups'
// values.
func tpeCollect(trials []FrozenTrial, dir Direction, space []tpeParam, liar bool, gamma func(int) int) (tpeObservations, error) {
	sign := 1.0
	if dir == Maximize {
		sign = -1
	}
	var (
		scores  []tpeScore
		numbers []int
		vals    [][]float64 // per trial, NaN where missing
		obs     tpeObservations
	)
	for i := range trials {
		t := &trials[i]
		var s tpeScore
		switch t.State {
		case Complete:
			s = tpeScore{math.Inf(-1), sign * t.Value}
			obs.n++
		case Pruned:
			if step, v, ok := t.LastStep(); !ok {
				s = tpeScore{1, 0}
			} else if math.IsNaN(v) {
				s = tpeScore{-float64(step), math.Inf(1)}
			} else {
				s = tpeScore{-float64(step), sign * v}
			}
			obs.n++
		case Running:
			if !liar {
				continue
			}
			s = tpeScore{math.Inf(1), sign * math.Inf(1)}
		default:
			continue
		}
		row := make([]float64, len(space))
		for p, sp := range space {
			row[p] = math.NaN()
			if x, ok := t.Internal[sp.name]; ok && tpeObservable(x, t.Distributions[sp.name], sp.d) {
				row[p] = x
			}
		}
		scores, numbers, vals = append(scores, s), append(numbers, t.Number), append(vals, row)
	}
	nBelow, err := tpeCallGamma(gamma, obs.n)
	if err != nil {
		return obs, err
	}
	nBelow = min(nBelow, len(scores))
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]].less(scores[order[b]]) })
	below, above := order[:nBelow:nBelow], order[nBelow:]
	sort.Ints(below) // back to trial order, as Optuna keeps it
	sort.Ints(above)
	obs.below, obs.belowNumbers = tpeGather(below, vals, numbers, len(space))
	obs.above, obs.aboveNumbers = tpeGather(above, vals, numbers, len(space))
	return obs, nil
}

// tpeObservable reports whether x, drawn from was, is an observation for a
// parameter now drawn from d. As in Optuna 3.1 (_get_observation_pairs
// takes every trial that holds the parameter), a value drawn under another
// range of a dynamic range counts, also outside d: the kernel centred on it
// is truncated to d. A categorical index must be one of d's choices.
func tpeObservable(x float64, was, d Distribution) bool {
	if Compatible(was, d) != nil {
		return false
	}
	_, categorical := d.(CategoricalDist)
	return !categorical || d.Contains(x)
}

// tpeGather returns the values (per parameter) of the trials idx that hold
// every parameter, and the numbers of all of idx.
func tpeGather(idx []int, vals [][]float64, numbers []int, params int) ([][]float64, []int) {
	out := make([][]float64, params)
	for p := range out {
		out[p] = []float64{}
	}
	nums := make([]int, 0, len(idx))
	for _, i := range idx {
		nums = append(nums, numbers[i])
		complete := true
		for _, x := range vals[i] {
			complete = complete && !math.IsNaN(x)
		}
		if !complete {
			continue
		}
		for p, x := range vals[i] {
			out[p] = append(out[p], x)
		}
	}
	return out, nums
}

// tpeIntersection is the search space every complete or pruned trial
// shares, same names with equal distributions (Optuna's
// IntersectionSearchSpace(include_pruned=True)), less single-valued ones,
// sorted by name.
func tpeIntersection(trials []FrozenTrial) []tpeParam {
	var common map[string]Distribution
	for i := range trials {
		t := &trials[i]
		if t.State != Complete && t.State != Pruned {
			continue
		}
		if common == nil {
			common = make(map[string]Distribution, len(t.Distributions))
			for k, d := range t.Distributions {
				common[k] = d
			}
			continue
		}
		for k, d := range common {
			if td, ok := t.Distributions[k]; !ok || !Equal(td, d) {
				delete(common, k)
			}
		}
	}
	var out []tpeParam
	for k, d := range common {
		if !Single(d) {
			out = append(out, tpeParam{name: k, d: d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
