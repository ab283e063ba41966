package prune

import (
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/tuner"
)

// shaDecide is one asynchronous successive-halving check of t against
// others: Optuna 3.1's SuccessiveHalving.prune once the min resource r
// is known (optuna/pruners/_successive_halving.py). With s and v the trial's
// last step and its value (its vector, with several objectives: dirs) and k
// its current rung, repeatedly:
//
//	keep      if s < r·η^(rate+k)
//	prune     if v is NaN (any of its values)
//	record    v as the trial's value at rung k
//	prune     if |V| ≤ bootstrap, V = {v} ∪ the others' values at rung k
//	prune     unless v ≤ sorted(V)[i] (minimizing) or v ≥ the i-th largest
//	          (maximizing), i = max(⌊|V|/η⌋ − 1, 0); with several
//	          objectives, unless v is among the best i+1 by Pareto rank
//	          (promotableMulti)
//	k ← k+1
//
// save, if not nil, stores each recorded rung in the trial's attributes
// ("completed_rung_k", as Optuna's system attributes).
func shaDecide(others []*tuner.FrozenTrial, t *tuner.FrozenTrial, dirs []tuner.Direction, minResource, eta, rate, bootstrap int, rungs *rungTable, save func(key, value string) error) bool {
	step, value, ok := lastReport(t, len(dirs))
	if !ok {
		return false
	}
	for rung := rungs.current(t); ; rung++ {
		promotion, ok := promotionStep(minResource, eta, rate+rung)
		if !ok || step < promotion {
			return false
		}
		if slices.ContainsFunc(value, math.IsNaN) {
			return true
		}
		rungs.record(t, rung, value)
		if save != nil {
			_ = save(rungKey(rung), rungText(value)) // the rung is also kept in memory
		}
		competing := [][]float64{value}
		for _, o := range others {
			if v, ok := rungs.value(o, rung); ok && len(v) == len(dirs) && (len(dirs) == 1 || !slices.ContainsFunc(v, math.IsNaN)) {
				competing = append(competing, v)
			}
		}
		// competing includes the trial itself, hence ≤.
		if len(competing) <= bootstrap {
			return true
		}
		if len(dirs) > 1 {
			if !promotableMulti(competing, eta, dirs) {
				return true
			}
			continue
		}
		values := make([]float64, len(competing))
		for i, v := range competing {
			values[i] = v[0]
		}
		if !promotable(value[0], values, eta, dirs[0]) {
			return true
		}
	}
}

// lastReport returns t's last step and its value: Intermediate's with one
// objective, IntermediateVectors' with several.
func lastReport(t *tuner.FrozenTrial, objectives int) (int, []float64, bool) {
	if objectives > 1 {
		return t.LastVector()
	}
	step, v, ok := t.LastStep()
	return step, []float64{v}, ok
}

// promotionStep returns r·η^e, ok false if it overflows an int (no
// step reaches it then).
func promotionStep(r, eta, e int) (int, bool) {
	p := uint64(r)
	for range e {
		hi, lo := bits.Mul64(p, uint64(eta))
		if hi != 0 || lo > math.MaxInt {
			return 0, false
		}
		p = lo
	}
	return int(p), true
}

// promotable is Optuna's _is_trial_promotable_to_next_rung: v is in
// the best ⌊|V|/η⌋ of V (the best one while |V| < η, since a trial cannot
// wait for later ones).
func promotable(v float64, competing []float64, eta int, dir tuner.Direction) bool {
	i := max(len(competing)/eta-1, 0)
	sort.Float64s(competing)
	if dir == tuner.Maximize {
		return v >= competing[len(competing)-1-i]
	}
	return v <= competing[i]
}

// estimateMinResource is Optuna's _estimate_min_resource: the largest
// last step of the Complete trials, ⌊/100⌋, at least 1; ok false if no
// Complete trial reported a step.
func estimateMinResource(trials []tuner.FrozenTrial) (int, bool) {
	last, found := 0, false
	for i := range trials {
		if trials[i].State != tuner.Complete {
			continue
		}
		if s, _, ok := trials[i].LastStep(); ok && (!found || s > last) {
			last, found = s, true
		}
	}
	if !found {
		return 0, false
	}
	return max(floorDiv(last, 100), 1), true
}

// floorDiv is Python's a // b for b > 0.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
