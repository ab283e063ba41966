"""Prints, as JSON, what Optuna sees of a study: its trials (state, params
with their types, distributions as distribution_to_json writes them, value,
intermediate values, user attributes, fail_reason, start time) and the best
trial. Floats are printed by repr, so that inf and nan survive JSON.

    /usr/bin/python3 load_study.py STUDY.db STUDY_NAME
"""
import json
import sys

import optuna
from optuna.distributions import distribution_to_json

optuna.logging.set_verbosity(optuna.logging.WARNING)
path, name = sys.argv[1], sys.argv[2]
study = optuna.load_study(study_name=name, storage=path if "://" in path else "sqlite:///" + path)


def val(v):
    return None if v is None else {"type": type(v).__name__, "repr": repr(v)}


trials = []
for t in study.get_trials(deepcopy=False):
    trials.append(
        {
            "number": t.number,
            "state": t.state.name,
            "params": {k: val(v) for k, v in t.params.items()},
            "distributions": {k: distribution_to_json(d) for k, d in t.distributions.items()},
            "value": val(t.value) if t.values is not None else None,
            "intermediate": {str(k): repr(v) for k, v in t.intermediate_values.items()},
            "user_attrs": t.user_attrs,
            "fail_reason": t.system_attrs.get("fail_reason"),
            "start": t.datetime_start.isoformat() if t.datetime_start else None,
        }
    )
out = {"direction": study.direction.name, "trials": trials}
try:
    out["best"] = study.best_trial.number
except ValueError:
    out["best"] = None
print(json.dumps(out))
