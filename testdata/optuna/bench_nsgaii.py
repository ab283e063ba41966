#!/usr/bin/env python3
"""Quality of Optuna 3.1's NSGAIISampler, for comparison with tuner's NSGAIISampler.

Run with Debian's interpreter (python3-optuna 3.1):

    /usr/bin/python3 testdata/optuna/bench_nsgaii.py [--seeds 10] [--trials 300]

Writes testdata/optuna/nsgaii_bench.json; `go run ./cmd/nsgabench` runs the same
problems through tuner and prints both side by side. The problems must stay
identical to cmd/nsgabench/main.go:

  zdt1, zdt2, zdt3  Zitzler, Deb and Thiele (2000) on 10 parameters in [0, 1],
                    two objectives, reference point (1.1, 11)
  dtlz2             Deb, Thiele, Laumanns and Zitzler (2002), three objectives
                    on 7 parameters in [0, 1] (k = 5), reference (2.5, 2.5, 2.5)

For each problem and seed, one study of --trials trials with
NSGAIISampler(seed=seed) (population 50, Optuna's defaults), suggesting the
parameters in name order (x0, x1, …); the hypervolume of the complete trials'
front to the reference point after every 100 trials (optuna._hypervolume.WFG
on the points that dominate the reference).
"""
import argparse
import json
import math
import os
import platform
import sys
import time
import warnings

import numpy as np
import optuna
from optuna._hypervolume import WFG
from optuna.samplers import NSGAIISampler

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def params(t, n):
    return [t.suggest_float("x%d" % i, 0.0, 1.0) for i in range(n)]


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt1(t):
    x = params(t, 10)
    g = zdt_g(x)
    return x[0], g * (1 - math.sqrt(x[0] / g))


def zdt2(t):
    x = params(t, 10)
    g = zdt_g(x)
    return x[0], g * (1 - (x[0] / g) * (x[0] / g))


def zdt3(t):
    x = params(t, 10)
    g = zdt_g(x)
    h = 1 - math.sqrt(x[0] / g) - (x[0] / g) * math.sin(10 * math.pi * x[0])
    return x[0], g * h


def dtlz2(t):
    x = params(t, 7)
    g = sum((xi - 0.5) * (xi - 0.5) for xi in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return (
        (1 + g) * math.cos(a) * math.cos(b),
        (1 + g) * math.cos(a) * math.sin(b),
        (1 + g) * math.sin(a),
    )


PROBLEMS = [
    ("zdt1", zdt1, 2, [1.1, 11.0]),
    ("zdt2", zdt2, 2, [1.1, 11.0]),
    ("zdt3", zdt3, 2, [1.1, 11.0]),
    ("dtlz2", dtlz2, 3, [2.5, 2.5, 2.5]),
]


def hypervolume(points, ref):
    ref = np.asarray(ref, dtype=float)
    pts = np.asarray([p for p in points if all(v < r for v, r in zip(p, ref))], dtype=float)
    if len(pts) == 0:
        return 0.0
    return float(WFG().compute(pts, ref))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--trials", type=int, default=300)
    args = ap.parse_args()
    out = {
        "generator": {
            "script": "testdata/optuna/bench_nsgaii.py",
            "optuna": optuna.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "trials": args.trials,
        "every": 100,
        "problems": [],
    }
    start = time.time()
    for name, f, m, ref in PROBLEMS:
        runs = []
        for seed in range(args.seeds):
            study = optuna.create_study(directions=["minimize"] * m, sampler=NSGAIISampler(seed=seed))
            study.optimize(f, n_trials=args.trials)
            values = [t.values for t in study.trials]
            runs.append([hypervolume(values[:k], ref) for k in range(100, args.trials + 1, 100)])
        out["problems"].append({"name": name, "objectives": m, "reference": ref, "hypervolume": runs})
        print(name, "done", round(time.time() - start, 1), "s", file=sys.stderr)
    with open(os.path.join(HERE, "nsgaii_bench.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
