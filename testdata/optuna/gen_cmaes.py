#!/usr/bin/env python3
"""Generate reference values from the cmaes library 0.9.1 and Optuna 3.1's CmaEsSampler for tuner/cmaes.

Run with Debian's interpreter (python3-cmaes, python3-optuna 3.1, numpy):

    /usr/bin/python3 testdata/optuna/gen_cmaes.py

Writes testdata/optuna/cmaes.json next to this script. Everything is
deterministic (fixed seeds); infinite values are written as the strings "inf"
and "-inf" (JSON has no infinity). Sections:

  constants    cmaes.CMA's population size, mu, mu_eff, learning rates (cc,
               c1, cmu, c_sigma, d_sigma), chi_n, the recombination weights
               and the length of the function-value history, per (dimension,
               population size)
  tell         runs of a few generations: the CMA's initial mean, sigma,
               bounds and population size; per generation the solutions told
               (x and value, in the order told; the x come from CMA.ask, so
               they are inside the bounds) and the state right after tell:
               mean, sigma, C, p_sigma, p_c (the eigendecomposition of C
               happens at the next ask or tell, so C is as tell left it)
  stop         long runs told until should_stop (IPOP's restart test) is true:
               the solutions of every generation and should_stop after each
  sampler      studies of Optuna's CmaEsSampler, one trial at a time, whose
               objective fails (returns NaN) or prunes itself at fixed trial
               numbers: each trial's state and its "cma:generation" and
               "cma:n_restarts" system attributes (absent: none). The
               bookkeeping depends on the trials' states only, not on the
               values drawn, so another generator gives the same attributes.
"""
import json
import math
import os
import platform
import warnings

import cmaes
import numpy as np
import optuna
from cmaes import CMA

