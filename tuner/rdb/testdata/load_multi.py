"""Prints, as JSON, what Optuna sees of a study of several objectives: its
directions, its trials (state, values, the constraints system attribute,
the intermediate values and the system attributes
gradtune:intermediate_values_<step> that keep every objective's report,
floats by repr so that inf and nan survive JSON) and the numbers of
study.best_trials, which Optuna 3.1 computes without constraints.

    /usr/bin/python3 load_multi.py STUDY.db|STORAGE_URL STUDY_NAME
"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
path, name = sys.argv[1], sys.argv[2]
study = optuna.load_study(study_name=name, storage=path if "://" in path else "sqlite:///" + path)


VECTOR = "gradtune:intermediate_values_"


def reprs(xs):
    return None if xs is None else [repr(float(x)) for x in xs]


print(
    json.dumps(
        {
            "directions": [d.name for d in study.directions],
            "trials": [
                {
                    "number": t.number,
                    "state": t.state.name,
                    "values": reprs(t.values),
                    "constraints": reprs(t.system_attrs.get("constraints")),
                    "user_attrs": t.user_attrs,
                    "intermediate": {str(k): repr(float(v)) for k, v in t.intermediate_values.items()},
                    "vectors": {
                        k[len(VECTOR) :]: reprs(v) for k, v in t.system_attrs.items() if k.startswith(VECTOR)
                    },
                }
                for t in study.get_trials(deepcopy=False)
            ],
            "best_trials": sorted(t.number for t in study.best_trials),
        }
    )
)
