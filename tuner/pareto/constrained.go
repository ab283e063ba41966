package pareto

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/goal"
)

// Feasible reports whether every constraint value is ≤ 0, Optuna's
// convention (a NaN value is not).
func Feasible(constraints []float64) bool {
	for _, c := range constraints {
		if !(c <= 0) {
			return false
		}
	}
	return true
}

// Violation is the sum of the positive constraint values: 0 for a feasible
// point, larger the more it violates.
func Violation(constraints []float64) float64 {
	v := 0.0
	for _, c := range constraints {
		if c > 0 {
			v += c
		}
	}
	return v
}

// ConstrainedDominates is Deb's constrained dominance as Optuna 3.1's
// NSGA-II applies it (_constrained_dominates): a feasible point dominates an
// infeasible one; of two infeasible points the one with the smaller
// Violation dominates; two feasible points compare by Dominates. A point
// whose constraints are nil (none reported) is dominated by every point that
// has some; two such points compare by Dominates.
func ConstrainedDominates(a, b, consA, consB []float64, dirs []goal.Direction) bool {
	switch {
	case consA == nil && consB == nil:
		return Dominates(a, b, dirs)
	case consB == nil:
		return true
	case consA == nil:
		return false
	}
	fa, fb := Feasible(consA), Feasible(consB)
	switch {
	case fa && fb:
		return Dominates(a, b, dirs)
	case fa:
		return true
	case fb:
		return false
	}
	return Violation(consA) < Violation(consB)
}

// ConstrainedRanks is Ranks under ConstrainedDominates: constraints[i] are
// point i's constraint values (nil: none reported). Errors wrap ErrInput:
// those of Check, len(constraints) ≠ len(points), constraint lists of
// different lengths, or a NaN constraint value.
func ConstrainedRanks(points, constraints [][]float64, dirs []goal.Direction) ([]int, error) {
	if err := Check(points, dirs); err != nil {
		return nil, err
	}
	if len(constraints) != len(points) {
		return nil, fmt.Errorf("%w: %d constraint lists for %d points", ErrInput, len(constraints), len(points))
	}
	width := -1
	for i, c := range constraints {
		if c == nil {
			continue
		}
		if width >= 0 && len(c) != width {
			return nil, fmt.Errorf("%w: point %d has %d constraint values, others %d", ErrInput, i, len(c), width)
		}
		width = len(c)
		for j, v := range c {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("%w: point %d, constraint %d is NaN", ErrInput, i, j)
			}
		}
	}
	return ranksBy(len(points), func(i, j int) bool {
		return ConstrainedDominates(points[i], points[j], constraints[i], constraints[j], dirs)
	}), nil
}
