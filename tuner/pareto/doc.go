// Package pareto compares objective vectors the way a multi-objective study
// needs: Pareto dominance, the non-dominated front, the fronts' ranks (fast
// non-dominated sort), NSGA-II's crowding distance, constrained dominance and
// the exact hypervolume.
//
// A point is one trial's objective values, []float64 of length d (the number
// of objectives); dirs says, per objective, whether it is minimized or
// maximized (goal.Minimize, goal.Maximize). The functions follow Optuna 3.1's
// semantics (optuna/study/_multi_objective.py, optuna/samplers/nsgaii,
// optuna/_hypervolume) and are tested against its values
// (testdata/optuna/gen_pareto.py).
//
// Errors: ragged points, a point whose length is not len(dirs), a direction
// other than Minimize or Maximize, or a NaN value give an error wrapping
// ErrInput, naming the point and objective.
package pareto
