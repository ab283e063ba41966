package tuner

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/gradtune/gradtune/tuner/pareto"
)

// Best returns the best Complete trial of a study of one objective, among
// the feasible ones: those whose constraints (Trial.SetConstraints) are all
// ≤ 0, or that reported none; of equal values, the lowest number. Errors:
// ErrNoCompleted if no trial is Complete, ErrNoFeasible if every Complete
// one violates a constraint (as Optuna's best_trial does after 3.1: "No
// feasible trials are completed yet."), ErrMultiObjective for a study of several
// objectives (BestTrials gives its Pareto front), ErrConfig for a nil ctx or
// a Study not made by Open.
func (s *Study) Best(ctx context.Context) (FrozenTrial, error) {
	if err := s.check(ctx, "Best"); err != nil {
		return FrozenTrial{}, err
	}
	if s.multi() {
		return FrozenTrial{}, fmt.Errorf("%w: Study.Best: study %q has %d objectives (Directions %v) and no one best trial: BestTrials gives the Pareto front",
			ErrMultiObjective, s.cfg.Name, len(s.cfg.Directions), s.cfg.Directions)
	}
	trials, err := s.load(ctx)
	if err != nil {
		return FrozenTrial{}, err
	}
	best, complete := -1, 0
	for i, t := range trials {
		if t.State != Complete {
			continue
		}
		complete++
		if pareto.Feasible(t.Constraints) && (best < 0 || s.cfg.Direction.Better(t.Value, trials[best].Value)) {
			best = i
		}
	}
	switch {
	case complete == 0:
		return FrozenTrial{}, fmt.Errorf("%w in study %q (%d trials)", ErrNoCompleted, s.cfg.Name, len(trials))
	case best < 0:
		return FrozenTrial{}, fmt.Errorf("%w in study %q: each of its %d completed trials violates a constraint (one > 0)", ErrNoFeasible, s.cfg.Name, complete)
	}
	return trials[best], nil
}

// BestTrials returns the study's Pareto front: the Complete trials that no
// other Complete trial dominates (better or equal in every objective,
// better in one: pareto.Front on FrozenTrial.Values and the study's
// Directions), ordered by number; Optuna's best_trials. Only feasible
// trials compete: those whose constraints are all ≤ 0 or that reported
// none; a trial that violates a constraint is never on the front. When
// every Complete trial violates one, the front is empty, as Optuna's
// best_trials is in versions after 3.1 (3.1 ignores constraints there;
// later versions also count a trial without constraints in a study with
// some as infeasible, where here it competes). With one objective the
// front is the best trial and those tied with it.
//
// No Complete trial gives an empty front (not nil), without error. Errors:
// ErrConfig for a nil ctx or a Study not made by Open; ErrStorage for a
// Complete trial whose values do not fit the study (of another number, or
// NaN), which no study writes.
func (s *Study) BestTrials(ctx context.Context) ([]FrozenTrial, error) {
	if err := s.check(ctx, "BestTrials"); err != nil {
		return nil, err
	}
	trials, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	return s.front(trials)
}

// front is BestTrials on trials.
func (s *Study) front(trials []FrozenTrial) ([]FrozenTrial, error) {
	dirs := s.cfg.Directions
	var (
		cands  []FrozenTrial
		points [][]float64
	)
	for _, t := range trials {
		if t.State != Complete || !pareto.Feasible(t.Constraints) {
			continue
		}
		if len(t.Values) != len(dirs) || slices.ContainsFunc(t.Values, math.IsNaN) {
			return nil, fmt.Errorf("%w: study %q: complete trial %d has values %v, want %d numbers (Directions %v)",
				ErrStorage, s.cfg.Name, t.Number, t.Values, len(dirs), dirs)
		}
		cands, points = append(cands, t), append(points, t.Values)
	}
	out := []FrozenTrial{}
	if len(cands) == 0 {
		return out, nil
	}
	idx, err := pareto.Front(points, dirs)
	if err != nil {
		return nil, fmt.Errorf("%w: study %q: %w", ErrStorage, s.cfg.Name, err)
	}
	for _, i := range idx {
		out = append(out, cands[i])
	}
	return out, nil
}

// Hypervolume returns the hypervolume of the study's Pareto front
// (BestTrials) bounded by reference, one value per objective in the
// study's units: the volume of the objective space that the front
// dominates and that is no worse than reference in any objective
// (pareto.Hypervolume, exact, equal to Optuna 3.1's, after turning
// maximized objectives into minimized ones by negation). For one
// objective it is the distance from the best value to reference. Trials
// that are not better than reference in every objective add nothing; an
// empty front gives 0.
//
// Errors: ErrConfig for a reference of the wrong length or with a value
// that is NaN or ±Inf, a nil ctx or a Study not made by Open; an error
// wrapping pareto.ErrInput when a front trial has a value of ±Inf on the
// good side (its hypervolume is infinite); BestTrials' errors.
func (s *Study) Hypervolume(ctx context.Context, reference []float64) (float64, error) {
	if err := s.check(ctx, "Hypervolume"); err != nil {
		return 0, err
	}
	dirs := s.cfg.Directions
	if len(reference) != len(dirs) {
		return 0, fmt.Errorf("%w: Study.Hypervolume: reference point %v has %d values, want one per objective: %d (Directions %v)",
			ErrConfig, reference, len(reference), len(dirs), dirs)
	}
	if i := slices.IndexFunc(reference, func(r float64) bool { return math.IsNaN(r) || math.IsInf(r, 0) }); i >= 0 {
		return 0, fmt.Errorf("%w: Study.Hypervolume: reference value %d is %v, want a finite number", ErrConfig, i, reference[i])
	}
	front, err := s.BestTrials(ctx)
	if err != nil {
		return 0, err
	}
	// One objective gets a second of width 1, as pareto.Hypervolume needs
	// two: the area is then the length.
	ref := minimizedPoint(reference, dirs)
	if len(dirs) == 1 {
		ref = append(ref, 1)
	}
	points := make([][]float64, len(front))
	for i, t := range front {
		points[i] = minimizedPoint(t.Values, dirs)
		if len(dirs) == 1 {
			points[i] = append(points[i], 0)
		}
	}
	hv, err := pareto.Hypervolume(points, ref)
	if err != nil {
		return 0, fmt.Errorf("tuner: Study.Hypervolume of study %q: %w", s.cfg.Name, err)
	}
	return hv, nil
}

// minimizedPoint returns v with its maximized objectives negated, so that
// every objective is minimized.
func minimizedPoint(v []float64, dirs []Direction) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x
		if dirs[i] == Maximize {
			out[i] = -x
		}
	}
	return out
}
