"""Continues, with Optuna 3.1's NSGAIISampler, a study of two objectives that
gradtune's NSGAIISampler started, and prints one JSON line: the generation
Optuna's sampler gave each of its trials (system attribute
nsga2:generation), in the order of their numbers.

    /usr/bin/python3 continue_nsga.py STORAGE_URL STUDY_NAME POPULATION N_TRIALS
"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
url, name, population, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sampler = optuna.samplers.NSGAIISampler(population_size=population, seed=0)
study = optuna.load_study(study_name=name, storage=url, sampler=sampler)
before = len(study.trials)


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    y = trial.suggest_float("y", 0, 1)
    return x + y, (1 - x) * (1 + y)


study.optimize(objective, n_trials=n)
print(json.dumps([t.system_attrs.get("nsga2:generation") for t in study.trials[before:]]))
