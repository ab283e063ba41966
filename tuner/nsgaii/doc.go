// Package nsgaii holds the parts of NSGA-II (Deb et al. 2002, "A fast and
// elitist multiobjective genetic algorithm: NSGA-II") as Optuna 3.1's
// NSGAIISampler computes them (optuna/samplers/nsgaii), on plain values:
// tuner.NSGAIISampler, the default sampler of a study of several
// objectives, turns trials into these values and back.
//
//   - Generations.Parents finds the parent population: each generation's
//     elite (SelectElite) is the PopulationSize best of its members and of
//     the previous generation's elite, by non-dominated rank, then crowding
//     distance (larger first), in Optuna's order.
//   - Breed makes one child: a crossover of parents chosen by binary
//     tournaments (or a copy of one member), then a mutation that drops
//     parameters to be drawn anew (Draw).
//   - The crossovers work on numerical parameters in Optuna's transformed
//     space (Param.Bounds: log scale, half a step beyond stepped ranges):
//     Uniform (the default), BLXAlpha, SBX, VSBX, UNDX and SPX, each
//     Optuna's; categorical parameters always cross uniformly.
//
// Every draw goes through Rand, in Optuna's order, so that numpy's stream
// (tuner.NSGAIISampler's NumpyStreams) gives Optuna's decisions: tested
// against Optuna 3.1 on testdata/optuna/gen_nsgaii.py, to the last bit for
// SelectElite, Uniform and BLXAlpha, to 1e-12 for the crossovers that take
// powers, square roots or a QR decomposition (numpy calls glibc and
// LAPACK). The package does not import tuner.
package nsgaii
