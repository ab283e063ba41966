"""Runs Optuna's study.optimize on a study gradtune created, beside
gradtune's workers: prints "ready" once the study is loaded, waits for a
line on stdin, runs N_TRIALS trials of the objective the Go test runs too,
and prints one JSON line: how many trials this side saw at the end, and the
most trials of the other side any of its own trials saw.

    /usr/bin/python3 optimize.py STUDY.db|STORAGE_URL STUDY_NAME N_TRIALS
"""
import json
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = path if "://" in path else "sqlite:///" + path
kwargs = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}
storage = optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
sampler = optuna.samplers.TPESampler(n_startup_trials=3, seed=7)
study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
print("ready", flush=True)
sys.stdin.readline()
seen_go = []


def objective(trial):
    x = trial.suggest_float("x", -2, 2)
    k = trial.suggest_int("n", 1, 4)
    act = trial.suggest_categorical("act", ["relu", "tanh"])
    trial.set_user_attr("side", "python")
    go = sum(1 for t in trial.study.get_trials(deepcopy=False) if t.user_attrs.get("side") == "go")
    seen_go.append(go)
    time.sleep(0.02)
    return x * x + k + (0.5 if act == "tanh" else 0)


study.optimize(objective, n_trials=n)
print(json.dumps({"seen": len(study.get_trials(deepcopy=False)), "max_seen_go": max(seen_go)}), flush=True)
