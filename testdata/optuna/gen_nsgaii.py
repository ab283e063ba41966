#!/usr/bin/env python3
"""Generate reference values from Optuna 3.1's NSGAIISampler for tuner/nsgaii and tuner's NSGAIISampler.

Run with Debian's interpreter (python3-optuna 3.1, numpy 1.24):

    /usr/bin/python3 testdata/optuna/gen_nsgaii.py

Writes testdata/optuna/nsgaii.json next to this script. Infinities are written
as the strings "inf" and "-inf". Sections:

  crossovers  each crossover of optuna.samplers.nsgaii called once on a
              numpy RandomState(seed): the parents (rows) and bounds in the
              transformed space, the number of objectives of the study, the
              child, and the next rand() of the stream after the call (so
              that the number of draws is checked too)
  elite       NSGAIISampler._select_elite_population on populations with
              ties, infinities and constraints: the numbers of the elite, in
              Optuna's order
  studies     whole studies, optuna.create_study(directions, sampler=
              NSGAIISampler(seed=..., population_size=..., crossover=...,
              constraints_func=...)) run sequentially on the objectives
              below, which suggest their parameters in the order of their
              names: every trial's state, parameters (internal
              representation), values, constraints and generation. The Go
              test (tuner/nsgaii_golden_test.go) runs the same objectives.
"""
import json
import math
import os
import platform
import sys
import warnings

import numpy as np
import optuna
from optuna.samplers import NSGAIISampler
from optuna.samplers.nsgaii import (
    BLXAlphaCrossover,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)
from optuna.study import StudyDirection
from optuna.trial import TrialState, create_trial

warnings.simplefilter("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)

DIRS = {"minimize": StudyDirection.MINIMIZE, "maximize": StudyDirection.MAXIMIZE}


def enc(x):
    """JSON-safe copy: infinite floats become "inf" / "-inf"."""
    if isinstance(x, float) and x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, dict):
        return {k: enc(v) for k, v in x.items()}
    return x


class FakeStudy:
    """What the crossovers ask of a study: whether it has several objectives."""

    def __init__(self, objectives):
        self.objectives = objectives
        self.directions = [StudyDirection.MINIMIZE] * objectives

    def _is_multi_objective(self):
        return self.objectives > 1


CROSSOVERS = [
    ("uniform", {}, lambda: UniformCrossover()),
    ("uniform", {"swapping_prob": 0.3}, lambda: UniformCrossover(0.3)),
    ("blxalpha", {}, lambda: BLXAlphaCrossover()),
    ("blxalpha", {"alpha": 0.2}, lambda: BLXAlphaCrossover(0.2)),
    ("sbx", {}, lambda: SBXCrossover()),
    ("sbx", {"eta": 5.0}, lambda: SBXCrossover(5.0)),
    ("vsbx", {}, lambda: VSBXCrossover()),
    ("vsbx", {"eta": 7.0}, lambda: VSBXCrossover(7.0)),
    ("undx", {}, lambda: UNDXCrossover()),
    ("undx", {"sigma_xi": 0.3, "sigma_eta": 0.1}, lambda: UNDXCrossover(0.3, 0.1)),
    ("spx", {}, lambda: SPXCrossover()),
    ("spx", {"epsilon": 1.5}, lambda: SPXCrossover(1.5)),
]


def crossover_cases():
    cases = []
    gen = np.random.RandomState(20261207)
    seed = 0
    for name, args, make in CROSSOVERS:
        c = make()
        for d in (1, 2, 5):
            for objectives in (1, 2):
                seed += 1
                low = gen.uniform(-3, 0, size=d)
                high = low + gen.uniform(0.5, 4, size=d)
                parents = gen.uniform(low, high, size=(c.n_parents, d))
                if seed % 5 == 0:
                    parents[1] = parents[0]  # equal parents: a zero line for UNDX, no spread for SBX
                bounds = np.stack([low, high], axis=1)
                rng = np.random.RandomState(seed)
                child = c.crossover(parents.copy(), rng, FakeStudy(objectives), bounds.copy())
                cases.append(
                    {
                        "crossover": name,
                        "args": args,
                        "seed": seed,
                        "objectives": objectives,
                        "parents": parents.tolist(),
                        "low": low.tolist(),
                        "high": high.tolist(),
                        "child": [float(v) for v in child],
                        "next": float(rng.rand()),
                    }
                )
    return cases


