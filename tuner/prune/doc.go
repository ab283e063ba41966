// Package prune holds the pruners that stop unpromising trials of a
// tuner.Study early, each as Optuna 3.1 decides, call for call: Median and
// Percentile (compare a trial's curve with the completed trials' at the
// same step), SuccessiveHalving (asynchronous successive halving) and
// Hyperband (successive halving over several brackets); and Wilcoxon
// (Optuna 5's WilcoxonPruner: a paired signed-rank test across folds
// against the best trial, for objectives that are a mean over folds or
// problem instances).
//
//	study, err := tuner.Open(ctx, tuner.Config{
//		Pruner: prune.Median{StartupTrials: 5, WarmupSteps: 2},
//	})
//
// A trial reports a value per step (tuner.Trial.Report) and asks
// tuner.Trial.ShouldPrune; a study's default pruner, tuner.NopPruner,
// never prunes. Each pruner has a Validate method that tuner.Open calls,
// returning an error that wraps tuner.ErrConfig.
//
// # Several objectives
//
// Optuna prunes no study of several objectives (optuna#3450); here
// SuccessiveHalving and Hyperband do. A trial of such a study reports one
// value per objective at each step (tuner.Trial.ReportValues) and asks
// ShouldPrune as before. At a rung the trial's vector v (its last step's)
// is recorded, and compared with the vectors the other trials recorded at
// the same rung, V (v among them), as one objective's values are:
//
//   - any NaN in v prunes the trial;
//   - the vectors are ordered as NSGA-II orders a population: by
//     non-domination rank first (pareto.Ranks: 0 for those no other
//     dominates, 1 for those only rank 0 dominates, …), then, within a
//     rank, by crowding distance among that rank's vectors
//     (pareto.CrowdingDistance), the lonelier first;
//   - the trial goes on if v is among the first max(⌊|V|/η⌋, 1) in that
//     order, or tied with the last of them (same rank and distance); else
//     it is pruned. The fraction kept is 1/η, as with one objective, and
//     with one objective the rule is Optuna's: rank orders by value and
//     equal values tie.
//
// So while fewer than η trials reached a rung, a trial goes on only if no
// other dominates it and, when three or more share the front, it is at an
// end of the front in some objective (an infinite crowding distance): of
// trials that trade one objective for another, the extremes are kept
// first, and the middle as more trials arrive. BootstrapCount, the rungs'
// steps, the auto min resource and Hyperband's brackets are as with one
// objective (the auto resources read the steps of objective 0, which is
// the trial's intermediate value). A rung of several objectives is stored
// in the attribute "completed_rung_k" as a JSON list ("[0.91, 2410.0]"),
// so a reopened study keeps it. The pruners of one objective, Median and
// Percentile, refuse a study of several (their ValidateDirections, which
// tuner.Open calls: tuner.ErrConfig): a percentile of vectors has no
// meaning that dominance would agree with.
package prune
