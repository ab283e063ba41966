#!/usr/bin/env python3
"""Quality and overhead of Optuna 3.1's samplers, for comparison with tuner's.

Run with Debian's interpreter (python3-optuna 3.1):

    /usr/bin/python3 testdata/optuna/bench_samplers.py [--seeds 20] [--trials 100] [--samplers optuna_cmaes,optuna_qmc]

Writes testdata/optuna/samplers_bench.json; `go run ./cmd/samplerbench` runs
the same functions through tuner and prints both side by side. The test
functions and their ranges must stay identical to cmd/samplerbench/main.go.

Run with Optuna 5.0.0.dev (commit 1d8ce7bb6f3c7274a7a31a0a007991995085baa7 of
github.com/optuna/optuna) instead, it measures Optuna 5's TPESampler with its
defaults ("optuna5_tpe") and, for problems of several objectives (ZDT1, DTLZ2),
the median hypervolume of its multi-objective TPE and of random search, and
writes testdata/optuna/tpe5_bench.json:

    git -C /work/.mirror/optuna+optuna/repo archive HEAD optuna | tar -x -C /tmp/optuna5
    PYTHONPATH=/tmp/optuna5 /usr/bin/python3 testdata/optuna/bench_samplers.py --part quality

Quality: for each function, sampler and seed, one study of --trials trials;
the best value after 50 and after 100 trials (a study's first 50 trials do not
depend on the budget, so one run gives both). Samplers: TPE (independent and
multivariate), random search, CMA-ES (CmaEsSampler) and scrambled Sobol QMC
(QMCSampler(scramble=True)), each seeded with the study's seed. --samplers
runs only those named and keeps the others' results found in --out (the seeds
and trials must then be the same).

Overhead: mean seconds per trial, as wall time and as process CPU time
(fairer on a shared machine). TPE: study.ask() plus five suggestions on a
5-parameter space holding 100 and 1,000 complete trials (each measured trial
is then failed, so that all see the same history). CMA-ES: a whole trial (ask,
five suggestions, tell) of a study on a 5-parameter sphere, the trials after
the first 100 and 1,000.
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution
from optuna.distributions import FloatDistribution
from optuna.distributions import IntDistribution

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
HERE = os.path.dirname(os.path.abspath(__file__))


def sphere(d):
    def f(trial):
        return sum(trial.suggest_float(f"x{i}", -5.12, 5.12) ** 2 for i in range(d))

    return f


def branin(trial):
    x1 = trial.suggest_float("x1", -5.0, 10.0)
    x2 = trial.suggest_float("x2", 0.0, 15.0)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def rosenbrock(trial):
    x1 = trial.suggest_float("x1", -2.048, 2.048)
    x2 = trial.suggest_float("x2", -2.048, 2.048)
    return 100 * (x2 - x1**2) ** 2 + (1 - x1) ** 2


def himmelblau(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def mixed(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
    n = trial.suggest_int("n", -10, 10)
    k = trial.suggest_int("k", 1, 1024, log=True)
    c = trial.suggest_categorical("c", ["a", "b", "c", "d"])
    off = {"a": 1.0, "b": 0.0, "c": 0.5, "d": 2.0}[c]
    return (x - 1) ** 2 + (n - 3) ** 2 / 10 + (math.log10(lr) + 2) ** 2 + (math.log2(k) - 5) ** 2 / 10 + off


FUNCTIONS = {
    "sphere2": sphere(2),
    "sphere5": sphere(5),
    "branin": branin,
    "rosenbrock2": rosenbrock,
    "himmelblau": himmelblau,
    "mixed": mixed,
}

OPTUNA5 = optuna.__version__.startswith("5.")
SAMPLERS = {
    "optuna_tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "optuna_tpe_multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    "optuna_random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "optuna_cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False),
    "optuna_qmc": lambda seed: optuna.samplers.QMCSampler(scramble=True, seed=seed, warn_independent_sampling=False),
}
if OPTUNA5:
    warnings.filterwarnings("ignore")
    SAMPLERS = {"optuna5_tpe": lambda seed: optuna.samplers.TPESampler(seed=seed)}


def zdt1(d):
    """Zitzler, Deb and Thiele's ZDT1 in d variables: its front is
    f2 = 1 - sqrt(f1) where x1 = ... = x(d-1) = 0."""
    def f(trial):
        x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(d)]
        g = 1 + 9 * sum(x[1:]) / (d - 1)
        return x[0], g * (1 - math.sqrt(x[0] / g))

    return f


def dtlz2(d):
    """Deb, Thiele, Laumanns and Zitzler's DTLZ2 with 3 objectives in d
    variables: its front is the unit sphere's positive orthant."""
    def f(trial):
        x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(d)]
        g = sum((v - 0.5) ** 2 for v in x[2:])
        a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
        return ((1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a))

    return f