def population(values, constraints):
    ts = []
    for i, v in enumerate(values):
        attrs = {}
        if constraints is not None and constraints[i] is not None:
            attrs = {"constraints": list(constraints[i])}
        t = create_trial(state=TrialState.COMPLETE, values=list(v), params={}, distributions={}, system_attrs=attrs)
        t.number = 100 + i
        t._trial_id = 100 + i
        ts.append(t)
    return ts


def elite_cases():
    rng = np.random.default_rng(20261208)
    cases = []
    for n, d, size, grid in [(12, 2, 6, 3), (20, 2, 10, 4), (16, 3, 8, 3), (30, 2, 15, 0), (24, 3, 12, 0),
                             (10, 2, 10, 2), (18, 4, 7, 2), (9, 2, 4, 0)]:
        for dirnames in (["minimize"] * d, (["maximize", "minimize"] * d)[:d]):
            for constrained in (False, True):
                if grid:
                    vals = rng.integers(0, grid, size=(n, d)).astype(float)
                else:
                    vals = rng.random((n, d)).round(4)
                vals = vals.tolist()
                if n > 10:
                    vals[3][0] = float("inf")
                    vals[7][d - 1] = float("-inf")
                cons = None
                if constrained:
                    cons = rng.normal(size=(n, 2)).round(2).tolist()
                    for i in range(0, n, 3):
                        cons[i] = [-0.5, 0.0]
                    cons[1] = None
                sampler = NSGAIISampler(
                    seed=0, population_size=size, constraints_func=(lambda t: [0.0]) if constrained else None
                )
                study = FakeStudy(d)
                study.directions = [DIRS[x] for x in dirnames]
                elite = sampler._select_elite_population(study, population(vals, cons))
                cases.append(
                    {
                        "values": vals,
                        "constraints": cons,
                        "directions": dirnames,
                        "size": size,
                        "elite": [t.number - 100 for t in elite],
                    }
                )
    return cases


# The objectives. Each suggests its parameters in the order of their names,
# so that Optuna's search space (in the order of suggestion) equals ours (in
# the order of names); tuner/nsgaii_golden_test.go holds the same in Go.


class Fail(Exception):
    pass


def obj_mixed(t):
    cat = t.suggest_categorical("a_cat", ["x", "y", "z"])
    b = t.suggest_int("b_int", 0, 10)
    lr = t.suggest_float("c_lr", 1e-4, 1e-1, log=True)
    d = t.suggest_float("d_step", 0.0, 1.0, step=0.1)
    e = t.suggest_float("e_x", -2.0, 2.0)
    f = t.suggest_int("f_ilog", 1, 64, log=True)
    g = t.suggest_int("g_istep", 0, 20, step=4)
    off = {"x": 0.0, "y": 0.5, "z": 1.0}[cat]
    v0 = e * e + (d - 0.3) * (d - 0.3) + b / 10 + off + lr * 3
    v1 = -((e - 1) * (e - 1)) + g / 20 + f / 64 - off * 0.5 + lr
    return v0, v1


def obj_constrained(t):
    x0 = t.suggest_float("x0", 0.0, 1.0)
    x1 = t.suggest_float("x1", 0.0, 1.0)
    x2 = t.suggest_float("x2", 0.0, 1.0)
    x3 = t.suggest_float("x3", 0.0, 1.0)
    k = t.suggest_int("y_k", 1, 5)
    if k == 3 and x0 < 0.25:
        raise Fail("k = 3 with a small x0")
    f1 = x0 + k * 0.1
    f2 = (1 - x0) * (1 + x1)
    f3 = x2 * x2 + x3 + (1 - x1) * 0.5
    return f1, f2, f3


def cons_constrained(t):
    p = t.params
    return [p["x0"] + p["x1"] - 1.2, 0.1 - p["x3"]]


