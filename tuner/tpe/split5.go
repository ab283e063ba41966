package tpe

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// SplitMulti splits the trials of a study of several objectives (dirs, one
// per objective; t.Values of a Complete trial holds one value each) as
// Optuna 5's multi-objective TPE (MOTPE; Ozaki et al. 2020, "Multiobjective
// Tree-Structured Parzen Estimator for Computationally Expensive
// Optimization Problems"; samplers/_tpe/sampler.py, _split_trials). Of the
// N Complete and Pruned trials, Gamma(N) go below (o.Gamma, nil →
// DefaultGammaMulti), taken in this order:
//
//  1. feasible Complete trials by non-domination rank, whole fronts while
//     they fit; the front that does not fit is cut by greedy hypervolume
//     subset selection (Guerreiro et al. 2016, "Greedy Hypervolume Subset
//     Selection in Low Dimensions"), the reference point being 1.1 times
//     that front's worst values (0.9 times where negative);
//  2. feasible Pruned trials, those that reported the latest step first (a
//     study of several objectives has no single value to compare there;
//     Optuna 5 ranks only pruned trials without reports, all alike);
//  3. infeasible trials (Constraints summing to more than 0 over their
//     positive values), least violation first.
//
// The rest go above, with the Running ones (constant liar). The Below
// observations weigh alike (BelowWeights all 1), the Above ones by
// o.Weights. Ties keep the trials' order. o.Version must be Optuna5.
//
// Errors: a Trial whose X has another length than params, whose State is
// unknown, or a Complete one whose Values are not one finite-or-infinite
// number per direction, or dirs not all Minimize or Maximize (ErrInput);
// Options invalid or Version Optuna31, a negative Gamma result
// (ErrOptions).
func SplitMulti(trials []Trial, dirs []goal.Direction, params int, o Options) (obs Observations, err error) {
	defer recoverOptions(&err)
	if o.Version != Optuna5 {
		return obs, fmt.Errorf("%w: SplitMulti is Optuna 5's multi-objective split, want Version Optuna5 (got %v)", ErrOptions, o.Version)
	}
	if len(dirs) < 2 {
		return obs, fmt.Errorf("%w: SplitMulti with %d directions, want 2 or more (Split for one)", ErrInput, len(dirs))
	}
	return split5(trials, dirs, params, o)
}

// split5 is Optuna 5's _split_trials for one objective (len(dirs) == 1,
// t.Value) or several (t.Values).
func split5(trials []Trial, dirs []goal.Direction, params int, o Options) (obs Observations, err error) {
	if err := o.Validate(); err != nil {
		return obs, err
	}
	multi := len(dirs) > 1
	if o.Gamma == nil && multi {
		o.Gamma = DefaultGammaMulti
	}
	o = o.withDefaults()
	for i, d := range dirs {
		if d != goal.Minimize && d != goal.Maximize {
			return obs, fmt.Errorf("%w: direction %d is %v, want Minimize or Maximize", ErrInput, i, d)
		}
	}
	var complete, pruned, infeasible, running []int
	for i := range trials {
		t := &trials[i]
		if len(t.X) != params {
			return obs, fmt.Errorf("%w: trial %d has %d parameters, want %d", ErrInput, t.Number, len(t.X), params)
		}
		switch {
		case t.State == Running:
			// Before the feasibility check: its constraints are not set yet.
			running = append(running, i)
			continue
		case t.State != Complete && t.State != Pruned:
			return obs, fmt.Errorf("%w: trial %d has state %d, want Complete, Pruned or Running", ErrInput, t.Number, t.State)
		}
		obs.N++
		switch {
		case pareto.Violation(t.Constraints) > 0:
			infeasible = append(infeasible, i)
		case t.State == Complete:
			if multi && len(t.Values) != len(dirs) {
				return obs, fmt.Errorf("%w: trial %d has %d values, want %d (one per direction)", ErrInput, t.Number, len(t.Values), len(dirs))
			}
			complete = append(complete, i)
		default:
			pruned = append(pruned, i)
		}
	}
	nBelow := o.Gamma(obs.N)
	if nBelow < 0 {
		return obs, fmt.Errorf("%w: Gamma(%d) = %d, want ≥ 0", ErrOptions, obs.N, nBelow)
	}
	var below, above []int
	take := func(sorted []int) {
		k := min(nBelow, len(sorted))
		below = append(below, sorted[:k]...)
		above = append(above, sorted[k:]...)
		nBelow -= k
	}
	if multi {
		b, a, err := splitCompleteMulti(trials, complete, dirs, min(nBelow, len(complete)))
		if err != nil {
			return obs, err
		}
		below, above, nBelow = b, a, nBelow-len(b)
	} else {
		sign := 1.0
		if dirs[0] == goal.Maximize {
			sign = -1
		}
		sort.SliceStable(complete, func(a, b int) bool {
			return sign*trials[complete[a]].Value < sign*trials[complete[b]].Value
		})
		take(complete)
	}
	scores := make(map[int]score, len(pruned))
	for _, i := range pruned {
		scores[i] = pruned5Score(&trials[i], dirs)
	}
	sort.SliceStable(pruned, func(a, b int) bool { return scores[pruned[a]].less(scores[pruned[b]]) })
	take(pruned)
	sort.SliceStable(infeasible, func(a, b int) bool {
		return pareto.Violation(trials[infeasible[a]].Constraints) < pareto.Violation(trials[infeasible[b]].Constraints)
	})
	take(infeasible)
	above = append(above, running...)
	sort.Ints(below) // back to trial order, as Optuna sorts by number
	sort.Ints(above)
	obs.Below, obs.BelowNumbers = gather(below, trials, params)
	obs.Above, obs.AboveNumbers = gather(above, trials, params)
	if multi {
		obs.BelowWeights = make([]float64, belowCount(obs.Below))
		for i := range obs.BelowWeights {
			obs.BelowWeights[i] = 1
		}
	}
	return obs, nil
}

