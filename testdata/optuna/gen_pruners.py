#!/usr/bin/env python3
"""Generate Optuna 3.1 reference decisions for tuner's pruners.

Run with Debian's interpreter (which has Optuna 3.1 and NumPy):

    /usr/bin/python3 testdata/optuna/gen_pruners.py

Writes testdata/optuna/pruners.json next to this script.

Each scenario builds an in-memory study with one of Optuna's pruners
(MedianPruner, PercentilePruner, SuccessiveHalvingPruner, HyperbandPruner)
and plays hand-written intermediate value sequences: trials start in number
order, up to `concurrency` at a time, and the running ones take turns
reporting one (step, value) each. After a report the trial is asked, as
Trial.should_prune does,

    pruner.prune(study, copy.deepcopy(storage.get_trial(trial_id)))

and a pruned trial ends there (study.tell(trial, state=PRUNED)); a trial
that runs out of values ends Complete (value = its last value) or Failed.
The JSON keeps the whole event log (start, report, prune with Optuna's
answer, finish) so the Go tests replay it exactly, plus, after each prune
call, the trial's "completed_rung_k" system attributes (successive halving),
the pruner's min resource and, for Hyperband, the trial's bracket.

"nanpercentile" records numpy.nanpercentile(values, q) (linear method) on
small arrays with NaN, infinities and ties.

"log" records Python's math.log(x) (glibc's log, correctly rounded) for a
few x where Go's math.Log is one ulp off or near.

"hyperband_tables" records, for several (min_resource, max_resource,
reduction_factor), Optuna's number of brackets, trial allocation budgets
and the bracket of trial numbers 0..N-1 for a few study names (crc32 of
"<name>_<number>").

Non-finite floats are written as the strings "NaN", "Inf" and "-Inf".
"""

import copy
import json
import math
import os
import sys
import warnings

import numpy as np
import optuna
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.ERROR)
# numpy warns about the all-NaN and infinite cases that the scenarios test on purpose.
warnings.filterwarnings("ignore", category=RuntimeWarning)

NAN = float("nan")
INF = float("inf")


