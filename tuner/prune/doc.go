// Package prune holds the pruners that stop unpromising trials of a
// tuner.Study early, each as Optuna 3.1 decides, call for call: Median and
// Percentile (compare a trial's curve with the completed trials' at the
// same step), SuccessiveHalving (asynchronous successive halving) and
// Hyperband (successive halving over several brackets).
//
//	study, err := tuner.Open(ctx, tuner.Config{
//		Pruner: prune.Median{StartupTrials: 5, WarmupSteps: 2},
//	})
//
// A trial reports a value per step (tuner.Trial.Report) and asks
// tuner.Trial.ShouldPrune; a study's default pruner, tuner.NopPruner,
// never prunes. Each pruner has a Validate method that tuner.Open calls,
// returning an error that wraps tuner.ErrConfig.
package prune