warnings.simplefilter("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)
HERE = os.path.dirname(os.path.abspath(__file__))


def enc(x):
    """JSON-safe copy: numpy arrays become lists, infinite floats "inf" / "-inf"."""
    if isinstance(x, np.ndarray):
        return enc(x.tolist())
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(x, np.integer):
        return int(x)
    return x


def constants():
    out = []
    for n, popsize in [(2, None), (3, None), (5, None), (10, None), (40, None), (2, 4), (5, 20), (3, 101), (100, None)]:
        opt = CMA(mean=np.zeros(n), sigma=1.0, population_size=popsize)
        out.append({
            "n": n, "popsize_arg": popsize or 0, "popsize": opt._popsize, "mu": opt._mu,
            "mu_eff": opt._mu_eff, "cc": opt._cc, "c1": opt._c1, "cmu": opt._cmu,
            "c_sigma": opt._c_sigma, "d_sigma": opt._d_sigma, "chi_n": opt._chi_n,
            "weights": enc(opt._weights), "funhist_term": opt._funhist_term,
        })
    return out


def sphere(x):
    return float(np.sum(x ** 2))


def ellipsoid(x):
    n = len(x)
    rot = np.linalg.qr(np.random.RandomState(7).randn(n, n))[0]
    z = rot @ (x - 0.5)
    return float(np.sum((10.0 ** (3 * np.arange(n) / max(n - 1, 1))) * z ** 2))


def rosenbrock(x):
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def ties_and_inf(x):
    """Rounded values, so that several tie, and +inf for a corner."""
    if x[0] > 1.5:
        return float("inf")
    return float(np.round(np.sum(np.abs(x)), 0))


def state(opt):
    return {"generation": opt.generation, "mean": enc(opt._mean), "sigma": float(opt._sigma),
            "C": enc(opt._C), "p_sigma": enc(opt._p_sigma), "p_c": enc(opt._pc)}


def tell_runs():
    cases = [
        ("sphere2", 2, sphere, [0.0, 0.0], 10 / 6, [[-5, 5], [-5, 5]], None, 3, 1),
        ("ellipsoid5", 5, ellipsoid, [1.0, -1.0, 0.0, 2.0, 0.5], 0.7, [[-3, 3]] * 5, None, 3, 2),
        ("rosenbrock3_pop12", 3, rosenbrock, [-1.0, 1.5, 0.0], 0.5, None, 12, 3, 3),
        ("ties_inf4", 4, ties_and_inf, [0.5, 0.0, 0.0, 0.0], 1.0, [[-2, 2]] * 4, None, 2, 4),
        ("sphere10_offset", 10, lambda x: sphere(x - 0.3), [0.0] * 10, 1.0, [[-2, 2]] * 10, None, 3, 5),
    ]
    out = []
    for name, n, f, mean, sigma, bounds, popsize, gens, seed in cases:
        b = None if bounds is None else np.array(bounds, dtype=float)
        opt = CMA(mean=np.array(mean, dtype=float), sigma=sigma, bounds=b, seed=seed,
                  population_size=popsize, n_max_resampling=10 * n)
        run = {"name": name, "n": n, "mean": mean, "sigma": sigma, "bounds": bounds,
               "popsize": opt.population_size, "generations": []}
        for _ in range(gens):
            sols = [(x, f(x)) for x in (opt.ask() for _ in range(opt.population_size))]
            xs, vs = [enc(x) for x, _ in sols], [enc(v) for _, v in sols]
            opt.tell(sols)
            run["generations"].append({"x": xs, "values": vs, "after": state(opt)})
        out.append(run)
    return out


def stop_runs():
    cases = [
        # name, n, f, mean, sigma, bounds, seed
        ("sphere2", 2, lambda x: sphere(x - 0.25), [1.0, -1.0], 1.0, [[-5, 5], [-5, 5]], 11),
        ("flat3", 3, lambda x: 1.0, [0.0, 0.0, 0.0], 0.5, [[-1, 1]] * 3, 12),
        ("rosenbrock2", 2, rosenbrock, [0.0, 0.0], 0.3, [[-2.048, 2.048]] * 2, 13),
    ]
    out = []
    for name, n, f, mean, sigma, bounds, seed in cases:
        opt = CMA(mean=np.array(mean, dtype=float), sigma=sigma, bounds=np.array(bounds, dtype=float),
                  seed=seed, n_max_resampling=10 * n)
        run = {"name": name, "n": n, "mean": mean, "sigma": sigma, "bounds": bounds,
               "popsize": opt.population_size, "generations": []}
        for _ in range(2000):
            sols = [(x, f(x)) for x in (opt.ask() for _ in range(opt.population_size))]
            xs, vs = [enc(x) for x, _ in sols], [enc(v) for _, v in sols]
            opt.tell(sols)
            stop = bool(opt.should_stop())
            run["generations"].append({"x": xs, "values": vs, "stop": stop})
            if stop:
                break
        run["final"] = state(opt)
        out.append(run)
    return out


def sampler_studies():
    cases = [
        # name, space, n_trials, failing, pruned, sampler kwargs, direction
        ("sphere3", "3d", 40, {4, 9, 10, 23}, {12, 30}, {}, "minimize"),
        ("maximize2_startup3", "2d", 30, {2, 15}, set(), {"n_startup_trials": 3}, "maximize"),
        ("one_dimension", "1d", 8, set(), set(), {}, "minimize"),
        ("with_categorical", "mixed", 20, {7}, set(), {}, "minimize"),
        ("consider_pruned", "2d", 24, set(), {3, 8, 14}, {"consider_pruned_trials": True}, "minimize"),
    ]
    out = []
    for name, space, n_trials, failing, pruned, kwargs, direction in cases:
        def objective(trial, space=space, failing=failing, pruned=pruned):
            if space == "1d":
                v = trial.suggest_float("x", -5, 5) ** 2
            elif space == "2d":
                v = trial.suggest_float("x", -5, 5) ** 2 + trial.suggest_int("n", -10, 10) ** 2
            elif space == "3d":
                v = (trial.suggest_float("x", -5, 5) ** 2 + trial.suggest_float("lr", 1e-4, 1, log=True)
                     + trial.suggest_float("s", 0, 1, step=0.1))
            else:
                v = trial.suggest_float("x", -5, 5) ** 2 + trial.suggest_float("y", -5, 5) ** 2
                v += {"a": 0.0, "b": 1.0}[trial.suggest_categorical("c", ["a", "b"])]
            if trial.number in failing:
                return float("nan")
            if trial.number in pruned:
                trial.report(v, 0)
                raise optuna.TrialPruned()
            return v

        sampler = optuna.samplers.CmaEsSampler(seed=1, warn_independent_sampling=False, **kwargs)
        study = optuna.create_study(sampler=sampler, direction=direction)
        study.optimize(objective, n_trials=n_trials, catch=())
        trials = []
        for t in study.trials:
            trials.append({
                "number": t.number, "state": t.state.name.lower(),
                "generation": t.system_attrs.get("cma:generation"),
                "n_restarts": t.system_attrs.get("cma:n_restarts"),
            })
        out.append({"name": name, "space": space, "direction": direction, "trials_n": n_trials,
                    "failing": sorted(failing), "pruned": sorted(pruned),
                    "n_startup_trials": kwargs.get("n_startup_trials", 1),
                    "consider_pruned_trials": kwargs.get("consider_pruned_trials", False),
                    "popsize": 4 + math.floor(3 * math.log({"1d": 1, "2d": 2, "3d": 3, "mixed": 2}[space])),
                    "trials": trials})
    return out


def main():
    doc = {
        "generator": {
            "script": "testdata/optuna/gen_cmaes.py",
            "cmaes": cmaes.__version__,
            "optuna": optuna.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "constants": constants(),
        "tell": tell_runs(),
        "stop": stop_runs(),
        "sampler": sampler_studies(),
    }
    path = os.path.join(HERE, "cmaes.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    for r in doc["stop"]:
        print(f"stop {r['name']}: {len(r['generations'])} generations, stop={r['generations'][-1]['stop']}")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
