#!/usr/bin/env python3
"""Generate Optuna reference importances for tuner.Importances (fANOVA).

Run with Debian's interpreter (which has Optuna 3.1 and scikit-learn 1.2):

    /usr/bin/python3 testdata/optuna/gen_importance.py

Writes testdata/optuna/importance.json next to this script. Each case runs a
seeded RandomSampler study, stores its trials (internal parameter values,
distributions, state, value) and Optuna's parameter importances,

    optuna.importance.get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(seed=s))

(defaults: n_trees=64, max_depth=64, min_samples_split=2, min_samples_leaf=1,
one-hot categoricals, raw values of log parameters, intersection search
space), for seeds s = 0..SEEDS-1: "mean" is their average and "spread" the
largest |importance(s) - mean| over seeds and parameters, i.e. how much
Optuna's own forests disagree with each other. Go's forest draws other
random numbers, so the tests compare against "mean" within a tolerance.

Cases:
  mixed        x in [-5, 5], lr log in [1e-4, 1e-1], n int in [1, 8],
               act categorical (relu, tanh, gelu); momentum in [0, 1] only
               when act == relu (conditional: outside the intersection
               search space, so it gets no importance); a few trials fail or
               are pruned (they must be ignored).
               value = x^2 + 2 n + {relu: 0, tanh: 6, gelu: 3} + 0.1 log10(lr)
  additive     y = 3 x1 + x2, x1, x2 in [0, 1]: importances 0.9 and 0.1.
  interaction  y = x1 * x2 + 0.5 x3, x1, x2, x3 in [-1, 1]: the product's
               variance lies in the interaction, not in x1 or x2 alone.
"""

import json
import math
import os
import sys

import numpy as np
import optuna
import sklearn
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.importance import FanovaImportanceEvaluator, get_param_importances

SEEDS = 10
HERE = os.path.dirname(os.path.abspath(__file__))

optuna.logging.set_verbosity(optuna.logging.ERROR)


def mixed(trial):
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 8)
    act = trial.suggest_categorical("act", ["relu", "tanh", "gelu"])
    if act == "relu":
        trial.suggest_float("momentum", 0, 1)
    if trial.number % 17 == 5:
        raise optuna.TrialPruned()
    if trial.number % 23 == 7:
        raise ValueError("failed on purpose")
    return x * x + 2 * n + {"relu": 0.0, "tanh": 6.0, "gelu": 3.0}[act] + 0.1 * math.log10(lr)


def additive(trial):
    x1 = trial.suggest_float("x1", 0, 1)
    x2 = trial.suggest_float("x2", 0, 1)
    return 3 * x1 + x2


def interaction(trial):
    x1 = trial.suggest_float("x1", -1, 1)
    x2 = trial.suggest_float("x2", -1, 1)
    x3 = trial.suggest_float("x3", -1, 1)
    return x1 * x2 + 0.5 * x3


CASES = [("mixed", mixed, 200), ("additive", additive, 200), ("interaction", interaction, 300)]


def dist_json(d):
    if isinstance(d, CategoricalDistribution):
        return {"type": "categorical", "choices": list(d.choices)}
    if isinstance(d, IntDistribution):
        return {"type": "int", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    if isinstance(d, FloatDistribution):
        return {"type": "float", "low": d.low, "high": d.high, "log": d.log,
                "step": d.step if d.step is not None else 0}
    raise TypeError(d)


def trial_json(t):
    value = t.value if t.value is not None and math.isfinite(t.value) else None
    return {
        "number": t.number,
        "state": t.state.name.lower(),
        "value": value,
        "params": {k: t.distributions[k].to_internal_repr(v) for k, v in t.params.items()},
        "distributions": {k: dist_json(d) for k, d in t.distributions.items()},
    }


def main():
    out = {
        "generator": {
            "script": "testdata/optuna/gen_importance.py",
            "optuna": optuna.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "seeds": SEEDS,
        "cases": [],
    }
    for name, objective, n in CASES:
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
        study.optimize(objective, n_trials=n, catch=(ValueError,))
        runs = []
        for s in range(SEEDS):
            imp = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=s))
            runs.append(dict(imp))
        names = sorted(runs[0])
        mean = {k: float(np.mean([r[k] for r in runs])) for k in names}
        spread = max(abs(r[k] - mean[k]) for r in runs for k in names)
        out["cases"].append({
            "name": name,
            "trials": [trial_json(t) for t in study.trials],
            "mean": mean,
            "spread": spread,
        })
        print(name, {k: round(v, 4) for k, v in mean.items()}, "spread", round(spread, 4))
    with open(os.path.join(HERE, "importance.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