def enc(x):
    """JSON-encodable copy of x, non-finite floats as strings."""
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Inf" if x > 0 else "-Inf"
        return x
    if isinstance(x, dict):
        return {k: enc(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    return x


def seq(values, steps=None, ask=None, end="complete"):
    """One trial: values reported at steps (default 0, 1, ...); ask[i] says
    whether the trial asks the pruner after report i (default always)."""
    values = [float(v) for v in values]
    if steps is None:
        steps = list(range(len(values)))
    if ask is None:
        ask = [True] * len(values)
    assert len(steps) == len(values) == len(ask)
    return {"steps": steps, "values": values, "ask": ask, "end": end}


def play(pruner, direction, trials, concurrency=1, study_name="default"):
    study = optuna.create_study(
        study_name=study_name,
        direction=direction,
        pruner=pruner,
        storage=optuna.storages.InMemoryStorage(),
    )
    storage = study._storage
    events = []
    pending = list(enumerate(trials))
    active = []  # [spec, trial, position]

    def finish(a, state):
        spec, t, _ = a
        if state == "complete":
            study.tell(t, spec["values"][-1])
        elif state == "pruned":
            study.tell(t, state=TrialState.PRUNED)
        else:
            study.tell(t, state=TrialState.FAIL)
        events.append({"trial": t.number, "op": "finish", "state": state})
        active.remove(a)

    while pending or active:
        while pending and len(active) < concurrency:
            i, spec = pending.pop(0)
            t = study.ask()
            assert t.number == i
            events.append({"trial": i, "op": "start"})
            active.append([spec, t, 0])
        for a in list(active):
            spec, t, pos = a
            if pos == len(spec["values"]):
                finish(a, spec["end"])
                continue
            step, value = spec["steps"][pos], spec["values"][pos]
            t.report(value, step)
            events.append({"trial": t.number, "op": "report", "step": step, "value": value})
            a[2] += 1
            if not spec["ask"][pos]:
                continue
            frozen = copy.deepcopy(storage.get_trial(t._trial_id))
            pruned = bool(pruner.prune(study, frozen))
            ev = {"trial": t.number, "op": "prune", "pruned": pruned}
            attrs = storage.get_trial(t._trial_id).system_attrs
            rungs = []
            while "completed_rung_{}".format(len(rungs)) in attrs:
                rungs.append(float(attrs["completed_rung_{}".format(len(rungs))]))
            ev["rungs"] = rungs
            if isinstance(pruner, optuna.pruners.SuccessiveHalvingPruner):
                ev["min_resource"] = pruner._min_resource or 0
            if isinstance(pruner, optuna.pruners.HyperbandPruner):
                ev["bracket"] = pruner._get_bracket_id(study, frozen) if pruner._pruners else -1
            events.append(ev)
            if pruned:
                finish(a, "pruned")
    return events


def percentile_args(p):
    return {
        "percentile": p._percentile,
        "n_startup_trials": p._n_startup_trials,
        "n_warmup_steps": p._n_warmup_steps,
        "interval_steps": p._interval_steps,
        "n_min_trials": p._n_min_trials,
    }


def percentile_scenarios():
    out = []

    def add(name, pruner, direction, trials, concurrency=1):
        out.append({
            "name": name,
            "median": type(pruner) is optuna.pruners.MedianPruner,
            "args": percentile_args(pruner),
            "direction": direction,
            "concurrency": concurrency,
            "events": play(pruner, direction, trials, concurrency),
        })

    # Defaults: 5 startup trials, then each trial's best so far vs the median
    # of the completed trials at the same step. Ties with the median stay.
    base = [
        [10, 8, 7, 6, 5, 4.5, 4, 3.8],
        [12, 9, 8, 7, 6.5, 6, 5.5, 5],
        [9, 7, 6, 5.5, 5, 4.8, 4.6, 4.4],
        [11, 10, 9, 8, 7, 6, 5, 4],
        [10, 9, 8.5, 8, 7.5, 7, 6.5, 6],
    ]
    add("median_defaults_minimize", optuna.pruners.MedianPruner(), "minimize", [seq(v) for v in base] + [
        seq([10, 9, 8.5, 8, 7.5, 7, 6.5, 6]),      # equal to the median at every step
        seq([13, 12, 11, 10, 9, 8, 7, 6]),         # worse from step 0
        seq([9, 9.5, 10, 10.5, 11, 11.5, 12, 13]), # good start, its best (9) stays good
        seq([11, NAN, 8.5, 7, 6, 5, 4, 3]),        # NaN in the middle is skipped by nanmin
        seq([NAN, NAN, 1]),                        # all NaN so far: pruned at once
        seq([10.5, 8.9, 7.9, 6.9]),
        seq([10.0, 9.0, 8.0, 7.0, 6.0, 4.0, 4.0, 4.0]),
    ])
    # Warm-up, interval and n_min_trials, maximizing, with irregular steps:
    # a check at step s happens only when no earlier report reached the
    # latest "pruning step" warmup + k * interval at or below s.
    add("median_warmup_interval_maximize",
        optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=3, interval_steps=2, n_min_trials=2),
        "maximize", [
            seq([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9]),
            seq([0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]),
            seq([0.05, 0.1, 0.2, 0.3], steps=[0, 2, 5, 6]),
            seq([0.1, 0.15, 0.2, 0.25, 0.3, 0.32], steps=[0, 1, 4, 7, 8, 9]),
            seq([0.3, 0.35, 0.4, 0.45], steps=[1, 3, 4, 5]),
            seq([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
            seq([0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
            seq([0.1, 0.1, 0.1], steps=[10, 11, 12]),  # no completed trial reached these steps
            seq([0.9, 0.01, 0.01, 0.01], steps=[3, 5, 6, 8]),
            # Step 6 is no pruning step (3, 5, 7, ...) and 5 was reported:
            # no check at 6, where the trial is already below the median.
            seq([0.47, 0.47, 0.47], steps=[5, 6, 7]),
            seq([0.46, 0.3, 0.9], steps=[5, 6, 7]),
        ])
    # The 25th percentile while maximizing is numpy's 75th percentile of the
    # others; infinities in the completed trials.
    add("percentile25_maximize_inf", optuna.pruners.PercentilePruner(25.0, n_startup_trials=3), "maximize", [
        seq([1, 2, 3, 4, 5]),
        seq([2, 3, INF, 5, 6]),
        seq([0, 1, 2, 3, -INF]),
        seq([1.5, 2.5, 3.5, 4.5, 5.5]),
        seq([1, 2, 3, 4, 5]),
        seq([1.9, 2.8, 3.2, 4.1, 5.2]),
        seq([2.5, 3.1, 10, 4, 5]),
        seq([0.5, 0.6, 0.7, 0.8, 0.9]),
        seq([3, 4, 5, 6, 7]),
    ])
    # A non-round percentile (virtual index (n - 1) * 0.333 is never an
    # integer), no startup trials (Optuna's 0 behaves as 1), NaN in the
    # completed trials, a failed and a pruned trial that must not count.
    add("percentile33.3_minimize_startup0", optuna.pruners.PercentilePruner(33.3, n_startup_trials=0), "minimize", [
        seq([5, 4, 3, 2, 1]),
        seq([6, 5, NAN, 3, 2]),
        seq([4, 4, 4, 4, 4], end="fail"),
        seq([5.5, 4.5, 3.5, 2.5, 1.5]),
        seq([7, 6, 5, 4, 3]),
        seq([4.9, 4.1, 3.3, 2.2, 1.1]),
        seq([5.2, 4.6, 3.4, 2.6, 1.4]),
        seq([0.1, 0.2, 0.3, 0.4, 0.5]),
        seq([6.5, 4.2, 3.1, 2.05, 1.05]),
        seq([5.1, 4.3, 3.25, 2.3, 1.3]),
    ])
    # Percentile 0 minimizing: only a trial at least as good as the best of
    # the others survives.
    add("percentile0_minimize", optuna.pruners.PercentilePruner(0.0, n_startup_trials=2), "minimize", [
        seq([3, 2, 1]),
        seq([4, 3, 2]),
        seq([3, 2.5, 0.5]),
        seq([2.9, 2, 1]),
        seq([3.1, 1.9, 0.9]),
    ])
    # Percentile 100 while maximizing is numpy's 0th percentile; with -inf
    # among the others the interpolation sees -inf.
    add("percentile100_maximize", optuna.pruners.PercentilePruner(100.0, n_startup_trials=2), "maximize", [
        seq([1, 2, 3]),
        seq([-INF, 1, 2]),
        seq([0, 0.5, 1]),
        seq([-5, -4, -3]),
        seq([2, 3, 4]),
    ])
    # Percentile 100 while minimizing: the top of the others, +inf there
    # makes numpy's interpolation NaN (never pruned).
    add("percentile100_minimize_inf", optuna.pruners.PercentilePruner(100.0, n_startup_trials=2), "minimize", [
        seq([1, 2, 3]),
        seq([INF, 1, 2]),
        seq([5, 0.5, 1]),
        seq([50, 4, 3]),
    ])
    # Interpolation between -inf and a finite value (percentile 40, 60).
    for p in (40.0, 60.0):
        add("percentile{}_minimize_neg_inf".format(int(p)), optuna.pruners.PercentilePruner(p, n_startup_trials=3), "minimize", [
            seq([-INF, -INF, 0]),
            seq([1, 2, 3]),
            seq([2, -INF, 1]),
            seq([-1, 0, 1]),
            seq([5, 1.5, 0.5]),
            seq([0, 3, 2]),
        ])
    # All completed values NaN at a step: the percentile is NaN, no pruning;
    # n_min_trials counts NaN values too.
    add("median_nan_completed_min_trials3", optuna.pruners.MedianPruner(n_startup_trials=1, n_min_trials=3), "minimize", [
        seq([NAN, 1, 2, 3]),
        seq([NAN, 2, 3]),
        seq([NAN, 3]),
        seq([5, 6, 7, 8]),
        seq([5, 1.5, 2.5, 9]),
    ])
    # Parallel trials: running trials do not count, nor do pruned ones.
    add("median_interleaved", optuna.pruners.MedianPruner(n_startup_trials=2), "minimize", [
        seq([5, 4, 3, 2, 1, 0.5]),
        seq([6, 5, 4, 3, 2, 1]),
        seq([4, 3.5, 3, 2.5, 2, 1.5]),
        seq([7, 6, 5, 4, 3, 2]),
        seq([4.5, 3.6, 2.9, 2.1, 1.2, 0.4]),
        seq([5.5, 5.4, 5.3, 5.2, 5.1, 5.0]),
        seq([3, 2, 1, 0.5, 0.25, 0.1]),
        seq([6.5, 4.5, 3.2, 2.2, 1.1, 0.6], end="fail"),
        seq([4.8, 3.9, 3.1, 2.4, 1.3, 0.9]),
        seq([5, 4, 3, 2, 1, 0.5]),
    ], concurrency=3)
    return out


def sha_args(p):
    return {
        "min_resource": p._min_resource,  # None for "auto"
        "reduction_factor": p._reduction_factor,
        "min_early_stopping_rate": p._min_early_stopping_rate,
        "bootstrap_count": p._bootstrap_count,
    }


def curve(a, b, n, noise=0.0, k=0):
    """a + b / (step + 1) with a deterministic wiggle."""
    return [a + b / (s + 1) + noise * math.sin(1.7 * s + k) for s in range(n)]


def sha_scenarios():
    out = []

    def add(name, kwargs, direction, trials, concurrency=1):
        pruner = optuna.pruners.SuccessiveHalvingPruner(**kwargs)
        args = sha_args(pruner)
        out.append({
            "name": name,
            "args": args,
            "direction": direction,
            "concurrency": concurrency,
            "events": play(pruner, direction, trials, concurrency),
        })

    # Defaults: min resource "auto" (the first completed trial's last step
    # // 100, at least 1) and reduction factor 4: rungs at steps 1, 4, 16.
    # The first trial runs before the min resource is known: no rungs.
    add("sha_defaults_auto", {}, "minimize",
        [seq(curve(1.0 + 0.1 * ((7 * i) % 10), 2.0, 24, 0.05, i)) for i in range(14)])
    # "auto" with a long first trial: last step 249 gives min resource 2,
    # rungs at steps 2, 8, 32, 128.
    add("sha_auto_min_resource_2", {}, "minimize",
        [seq(curve(1.0, 3.0, 250, 0.02, 0))] +
        [seq(curve(0.6 + 0.1 * ((3 * i) % 8), 3.0 - 0.2 * i, 140, 0.02, i)) for i in range(1, 12)])
    # Explicit everything, maximizing; bootstrap 2 prunes the first trials
    # to reach each rung until more than 2 have reached it.
    add("sha_explicit_maximize_bootstrap",
        {"min_resource": 2, "reduction_factor": 3, "min_early_stopping_rate": 1, "bootstrap_count": 2},
        "maximize", [seq([1 - v for v in curve(0.1 * ((5 * i) % 7), 1.0, 20, 0.03, i)]) for i in range(16)])
    # Sparse steps: one report can pass several rungs (each records the same
    # value); asking only sometimes; NaN values; a trial that reports
    # without ever asking records no rung at all.
    add("sha_sparse_steps_nan",
        {"min_resource": 1, "reduction_factor": 2},
        "minimize", [
            seq([5, 4, 3, 2], steps=[0, 3, 9, 20]),
            seq([4, 3, 2, 1], steps=[0, 3, 9, 20], ask=[False, False, False, False]),
            seq([6, 5, 4, 3, 2, 1], steps=[0, 1, 2, 5, 9, 20]),
            seq([4.5, 3.5, 2.5, 1.5], steps=[1, 4, 8, 16]),
            seq([4.4, 3.4, 2.4, 1.4], steps=[1, 4, 8, 16], ask=[True, False, True, True]),
            seq([3, NAN, 2], steps=[0, 1, 2]),
            seq([NAN, 1], steps=[0, 1]),
            seq([4.2, 3.2, 2.2, 1.2, 0.2], steps=[0, 2, 4, 8, 16]),
            seq([4.3, 3.3, 2.3, 1.3, 0.3], steps=[0, 1, 3, 7, 15]),
            seq([4.1, 3.1, 2.1, 1.1, 0.1], steps=[0, 1, 3, 7, 15]),
            seq([4.0, 3.0, 2.0, 1.0, 0.05], steps=[0, 1, 3, 7, 15]),
        ])
    # Parallel trials, reduction factor 3.
    add("sha_interleaved", {"min_resource": 1, "reduction_factor": 3}, "minimize",
        [seq(curve(0.5 + 0.07 * ((11 * i) % 13), 1.5, 12, 0.04, i)) for i in range(18)], concurrency=4)
    # "auto" with parallel trials: trials running when the first one
    # completes have no rungs for the steps they passed before.
    add("sha_auto_interleaved", {"reduction_factor": 2}, "maximize",
        [seq([-v for v in curve(0.3 * ((5 * i) % 6), 2.0, 10 + (i % 3), 0.05, i)]) for i in range(12)], concurrency=3)
    return out


def hyperband_args(p):
    return {
        "min_resource": p._min_resource,
        "max_resource": p._max_resource,  # "auto" or int, before any prune call
        "reduction_factor": p._reduction_factor,
        "bootstrap_count": p._bootstrap_count,
    }


def hyperband_scenarios():
    out = []

    def add(name, kwargs, direction, trials, study_name, concurrency=1):
        pruner = optuna.pruners.HyperbandPruner(**kwargs)
        args = hyperband_args(pruner)
        events = play(pruner, direction, trials, concurrency, study_name)
        out.append({
            "name": name,
            "args": args,
            "study_name": study_name,
            "direction": direction,
            "concurrency": concurrency,
            "n_brackets": pruner._n_brackets or 0,
            "budgets": pruner._trial_allocation_budgets,
            "events": events,
        })

    # Defaults: min 1, max "auto" (= the first completed trial's last
    # step + 1 = 27), reduction factor 3: 4 brackets.
    add("hyperband_defaults", {}, "minimize",
        [seq(curve(0.2 * ((7 * i) % 9), 2.0, 27, 0.05, i)) for i in range(40)], "hb-study")
    # Explicit resources, maximizing, bootstrap 1, parallel trials, the
    # default study name.
    add("hyperband_explicit_maximize",
        {"min_resource": 2, "max_resource": 40, "reduction_factor": 2, "bootstrap_count": 1},
        "maximize", [seq([1 - v for v in curve(0.1 * ((3 * i) % 10), 1.0, 40, 0.03, i)]) for i in range(30)],
        "default", concurrency=3)
    # A non-ASCII study name (crc32 of its UTF-8 bytes).
    add("hyperband_unicode_name", {"min_resource": 1, "max_resource": 9, "reduction_factor": 3},
        "minimize", [seq(curve(0.15 * ((5 * i) % 7), 1.0, 9, 0.02, i)) for i in range(24)], "résumé-研究")
    return out


def hyperband_tables():
    """Brackets and budgets as Optuna's HyperbandPruner initializes them."""
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    grid = []
    for min_r in (1, 2, 3, 7):
        for rf in (2, 3, 4, 5, 10):
            brackets = []
            for max_r in range(1, 1001):
                p = optuna.pruners.HyperbandPruner(min_resource=min_r, max_resource=max_r, reduction_factor=rf)
                p._try_initialization(study)
                brackets.append(p._n_brackets)
            grid.append({"min_resource": min_r, "reduction_factor": rf, "n_brackets": brackets})
    ids = []
    for name in ("default", "hb-study", "résumé-研究"):
        for (min_r, max_r, rf) in ((1, 27, 3), (1, 100, 3), (2, 40, 2), (1, 243, 3), (1, 1000, 10)):
            p = optuna.pruners.HyperbandPruner(min_resource=min_r, max_resource=max_r, reduction_factor=rf)
            s = optuna.create_study(study_name=name, storage=optuna.storages.InMemoryStorage(), pruner=p)
            p._try_initialization(s)
            brackets = []
            for n in range(200):
                t = optuna.trial.FrozenTrial(
                    number=n, state=TrialState.RUNNING, value=None, datetime_start=None,
                    datetime_complete=None, params={}, distributions={}, user_attrs={},
                    system_attrs={}, intermediate_values={}, trial_id=n)
                brackets.append(p._get_bracket_id(s, t))
            ids.append({
                "study_name": name, "min_resource": min_r, "max_resource": max_r, "reduction_factor": rf,
                "n_brackets": p._n_brackets, "budgets": p._trial_allocation_budgets, "brackets": brackets,
            })
    return {"n_brackets": grid, "bracket_ids": ids}


def nanpercentiles():
    """numpy.nanpercentile (linear) on small arrays with NaN, inf and ties."""
    arrays = [
        [3.0], [1.0, 2.0], [2.0, 1.0, 4.0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        [5.0, NAN, 1.0, 3.0], [NAN, NAN], [1.0, 1.0, 1.0, 2.0],
        [-INF, 0.0, 1.0], [0.0, 1.0, INF], [-INF, INF], [INF], [-INF, -INF, 2.0],
        [1e300, -1e300, 3.0], [0.3, 0.1, 0.7, 0.9, 0.5, 1.1],
    ]
    out = []
    for a in arrays:
        for q in (0.0, 10.0, 12.5, 25.0, 33.3, 50.0, 66.7, 75.0, 99.9, 100.0):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = float(np.nanpercentile(np.array(a, dtype=float), q))
            out.append({"values": a, "q": q, "result": r})
    return out


def logs():
    """Python's math.log (glibc's log) where Go's math.Log may differ."""
    xs = [2.0, 3.0, 4.0, 5.0, 10.0, 243.0, 1 / 3, 0.1, 0.5, 7 / 3, 1000.0, 1e-300, 1e300,
          5e-324, 1.7976931348623157e308, 1.0, 1.0000000000000002, 0.9999999999999999, 40 / 2, 729 / 3]
    return [{"x": x, "log": math.log(x)} for x in xs]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = {
        "generator": {
            "script": "testdata/optuna/gen_pruners.py",
            "optuna": optuna.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "percentile": percentile_scenarios(),
        "sha": sha_scenarios(),
        "hyperband": hyperband_scenarios(),
        "hyperband_tables": hyperband_tables(),
        "nanpercentile": nanpercentiles(),
        "log": logs(),
    }
    path = os.path.join(here, "pruners.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(enc(out), f, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    n = sum(1 for k in ("percentile", "sha", "hyperband") for s in out[k] for e in s["events"] if e["op"] == "prune")
    p = sum(1 for k in ("percentile", "sha", "hyperband") for s in out[k] for e in s["events"] if e["op"] == "prune" and e["pruned"])
    print("wrote {} ({} prune calls, {} pruned)".format(path, n, p))


if __name__ == "__main__":
    main()
