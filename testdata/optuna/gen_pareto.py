#!/usr/bin/env python3
"""Generate reference values from Optuna 3.1's multi-objective helpers for tuner/pareto.

Run with Debian's interpreter (python3-optuna 3.1, numpy):

    /usr/bin/python3 testdata/optuna/gen_pareto.py

Writes testdata/optuna/pareto.json next to this script. Everything is
deterministic (fixed seeds); infinities are written as the strings "inf" and
"-inf" (JSON has no infinity). Each case has points (rows are objective vectors)
and directions; sections:

  front        optuna.study._multi_objective._get_pareto_front_trials_by_trials:
               the numbers (row indices) of the non-dominated complete trials
  ranks        NSGAIISampler._fast_non_dominated_sort: each row's front (0 first)
  constrained  the same with a constraints_func, so under _constrained_dominates;
               constraints per row (None: the trial has none)
  crowding     optuna.samplers.nsgaii._sampler._calc_crowding_distance, in
               minimization space as NSGA-II calls it per front, including
               ties and infinite values
  hypervolume  optuna._hypervolume.WFG().compute(points, reference) in
               minimization space (every point <= reference), 2 to 4 objectives
"""
import json
import os
import platform
import sys
import warnings

import numpy as np
import optuna
from optuna._hypervolume import WFG
from optuna.distributions import FloatDistribution
from optuna.samplers import NSGAIISampler
from optuna.samplers.nsgaii._sampler import _calc_crowding_distance
from optuna.study import StudyDirection
from optuna.study._multi_objective import _get_pareto_front_trials_by_trials
from optuna.trial import TrialState, create_trial

warnings.simplefilter("ignore")

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


def trials_of(points, constraints=None):
    ts = []
    for i, p in enumerate(points):
        attrs = {}
        if constraints is not None and constraints[i] is not None:
            attrs = {"constraints": list(constraints[i])}
        t = create_trial(
            state=TrialState.COMPLETE, values=list(p), params={}, distributions={}, system_attrs=attrs
        )
        t.number = i
        t._trial_id = i
        ts.append(t)
    return ts


def point_sets(rng):
    """Random continuous sets, sets with ties and duplicates, small integer grids."""
    sets = []
    for n, d in [(1, 2), (2, 2), (7, 2), (40, 2), (5, 3), (30, 3), (25, 4), (12, 5)]:
        sets.append(rng.random((n, d)).round(6).tolist())
    for n, d in [(20, 2), (20, 3), (15, 4)]:
        sets.append(rng.integers(0, 4, size=(n, d)).astype(float).tolist())
    sets.append([[1.0, 2.0], [1.0, 2.0], [2.0, 1.0], [0.5, 3.0], [3.0, 3.0]])
    return sets


def main():
    rng = np.random.default_rng(20261206)
    out = {
        "generator": "testdata/optuna/gen_pareto.py",
        "optuna": optuna.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "front": [],
        "ranks": [],
        "constrained": [],
        "crowding": [],
        "hypervolume": [],
    }
    sets = point_sets(rng)
    for pts in sets:
        d = len(pts[0])
        for dirnames in (["minimize"] * d, (["maximize", "minimize"] * d)[:d]):
            dirs = [DIRS[x] for x in dirnames]
            front = _get_pareto_front_trials_by_trials(trials_of(pts), dirs)
            out["front"].append(
                {"points": pts, "directions": dirnames, "front": sorted(t.number for t in front)}
            )
            sampler = NSGAIISampler(seed=0)
            per_rank = sampler._fast_non_dominated_sort(trials_of(pts), dirs)
            ranks = [None] * len(pts)
            for r, members in enumerate(per_rank):
                for t in members:
                    ranks[t.number] = r
            out["ranks"].append({"points": pts, "directions": dirnames, "ranks": ranks})
    for pts in sets:
        n, d = len(pts), len(pts[0])
        cons = rng.normal(size=(n, 2)).round(3).tolist()
        for i in range(0, n, 4):
            cons[i] = [-1.0, 0.0]  # feasible, on the boundary
        if n > 3:
            cons[3] = None
        dirs = [StudyDirection.MINIMIZE] * d
        sampler = NSGAIISampler(seed=0, constraints_func=lambda t: [0.0])
        per_rank = sampler._fast_non_dominated_sort(trials_of(pts, cons), dirs)
        ranks = [None] * n
        for r, members in enumerate(per_rank):
            for t in members:
                ranks[t.number] = r
        out["constrained"].append(
            {"points": pts, "constraints": cons, "directions": ["minimize"] * d, "ranks": ranks}
        )
    crowd_sets = [s for s in sets if len(s) > 1] + [
        [[1.0, float("inf")], [2.0, 1.0], [3.0, 0.0], [0.0, float("inf")]],
        [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]],
        [[float("-inf"), 1.0], [0.0, 2.0], [float("inf"), 3.0], [1.0, 2.0]],
    ]
    for pts in crowd_sets:
        dist = _calc_crowding_distance(trials_of(pts))
        out["crowding"].append(
            {"points": pts, "distance": [dist[i] if i in dist else 0.0 for i in range(len(pts))]}
        )
    for pts in sets:
        arr = np.asarray(pts, dtype=float)
        for ref in (arr.max(axis=0) + 0.5, np.full(arr.shape[1], 1.1) if arr.max() < 1 else arr.max(axis=0)):
            out["hypervolume"].append(
                {"points": pts, "reference": ref.tolist(), "hypervolume": float(WFG().compute(arr.copy(), ref.copy()))}
            )
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pareto.json")
    with open(path, "w") as f:
        json.dump(enc(out), f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
