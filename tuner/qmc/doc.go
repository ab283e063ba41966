// Package qmc is a quasi-Monte Carlo sampler for the tuner: each trial takes
// the next point of one Sobol sequence, which covers the search space more
// evenly than independent random draws (no clusters, no holes), for the
// same trials. It suits the first trials of a study, a study with a small
// budget, and spaces where TPE has nothing to learn from yet; it learns
// nothing from the objective.
//
//	study, err := tuner.Open(ctx, tuner.Config{Sampler: qmc.Sampler{Seed: 7}})
//
// It is Optuna 3.1's QMCSampler(qmc_type="sobol") with two differences,
// both documented on Sampler: the sequence is scrambled unless Unscrambled
// is set (Optuna's default is not to scramble), and a trial's place in the
// sequence follows from its number, so parallel workers never draw the same
// point (Optuna counts in a study attribute that two workers can read at
// once).
package qmc