// belowCount is the number of observations in a group (0 without
// parameters).
func belowCount(rows [][]float64) int {
	if len(rows) == 0 {
		return 0
	}
	return len(rows[0])
}

// pruned5Score ranks a pruned trial as Optuna 5's _get_pruned_trial_score:
// (−last step, value; NaN as +∞), or (1, 0) without a report. With several
// objectives only the step counts (see SplitMulti).
func pruned5Score(t *Trial, dirs []goal.Direction) score {
	switch {
	case !t.Reported:
		return score{1, 0}
	case len(dirs) > 1:
		return score{-float64(t.LastStep), 0}
	case math.IsNaN(t.LastValue):
		return score{-float64(t.LastStep), math.Inf(1)}
	case dirs[0] == goal.Maximize:
		return score{-float64(t.LastStep), -t.LastValue}
	}
	return score{-float64(t.LastStep), t.LastValue}
}

// splitCompleteMulti puts nBelow of the complete trials idx below, as
// Optuna 5's _split_complete_trials_multi_objective: whole non-domination
// fronts while they fit, then the hypervolume subset selection of the
// next front. Both results are in trial order.
func splitCompleteMulti(trials []Trial, idx []int, dirs []goal.Direction, nBelow int) (below, above []int, err error) {
	switch {
	case nBelow == 0:
		return nil, append([]int(nil), idx...), nil
	case nBelow == len(idx):
		return append([]int(nil), idx...), nil, nil
	}
	loss := make([][]float64, len(idx)) // minimized values
	for k, i := range idx {
		loss[k] = make([]float64, len(dirs))
		for j, v := range trials[i].Values {
			if math.IsNaN(v) {
				return nil, nil, fmt.Errorf("%w: trial %d: objective %d is NaN", ErrInput, trials[i].Number, j)
			}
			if dirs[j] == goal.Maximize {
				v = -v
			}
			loss[k][j] = v
		}
	}
	// Peel the fronts off, best first, until nBelow points are chosen; the
	// front that does not fit whole is cut by hypervolume.
	chosen := make([]bool, len(idx))
	rest := lexOrder(loss)
	for total := 0; total < nBelow; {
		var front []int
		front, rest = peelFront(loss, rest)
		if total+len(front) <= nBelow {
			for _, k := range front {
				chosen[k] = true
			}
			total += len(front)
			continue
		}
		slices.Sort(front) // the trials' order, as Optuna passes them
		pts := make([][]float64, len(front))
		for t, k := range front {
			pts[t] = loss[k]
		}
		for _, k := range hsspCached(pts, front, nBelow-total, referencePoint(pts)) {
			chosen[k] = true
		}
		break
	}
	for k, i := range idx {
		if chosen[k] {
			below = append(below, i)
		} else {
			above = append(above, i)
		}
	}
	return below, above, nil
}

// lexOrder returns the indices of points sorted lexicographically (stable):
// no point can dominate one before it.
func lexOrder(points [][]float64) []int {
	order := make([]int, len(points))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lexLess(points[order[a]], points[order[b]]) })
	return order
}

// peelFront splits rest (indices of points, in lexicographic order) into
// the Pareto front of those points (minimization; equal points are on it
// together) and what remains, both still in that order. A point is on the
// front unless a front point before it dominates it: one that is off the
// front is dominated by a front point, which then dominates what it does.
func peelFront(points [][]float64, rest []int) (front, remain []int) {
	for _, i := range rest {
		if slices.ContainsFunc(front, func(f int) bool { return dominatesMin(points[f], points[i]) }) {
			remain = append(remain, i)
		} else {
			front = append(front, i)
		}
	}
	return front, remain
}

// dominatesMin reports whether a Pareto-dominates b, every objective
// minimized: no worse in any, better in one.
func dominatesMin(a, b []float64) bool {
	strictly := false
	for j := range a {
		switch {
		case a[j] > b[j]:
			return false
		case a[j] < b[j]:
			strictly = true
		}
	}
	return strictly
}

// referencePoint is Optuna 5's _get_reference_point: per objective, the
// larger of 1.1 and 0.9 times the worst (largest) value, and 1e-12 where
// that is 0.
func referencePoint(pts [][]float64) []float64 {
	ref := make([]float64, len(pts[0]))
	for j := range ref {
		w := math.Inf(-1)
		for _, p := range pts {
			w = max(w, p[j])
		}
		ref[j] = max(1.1*w, 0.9*w)
		if ref[j] == 0 {
			ref[j] = 1e-12
		}
	}
	return ref
}
