// Package cmaes is a CMA-ES sampler for the tuner: the covariance matrix
// adaptation evolution strategy (N. Hansen, "The CMA Evolution Strategy: A
// Tutorial", arXiv:1604.00772, 2016) draws each generation of trials from a
// multivariate normal distribution over the numerical parameters, and moves,
// widens, narrows and rotates it towards the better trials of the last
// generation. It suits continuous spaces of a few to a few dozen parameters
// and budgets of hundreds of trials or more; with fewer trials, or
// categorical parameters, TPE does better.
//
//	study, err := tuner.Open(ctx, tuner.Config{Sampler: cmaes.Sampler{}})
//
// It is Optuna 3.1's CmaEsSampler with the cmaes library 0.9.1, the same
// defaults included. Its search space is the numerical parameters that
// every complete trial holds with the same range (Optuna's intersection
// search space), less single-valued ones, transformed as Optuna does: Log
// parameters on the log scale, stepped and integer ones half a step beyond
// each end, then rounded to their grid. The first StartupTrials trials,
// categorical parameters, and every parameter while the space has one
// dimension or none are drawn by the Independent sampler.
//
// The first generation starts at the centre of the space (or X0) with a
// step size of the narrowest range over 6 and popsize = 4 + ⌊3 ln n⌋
// trials per generation for n parameters. Each trial drawn by CMA-ES is
// tagged with the generation it was drawn from; when popsize trials of the
// current generation are complete, the next trial to start tells them to the
// optimizer (the popsize of them with the smallest numbers), which
// updates the mean, the step size, the covariance matrix and the evolution
// paths as the tutorial's equations 41–47 say, and draws from the new
// generation. Trials of a generation that complete after it was told, and
// failed ones (an error, a panic, a NaN value, as in Optuna), are not used.
// Values are negated for Maximize. A draw outside the bounds is drawn
// again, up to 10n times, then clipped into them. With IPOP, an optimizer
// that has converged or stalled restarts from a random mean with a
// population IncPopsize times larger.
//
// # Trial attributes
//
// The sampler keeps no state of its own: each trial start rebuilds the
// optimizer from the study's trials, replaying its generations (each
// O(popsize·n² + n³)). The states replayed are cached by the hash of what
// made them (bounded, least recently used out), so a trial start computes
// only the generations told since the last one, and reads the trials: at
// 1,000 trials of 5 parameters that adds 1–4 ms of CPU to a trial, beside
// the study's own 4–6 ms (cmd/samplerbench measures it). What it needs it
// notes in the attributes of the trials it draws:
//
//	cma:generation   the generation (with IPOP: cma:restart_<r>:generation)
//	cma:n_restarts   the IPOP restart it belongs to, 0 without IPOP
//	cma:space        a hash of the search space it was drawn in
//	cma:told         on the trial whose start completed a generation:
//	                 "restart:generation:n1,n2,…", the trials told
//
// The last one makes the rebuilt optimizer the one each trial was drawn
// from, whatever finishes later: trial-number order picks a generation's
// solutions, and the record keeps that choice once made.
//
// # Differences from Optuna 3.1
//
//   - The normal draws come from Go's generator (tuner.SampleContext.Rand,
//     seeded by the study's Seed and the trial's number), not numpy's: the
//     same seed gives other points than Optuna. Fed the same solutions,
//     the update equals cmaes 0.9.1's to 1e-12 (the eigendecomposition is
//     gonum's, not LAPACK's, and differs in the last bits).
//   - The state is rebuilt from the trials rather than pickled into them,
//     and a generation's solutions are the ones noted by the trial that
//     told them, so two parallel workers never build different optimizers
//     from one generation (Optuna may re-tell a generation with other
//     trials when the trial holding its pickle is still running).
//   - A search space that changes (a parameter's range, a parameter no
//     longer in every complete trial) is noticed by its hash, where Optuna
//     compares the number of dimensions; both then sample independently
//     for good.
//   - X0 may leave parameters out (they start at their centre); Optuna
//     requires all of them.
//   - IPOP's restart means are drawn from Seed and the restart's number.
//   - A pruned trial (with ConsiderPrunedTrials) that reported NaN, or
//     lacks a parameter, is not used; Optuna fails on the latter.
//   - Not implemented: separable CMA-ES (use_separable_cma), CMA-ES with
//     margin (with_margin), warm starting (source_trials), multi-objective
//     studies.
package cmaes
