// Package importance assesses how much each hyperparameter of a tuner
// study matters to its objective: Evaluate fits a random forest to the
// Complete trials and returns each parameter's share of the variance it
// explains (fANOVA, as Optuna 3.1's default importance evaluator computes
// it), normalized to sum to 1.
//
//	trials, err := study.Trials(ctx)
//	imp, err := importance.Evaluate(trials, importance.Options{})
//
// tunerplot.Importances draws the result as bars.
package importance
