// Package tpe is the mathematics of the Tree-structured Parzen Estimator
// (Bergstra et al. 2011, "Algorithms for Hyper-Parameter Optimization") as
// Optuna 3.1 computes it (samplers/_tpe/sampler.py, parzen_estimator.py,
// _truncnorm.py), or Optuna 5.0 (see "Optuna 5" below), on plain float64
// values: tuner.TPESampler, the study's default sampler, turns trials into
// these values and back.
//
// One draw takes two steps:
//
//  1. Split ranks the finished trials (complete ones by value, then pruned
//     ones by their last report) and puts the Gamma(n) best "below", the
//     rest "above".
//  2. Acquire fits a Parzen estimator to each group, l(x) to below and g(x)
//     to above: p(x) = Σₖ wₖ·Kₖ(x) over one kernel per observation, weights
//     Weights(m) for the group's m observations (oldest first), plus a
//     prior kernel of weight PriorWeight; the wₖ are normalized to sum to 1.
//     Numerical kernels live in [low, high] (log low, log high for Log
//     ranges; low − step/2, high + step/2 for stepped and integer ranges,
//     whose kernels give x the mass of [x − step/2, x + step/2]); a kernel
//     is N(μₖ, σₖ²) truncated to that range: log Kₖ(x) = −z²/2 − log √(2π) −
//     log(Φ(bₖ) − Φ(aₖ)) with z = (x−μₖ)/σₖ, aₖ, bₖ the standardized
//     bounds. Centres μₖ are the observations; σₖ is the larger gap to its
//     neighbours among the sorted centres and the bounds (without
//     ConsiderEndpoints the outermost take their inner gap), clipped to
//     [(high−low)/min(100, 1+K), high−low] for K kernels (the "magic clip").
//     The prior kernel is centred on (low+high)/2 with σ = high−low. A
//     categorical kernel gives each of C choices PriorWeight/(m+1), plus 1
//     to the observed one, then normalizes; the prior's is uniform. With
//     Multivariate, each kernel is a product over the parameters and every
//     numerical σ is 0.2·max(m,1)^(−1/(d+4))·(high−low) for d parameters
//     (Scott's rule, as in BOHB, Falkner et al. 2018). It then draws
//     EICandidates points from l and returns the one with the largest
//     log l(x) − log g(x), which maximizes the expected improvement
//     (Bergstra et al. 2011, §4.1).
//
// Like Optuna 3.1 to 3.4, the continuous kernels' log-density leaves out
// −log σₖ (optuna#5109), and a Log int's density is taken at log x rather
// than as the mass of its interval; NormalizedDensity adds the −log σₖ.
// Continuous draws are clipped into [Low, High], which Optuna can overshoot
// by an ulp. Fed numpy's uniforms, Split and Acquire return Optuna's values
// (tested against Optuna 3.1).
//
// # Optuna 5
//
// With Options.Version Optuna5, Split, SplitMulti and Acquire compute as
// Optuna 5.0 does (tested against Optuna 5.0.0.dev, commit 1d8ce7bb6,
// through testdata/optuna/gen_tpe5.py). What changed since 3.1:
//
//   - the split: infeasible trials (Trial.Constraints) rank after the
//     feasible complete and pruned ones, by their violation; several
//     objectives split by non-domination rank and greedy hypervolume subset
//     selection (SplitMulti), with DefaultGammaMulti, and the good group's
//     observations weigh alike (Observations.BelowWeights);
//   - the estimator: the prior kernel is always there (NoPrior is refused)
//     and out of the bandwidth computation (each observation's σ is the
//     larger gap to its neighbours among the other observations and the
//     bounds); Multivariate changes nothing (no Scott's rule: Optuna 5
//     samples jointly with these bandwidths); the log-density includes
//     −log σ; a Log int is discrete on the log scale, its density at x the
//     mass of [log(x − ½), log(x + ½)];
//   - the draws: the uniforms go to the kernels, then to each categorical
//     parameter, then to each numerical one (3.1: parameter by parameter);
//     the truncated normal's quantile comes from Newton's method on the
//     whole batch (3.1: bisection); a gridded draw is low + round((x −
//     low)/step)·step;
//   - the log-density has no shortcut for a lone categorical parameter and
//     gives −∞, not NaN, where every kernel gives 0.
//
// Unchanged: the kernels' centres, the magic clip, the categorical kernels,
// the weights, DefaultGamma for one objective, numpy's argsort of the
// centres, log Φ and the acquisition (the largest log l − log g among
// EICandidates draws from l).
package tpe