def obj_single(t):
    c = t.suggest_categorical("c", [1, 2, 3])
    n = t.suggest_int("n", 0, 8)
    x = t.suggest_float("x", -3.0, 3.0)
    return (x - 1) * (x - 1) + (n - 4) * (n - 4) * 0.1 + c * 0.01


def obj_zdt(t):
    x0 = t.suggest_float("x0", 0.0, 1.0)
    x1 = t.suggest_float("x1", 0.0, 1.0)
    x2 = t.suggest_float("x2", 0.0, 1.0)
    x3 = t.suggest_float("x3", 0.0, 1.0)
    g = 1 + 9 * (x1 + x2 + x3) / 3
    return x0, g * (1 - math.sqrt(x0 / g))


def obj_dynamic(t):
    arch = t.suggest_categorical("arch", ["shallow", "deep"])
    depth = 1
    if arch == "deep":
        depth = t.suggest_int("depth", 2, 6)
    hi = t.suggest_float("hi", 0.5, 1.0)
    lo = t.suggest_float("lo", 0.0, hi)
    w = t.suggest_float("w", 0.0, 1.0, step=0.25)
    return depth * 0.1 + lo + w, (1 - lo) * hi + (1 - w) * 0.5


STUDIES = [
    # name, objective, directions, seed, population, crossover (name, args), constraints, trials
    ("mixed", obj_mixed, ["minimize", "maximize"], 1, 8, None, None, 90),
    ("constrained", obj_constrained, ["minimize"] * 3, 7, 10, None, cons_constrained, 110),
    ("single", obj_single, ["minimize"], 3, 6, None, None, 60),
    ("blxalpha", obj_zdt, ["minimize", "minimize"], 11, 8, ("blxalpha", {}), None, 80),
    ("dynamic", obj_dynamic, ["minimize", "minimize"], 5, 6, None, None, 70),
    ("seed0", obj_zdt, ["minimize", "minimize"], 0, 10, None, None, 60),
    ("sbx", obj_zdt, ["minimize", "minimize"], 13, 8, ("sbx", {}), None, 64),
    ("vsbx", obj_zdt, ["minimize", "minimize"], 17, 8, ("vsbx", {}), None, 64),
    ("undx", obj_zdt, ["minimize", "minimize"], 19, 8, ("undx", {}), None, 64),
    ("spx", obj_zdt, ["minimize", "minimize"], 23, 8, ("spx", {}), None, 64),
]

MAKERS = {
    "blxalpha": lambda a: BLXAlphaCrossover(**a),
    "sbx": lambda a: SBXCrossover(**a),
    "vsbx": lambda a: VSBXCrossover(**a),
    "undx": lambda a: UNDXCrossover(**a),
    "spx": lambda a: SPXCrossover(**a),
}


def run_study(name, objective, dirnames, seed, size, crossover, constraints, n):
    kwargs = {"seed": seed, "population_size": size}
    if crossover is not None:
        kwargs["crossover"] = MAKERS[crossover[0]](crossover[1])
    if constraints is not None:
        kwargs["constraints_func"] = constraints
    study = optuna.create_study(directions=dirnames, sampler=NSGAIISampler(**kwargs))
    study.optimize(objective, n_trials=n, catch=(Fail,))
    trials = []
    for t in study.get_trials(deepcopy=False):
        trials.append(
            {
                "number": t.number,
                "state": t.state.name.lower(),
                "params": {k: t.distributions[k].to_internal_repr(v) for k, v in t.params.items()},
                "values": t.values,
                "constraints": t.system_attrs.get("constraints"),
                "generation": t.system_attrs.get("nsga2:generation"),
            }
        )
    return {
        "name": name,
        "directions": dirnames,
        "seed": seed,
        "population_size": size,
        "crossover": None if crossover is None else {"name": crossover[0], "args": crossover[1]},
        "constrained": constraints is not None,
        "trials": trials,
    }


def main():
    out = {
        "generator": {
            "script": "testdata/optuna/gen_nsgaii.py",
            "optuna": optuna.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "crossovers": crossover_cases(),
        "elite": elite_cases(),
        "studies": [run_study(*s) for s in STUDIES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nsgaii.json")
    with open(path, "w") as f:
        json.dump(enc(out), f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
