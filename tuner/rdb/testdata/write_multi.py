"""Runs an Optuna 3.1 study of two objectives (minimize, maximize) with
constraints (NSGAIISampler's constraints_func, which stores them as the
system attribute "constraints"); load_multi.py then prints what Optuna sees.
Trial 4 is pruned (Optuna keeps no values then), trial 6 returns one
value (Optuna fails it), trial 8 returns +inf and -inf.

    /usr/bin/python3 write_multi.py STUDY.db|STORAGE_URL STUDY_NAME
"""
import math
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
path, name = sys.argv[1], sys.argv[2]
url = path if "://" in path else "sqlite:///" + path


def constraints(trial):
    return (trial.params["x"] - 0.7, -1.0)


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    k = trial.suggest_int("k", 1, 3)
    trial.set_user_attr("side", "python")
    if trial.number == 4:
        raise optuna.TrialPruned()
    if trial.number == 6:
        return [x]
    if trial.number == 8:
        return math.inf, -math.inf
    return x * x, k - x


sampler = optuna.samplers.NSGAIISampler(seed=3, constraints_func=constraints, population_size=4)
study = optuna.create_study(study_name=name, storage=url, directions=["minimize", "maximize"], sampler=sampler)
study.optimize(objective, n_trials=12, catch=())
