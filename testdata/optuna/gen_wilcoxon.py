#!/usr/bin/env python3
"""Generate Optuna 5's WilcoxonPruner decisions for tuner/prune.Wilcoxon.

Run with Optuna 5's source on the path (Debian's interpreter has NumPy and
SciPy 1.10):

    git -C /work/.mirror/optuna+optuna/repo archive HEAD optuna | tar -x -C /tmp/optuna5
    PYTHONPATH=/tmp/optuna5 /usr/bin/python3 testdata/optuna/gen_wilcoxon.py

Writes testdata/optuna/wilcoxon.json next to this script.

Optuna calls scipy.stats.wilcoxon(d, alternative=alt, zero_method="zsplit")
with method="auto" and correction=False. SciPy >= 1.13 (what Optuna 5 runs
with) dispatches "auto" as scipy/stats/_wilcoxon.py does:

  * n > 50                          -> normal approximation (tie-corrected se)
  * n <= 50, no ties, no zeros      -> exact null distribution of r_plus
  * n <= 13 with ties or zeros      -> exact permutation test (all 2^n sign flips)
  * 14 <= n <= 50, ties or zeros    -> normal approximation

SciPy 1.10 (installed here) used the exact distribution with ties and the
approximation with zeros for n <= 50. So the pruner module's `ss` is replaced
by a shim that applies the modern dispatch with SciPy 1.10's own pieces:
wilcoxon(method="exact"), wilcoxon(method="approx") (same formula) and
permutation_test (the modern code's permutation branch). Everything else is
Optuna 5's WilcoxonPruner unchanged.

Scenarios: trials run one after another; each reports (step, value) pairs in
the listed order and after each report asks should_prune(). A pruned trial
ends as the brief's example does (end="mean": Complete with the mean of its
reports) or Pruned (end="prune"). A trial that reports everything ends
Complete with the mean of its values. The JSON keeps each decision and the
p-value the shim computed for it (null when the pruner returned before the
test).
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import optuna
import optuna.pruners._wilcoxon as wmod
import scipy
import scipy.stats as st
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def enc(x):
    """JSON-encodable copy of x, non-finite floats as the strings "NaN", "Inf", "-Inf"."""
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Inf" if x > 0 else "-Inf")
    if isinstance(x, dict):
        return {k: enc(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    return x


def _rplus(d, axis=-1):
    d = np.moveaxis(np.asarray(d, dtype=float), axis, -1)
    r = st.rankdata(np.abs(d), axis=-1)
    return ((d > 0) * r).sum(-1) + ((d == 0) * r).sum(-1) / 2


def modern_wilcoxon(d, alternative, zero_method):
    assert zero_method == "zsplit"
    d = np.asarray(d, dtype=float)
    n = len(d)
    n_zero = int(np.sum(d == 0))
    _, counts = np.unique(np.abs(d), return_counts=True)
    has_ties = bool(np.any(counts > 1))
    if n > 50 or ((has_ties or n_zero) and n > 13):
        kind = "approx"
        res = st.wilcoxon(d, alternative=alternative, zero_method="zsplit", method="approx")
    elif not (has_ties or n_zero):
        kind = "exact"
        res = st.wilcoxon(d, alternative=alternative, zero_method="zsplit", method="exact")
    else:
        kind = "permutation"
        res = st.permutation_test((d,), _rplus, permutation_type="samples",
                                  alternative=alternative, n_resamples=9999, vectorized=True)
    modern_wilcoxon.last = (float(res.pvalue), kind)
    return res


class Shim:
    wilcoxon = staticmethod(modern_wilcoxon)


wmod.ss = Shim()


def play(sc):
    pruner = optuna.pruners.WilcoxonPruner(p_threshold=sc["p_threshold"],
                                           n_startup_steps=sc["n_startup_steps"])
    study = optuna.create_study(direction=sc["direction"], pruner=pruner)
    out = []
    for tr in sc["trials"]:
        t = study.ask()
        decisions = []
        vals = []
        pruned = False
        for step, v in tr["reports"]:
            t.report(v, step)
            vals.append(v)
            modern_wilcoxon.last = (None, None)
            p = t.should_prune()
            pv, kind = modern_wilcoxon.last
            decisions.append({"prune": bool(p), "p": pv, "method": kind})
            if p:
                pruned = True
                break
        if pruned and tr.get("end") == "prune":
            study.tell(t, state=TrialState.PRUNED)
        else:
            study.tell(t, sum(vals) / len(vals))
        out.append({"reports": tr["reports"][:len(decisions)], "end": tr.get("end", "mean"),
                    "decisions": decisions})
    return {"name": sc["name"], "direction": sc["direction"], "p_threshold": sc["p_threshold"],
            "n_startup_steps": sc["n_startup_steps"], "trials": out}


def noisy_trials(rng, means, n_folds, noise, shuffle, end="mean", fold_effect=None):
    trials = []
    if fold_effect is None:
        fold_effect = rng.normal(0, 1, n_folds)
    for m in means:
        order = rng.permutation(n_folds) if shuffle else np.arange(n_folds)
        reps = [[int(i), float(np.round(m + fold_effect[i] + rng.normal(0, noise), 6))] for i in order]
        trials.append({"reports": reps, "end": end})
    return trials


def scenarios():
    rng = np.random.RandomState(15)
    s = []
    s.append({"name": "minimize_exact_shuffled", "direction": "minimize", "p_threshold": 0.1,
              "n_startup_steps": 2,
              "trials": noisy_trials(rng, [1.0, 1.5, 0.8, 0.9, 2.0, 0.7, 1.2], 10, 0.3, True)})
    s.append({"name": "maximize_exact_pruned_state", "direction": "maximize", "p_threshold": 0.1,
              "n_startup_steps": 3,
              "trials": noisy_trials(rng, [0.8, 0.7, 0.85, 0.5, 0.9, 0.6], 12, 0.05, True, end="prune")})
    s.append({"name": "minimize_large_n_approx", "direction": "minimize", "p_threshold": 0.05,
              "n_startup_steps": 5,
              "trials": noisy_trials(rng, [0.0, 0.3, -0.2, 0.05, 1.0], 60, 0.5, True)})
    # Values on a coarse grid: ties and zero differences (permutation for
    # n <= 13, approximation for 14..50).
    fe = np.round(rng.normal(0, 1, 20), 1)
    trials = []
    for m in [1.0, 1.2, 0.9, 1.0, 1.5, 0.95]:
        reps = [[i, float(np.round(m + fe[i] + rng.choice([-0.1, 0.0, 0.1]), 1))] for i in range(20)]
        trials.append({"reports": reps})
    s.append({"name": "ties_and_zeros", "direction": "minimize", "p_threshold": 0.2,
              "n_startup_steps": 0, "trials": trials})
    s.append({"name": "identical_trials", "direction": "maximize", "p_threshold": 0.5,
              "n_startup_steps": 2,
              "trials": [{"reports": [[i, 1.0 + i] for i in range(6)]} for _ in range(3)]})
    # The best trial saw steps 0..4 only; later trials report 0..7 (unpaired
    # steps ignored), one trial has a NaN (never pruned), and the
    # average-is-best safety fires.
    s.append({"name": "unpaired_nan_safety", "direction": "minimize", "p_threshold": 0.3,
              "n_startup_steps": 2,
              "trials": [
                  {"reports": [[0, 1.0], [1, 2.0], [2, 3.0], [3, 4.0], [4, 5.0]]},
                  {"reports": [[7, 1.0], [0, 1.5], [1, 2.5], [5, 0.1], [2, 3.5], [3, 4.5], [4, 5.5]]},
                  {"reports": [[0, 1.1], [1, float("nan")], [2, 3.6], [3, 4.6]]},
                  {"reports": [[0, 1.2], [1, 2.2], [2, 3.2], [3, 4.2], [6, -30.0], [4, 5.2]]},
              ]})
    return s


def wilcoxon_cases():
    """Direct p-values of the modern dispatch for one-sided alternatives."""
    rng = np.random.RandomState(7)
    cases = []
    vecs = [
        [1.0, 2.0], [-1.0, 2.0, 3.0], [0.5, -0.25, 1.5, 2.5, -3.5],
        [1.0, 1.0, 2.0], [0.0, 1.0, 2.0, -3.0], [0.0, 0.0, 0.0], [1.0, 1.0, -1.0, -1.0],
    ]
    for n in (8, 13, 14, 30, 50, 51, 80):
        vecs.append(list(np.round(rng.normal(0.3, 1, n), 8)))
        vecs.append(list(np.round(rng.normal(0.2, 1, n), 1)))
    for d in vecs:
        for alt in ("greater", "less"):
            res = modern_wilcoxon(d, alt, "zsplit")
            cases.append({"d": [float(x) for x in d], "alternative": alt,
                          "p": float(res.pvalue), "method": modern_wilcoxon.last[1]})
    return cases


def main():
    out = {
        "generator": {"script": "testdata/optuna/gen_wilcoxon.py", "optuna": optuna.__version__,
                      "scipy": scipy.__version__, "numpy": np.__version__,
                      "python": sys.version.split()[0]},
        "scenarios": [play(sc) for sc in scenarios()],
        "wilcoxon": wilcoxon_cases(),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "wilcoxon.json"), "w") as f:
        json.dump(enc(out), f, allow_nan=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