# Problem: (objective, number of objectives, hypervolume reference point);
# every objective is minimized.
MULTI = {
    "zdt1_6": (zdt1(6), 2, [1.1, 11.0]),
    "dtlz2_6": (dtlz2(6), 3, [2.0, 2.0, 2.0]),
}
MULTI_SAMPLERS = {
    "optuna5_tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "optuna_random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


def hypervolume(values, ref):
    from optuna._hypervolume import compute_hypervolume

    pts = np.asarray([v for v in values if all(a < r for a, r in zip(v, ref))])
    return float(compute_hypervolume(pts, np.asarray(ref))) if len(pts) else 0.0


def multi_quality(seeds, trials):
    out = {}
    for pname, (f, n_obj, ref) in MULTI.items():
        out[pname] = {}
        for sname, make in MULTI_SAMPLERS.items():
            runs = []
            for seed in range(1, seeds + 1):
                study = optuna.create_study(directions=["minimize"] * n_obj, sampler=make(seed))
                study.optimize(f, n_trials=trials)
                values = [t.values for t in study.trials]
                runs.append({"seed": seed, "hv50": hypervolume(values[:50], ref), "hv100": hypervolume(values[:100], ref)})
            out[pname][sname] = {
                "runs": runs,
                "median50": statistics.median(r["hv50"] for r in runs),
                "median100": statistics.median(r["hv100"] for r in runs),
            }
            print(f"{pname:12s} {sname:24s} median hypervolume@50 {out[pname][sname]['median50']:.4f} "
                  f"@100 {out[pname][sname]['median100']:.4f}", file=sys.stderr)
    return out


def quality(seeds, trials, samplers, out):
    for fname, f in FUNCTIONS.items():
        out.setdefault(fname, {})
        for sname in samplers:
            make = SAMPLERS[sname]
            runs = []
            for seed in range(1, seeds + 1):
                study = optuna.create_study(sampler=make(seed))
                study.optimize(f, n_trials=trials)
                values = [t.value for t in study.trials]
                runs.append({"seed": seed, "best50": min(values[:50]), "best100": min(values[:100])})
            out[fname][sname] = {
                "runs": runs,
                "median50": statistics.median(r["best50"] for r in runs),
                "median100": statistics.median(r["best100"] for r in runs),
            }
            print(f"{fname:12s} {sname:24s} median best@50 {out[fname][sname]['median50']:.4g} "
                  f"@100 {out[fname][sname]['median100']:.4g}", file=sys.stderr)
    return out


SPACE5 = {
    "x": FloatDistribution(-5.0, 5.0),
    "lr": FloatDistribution(1e-5, 1.0, log=True),
    "n": IntDistribution(1, 64),
    "s": FloatDistribution(0.0, 1.0, step=0.1),
    "c": CategoricalDistribution(["a", "b", "c", "d"]),
}


def overhead(n_done, reps, multivariate):
    rs = np.random.RandomState(0)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trials = []
    for _ in range(n_done):
        p = {
            "x": float(rs.uniform(-5, 5)),
            "lr": float(np.exp(rs.uniform(np.log(1e-5), 0))),
            "n": int(rs.randint(1, 65)),
            "s": float(np.round(0.1 * rs.randint(0, 11), 10)),
            "c": ["a", "b", "c", "d"][rs.randint(0, 4)],
        }
        v = p["x"] ** 2 + math.log10(p["lr"]) ** 2 + p["n"] / 64 + p["s"]
        trials.append(optuna.trial.create_trial(params=p, distributions=SPACE5, value=v))
    study.add_trials(trials)
    study.sampler = optuna.samplers.TPESampler(seed=1, multivariate=multivariate, warn_independent_sampling=False)
    wall, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        trial = study.ask()
        trial.suggest_float("x", -5.0, 5.0)
        trial.suggest_float("lr", 1e-5, 1.0, log=True)
        trial.suggest_int("n", 1, 64)
        trial.suggest_float("s", 0.0, 1.0, step=0.1)
        trial.suggest_categorical("c", ["a", "b", "c", "d"])
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        # Fail it, so that the next trial sees the same n_done complete ones.
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    # CPU time is the fairer measure on a shared machine.
    return {"sampler": "tpe", "n_done": n_done, "multivariate": multivariate, "reps": reps,
            "mean_s": statistics.mean(wall), "cpu_s": statistics.mean(cpu)}


def overhead_cmaes(n_done, reps):
    def sphere5(trial):
        return sum(trial.suggest_float(f"x{i}", -5.12, 5.12) ** 2 for i in range(5))

    study = optuna.create_study(sampler=optuna.samplers.CmaEsSampler(seed=1))
    study.optimize(sphere5, n_trials=n_done)
    wall, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        trial = study.ask()
        study.tell(trial, sphere5(trial))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"sampler": "cmaes", "n_done": n_done, "reps": reps,
            "mean_s": statistics.mean(wall), "cpu_s": statistics.mean(cpu)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--samplers", default=",".join(SAMPLERS),
                    help="comma-separated samplers to run; the others' results in --out are kept")
    ap.add_argument("--out", default=os.path.join(HERE, "tpe5_bench.json" if OPTUNA5 else "samplers_bench.json"))
    ap.add_argument("--part", choices=["all", "quality", "overhead"], default="all")
    args = ap.parse_args()
    samplers = args.samplers.split(",")
    for name in samplers:
        if name not in SAMPLERS:
            sys.exit(f"unknown sampler {name!r}: want some of {', '.join(SAMPLERS)}")
    old = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = json.load(f)
    t0 = time.time()
    q = old.get("quality", {})
    if args.part == "overhead":
        args.seeds, args.trials = old["seeds"], old["trials"]
    elif q and (old.get("seeds"), old.get("trials")) != (args.seeds, args.trials) and set(samplers) != set(SAMPLERS):
        sys.exit(f"{args.out} holds {old.get('seeds')} seeds of {old.get('trials')} trials: run those, or all samplers")
    if args.part in ("all", "quality"):
        if set(samplers) == set(SAMPLERS):
            q = {}
        q = quality(args.seeds, args.trials, samplers, q)
    oh = old.get("overhead", [])
    for o in oh:
        o.setdefault("sampler", "tpe")
    if args.part in ("all", "overhead"):
        if "optuna_tpe" in samplers:
            oh = [o for o in oh if o["sampler"] != "tpe"]
            oh += [overhead(n, reps, mv) for n, reps in [(100, 30), (1000, 10)] for mv in [False, True]]
        if "optuna_cmaes" in samplers:
            oh = [o for o in oh if o["sampler"] != "cmaes"]
            oh += [overhead_cmaes(n, reps) for n, reps in [(100, 30), (1000, 30)]]
    for o in oh:
        print(f"overhead {o['sampler']} n={o['n_done']} multivariate={o.get('multivariate', False)}: "
              f"{1000 * o['cpu_s']:.2f} ms CPU per trial", file=sys.stderr)
    gen = old.get("generator", {})
    gen.update({
        "script": "testdata/optuna/bench_samplers.py",
        "optuna": optuna.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    })
    if "seconds" in gen:  # a file of bench_tpe.py, the TPE part of this script
        gen["runs"] = [{"samplers": ["optuna_tpe", "optuna_tpe_multivariate", "optuna_random"], "part": "all",
                        "seconds": gen.pop("seconds")}]
    gen.setdefault("runs", []).append({"samplers": samplers, "part": args.part, "seconds": round(time.time() - t0, 1)})
    doc = {
        "generator": gen,
        "seeds": args.seeds,
        "trials": args.trials,
        "quality": q,
        "overhead": oh,
    }
    if OPTUNA5 and args.part != "overhead":
        doc["multi"] = multi_quality(args.seeds, args.trials)
        doc["generator"]["seconds"] = round(time.time() - t0, 1)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
