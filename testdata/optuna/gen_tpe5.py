#!/usr/bin/env python3
"""Generate reference values from Optuna 5's TPE sampler for tuner's TPESampler{Version: TPEOptuna5}.

Needs Optuna 5.0.0.dev, commit 1d8ce7bb6f3c7274a7a31a0a007991995085baa7 of
github.com/optuna/optuna, run with Debian's interpreter and libraries (numpy
1.24, scipy 1.10):

    git -C /work/.mirror/optuna+optuna/repo archive HEAD optuna | tar -x -C /tmp/optuna5
    PYTHONPATH=/tmp/optuna5 /usr/bin/python3 testdata/optuna/gen_tpe5.py

Writes testdata/optuna/tpe5.json next to this script. Everything is
deterministic (fixed seeds). It reuses gen_tpe.py's fixed studies (the same
trials, built with Optuna 5's create_trial). Sections:

  gamma_multi     samplers/_tpe/sampler.py default_gamma_multiobjective
  ppf             _truncnorm.ppf on whole batches (Newton's method; the batch
                  decides the number of steps)
  parzen          _ParzenEstimator's mixture: weights, and per parameter the
                  kernels' mus, sigmas and bounds (adapted_low/high, step) or
                  categorical weights, with and without predetermined weights
  acquisition     log_pdf of fixed candidates under the below and above
                  estimators
  mixture_sample  _ParzenEstimator.sample with the uniform stream it consumes
  hssp            optuna._hypervolume.hssp._solve_hssp (greedy hypervolume
                  subset selection) in 2, 3 and 4 objectives
  studies         fixed trials of one and of several objectives: complete,
                  pruned, failed, running, infeasible (constraints), dynamic
                  ranges
  sample          end to end: TPESampler.sample_independent / sample_relative
                  on those studies with the uniform stream its RandomState
                  consumes, the below/above split (_split_trials), the
                  candidates, both log-likelihoods and Optuna's choice
"""
import json
import math
import os
import platform
import sys
import warnings

import numpy as np
import optuna
import scipy
from optuna.distributions import CategoricalDistribution
from optuna.distributions import FloatDistribution
from optuna.distributions import IntDistribution
from optuna.samplers import TPESampler
from optuna.samplers._tpe import _truncnorm
from optuna.samplers._tpe import sampler as tpe_sampler
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimatorParameters
from optuna.samplers._tpe.probability_distributions import _BatchedCategoricalDistributions
from optuna._hypervolume.hssp import _solve_hssp
from optuna.trial import TrialState

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_tpe  # noqa: E402  (its fixed studies and helpers)
from gen_tpe import SPACE, dist_json, fl, trial_json  # noqa: E402

assert optuna.__version__.startswith("5."), f"needs Optuna 5 (PYTHONPATH=/tmp/optuna5), got {optuna.__version__}"
optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")  # deprecated TPESampler arguments, experimental features


# ------------------------------------------------------------ helpers
def params(prior_weight=1.0, clip=True, endpoints=False):
    return _ParzenEstimatorParameters(
        prior_weight=prior_weight, consider_magic_clip=clip, consider_endpoints=endpoints,
        weights=tpe_sampler.default_weights, multivariate=True,
    )


def params_json(p):
    return {"prior_weight": p.prior_weight, "consider_magic_clip": p.consider_magic_clip,
            "consider_endpoints": p.consider_endpoints}


def mixture_json(pe, space):
    mix = pe._mixture_distribution
    out = {"weights": fl(mix.weights), "params": {}}
    for (name, d), dist in zip(space.items(), mix.distributions):
        if isinstance(dist, _BatchedCategoricalDistributions):
            out["params"][name] = {"categorical_weights": [fl(r) for r in dist.weights]}
        else:
            out["params"][name] = {"low": float(dist.adapted_low), "high": float(dist.adapted_high),
                                   "step": float(dist.step), "log": bool(dist.is_log),
                                   "mus": fl(dist.mu), "sigmas": fl(dist.sigma)}
    return out


def as_samples(space, v):
    return {k: np.asarray(x, dtype=float) for k, x in v.items()}


F = FloatDistribution(-5.0, 5.0)
FL = FloatDistribution(1e-5, 1.0, log=True)
FS = FloatDistribution(0.0, 1.0, step=0.1)
I = IntDistribution(-3, 10)
IS = IntDistribution(0, 20, step=4)
IL = IntDistribution(1, 1024, log=True)
C = CategoricalDistribution(["a", "b", "c", "d"])


def observations(rs, d, n):
    if isinstance(d, CategoricalDistribution):
        return rs.randint(0, len(d.choices), size=n).astype(float)
    if isinstance(d, IntDistribution):
        if d.log:
            return np.round(np.exp(rs.uniform(np.log(d.low), np.log(d.high), size=n)))
        return (d.low + d.step * rs.randint(0, (d.high - d.low) // d.step + 1, size=n)).astype(float)
    if d.log:
        return np.exp(rs.uniform(np.log(d.low), np.log(d.high), size=n))
    if d.step is not None:
        k = int(round((d.high - d.low) / d.step))
        return np.round(d.low + d.step * rs.randint(0, k + 1, size=n), 10)
    return rs.uniform(d.low, d.high, size=n)


# ------------------------------------------------------------ ppf
def gen_ppf():
    rs = np.random.RandomState(5)
    out = []
    for n, spread in [(1, 1.0), (7, 2.0), (40, 5.0), (200, 30.0)]:
        a = rs.uniform(-spread, spread, n)
        b = a + rs.uniform(0.01, spread, n)
        q = rs.random_sample(n)
        out.append({"q": fl(q), "a": fl(a), "b": fl(b), "x": fl(_truncnorm.ppf(q, a, b))})
    q = np.asarray([0.0, 1e-9, 0.3, 0.999999, 0.5, 0.5, 0.7])
    a = np.asarray([-3.0, -40.0, 25.0, -1.0, 0.0, -30.5, 0.2])
    b = np.asarray([1.0, -39.0, 30.0, 1e-3, 0.5, -25.0, 50.0])
    out.append({"q": fl(q), "a": fl(a), "b": fl(b), "x": fl(_truncnorm.ppf(q, a, b))})
    return out


# ------------------------------------------------------------ parzen, acquisition, mixture sample
def parzen_cases():
    rs = np.random.RandomState(3)
    float7 = np.asarray([-4.2, 1.5, 0.3, 0.3, 4.9, -1.75, 2.0])
    return [
        ("float", {"x": F}, {"x": float7}, params(), None),
        ("float_endpoints", {"x": F}, {"x": float7}, params(endpoints=True), None),
        ("float_no_magic_clip", {"x": F}, {"x": float7}, params(clip=False), None),
        ("float_prior_weight", {"x": F}, {"x": float7}, params(prior_weight=0.5), None),
        ("float_empty", {"x": F}, {"x": np.asarray([])}, params(), None),
        ("float_one", {"x": F}, {"x": np.asarray([4.0])}, params(), None),
        ("float_two", {"x": F}, {"x": np.asarray([4.0, -2.0])}, params(), None),
        ("float_60_ramp", {"x": F}, {"x": observations(rs, F, 60)}, params(), None),
        ("float_log", {"x": FL}, {"x": observations(rs, FL, 12)}, params(), None),
        ("float_step", {"x": FS}, {"x": observations(rs, FS, 9)}, params(), None),
        ("int", {"n": I}, {"n": observations(rs, I, 40)}, params(), None),
        ("int_step", {"n": IS}, {"n": observations(rs, IS, 11)}, params(), None),
        ("int_log", {"n": IL}, {"n": observations(rs, IL, 15)}, params(), None),
        ("int_300_ties", {"n": I}, {"n": observations(rs, I, 300)}, params(), None),
        ("categorical", {"c": C}, {"c": observations(rs, C, 30)}, params(prior_weight=2.0), None),
        ("categorical_empty", {"c": C}, {"c": np.asarray([])}, params(), None),
        ("joint", {"a": F, "b": I, "c": C, "d": FL, "e": IL},
         {k: observations(rs, d, 30) for k, d in [("a", F), ("b", I), ("c", C), ("d", FL), ("e", IL)]}, params(), None),
        ("joint_predetermined", {"a": F, "c": C, "e": IL},
         {k: observations(rs, d, 8) for k, d in [("a", F), ("c", C), ("e", IL)]}, params(), np.ones(8)),
        ("joint_empty", {"a": F, "b": I}, {"a": np.asarray([]), "b": np.asarray([])}, params(), None),
    ]


def gen_parzen():
    out = []
    for name, space, ob, p, pre in parzen_cases():
        pe = _ParzenEstimator(ob, space, p, None if pre is None else pre.copy())
        out.append({
            "name": name,
            "params": params_json(p),
            "space": {k: dist_json(d) for k, d in space.items()},
            "observations": {k: fl(v) for k, v in ob.items()},
            "predetermined_weights": None if pre is None else fl(pre),
            "expected": mixture_json(pe, space),
        })
    return out


def gen_mixture_sample():
    out = []
    for name, space, ob, p, pre in parzen_cases():
        pe = _ParzenEstimator(ob, space, p, None if pre is None else pre.copy())
        size = 24
        seed = 100 + len(out)
        stream = fl(np.random.RandomState(seed).random_sample(size * (1 + len(space))))
        samples = pe.sample(np.random.RandomState(seed), size)
        out.append({
            "name": name,
            "params": params_json(p),
            "space": {k: dist_json(d) for k, d in space.items()},
            "observations": {k: fl(v) for k, v in ob.items()},
            "predetermined_weights": None if pre is None else fl(pre),
            "stream": stream,
            "samples": {k: fl(v) for k, v in samples.items()},
        })
    return out


def gen_acquisition():
    rs = np.random.RandomState(11)
    cases = [
        ("float", {"x": F}, {"x": [-1.0, -0.5, 0.2]}, {"x": list(rs.uniform(-5, 5, 25))},
         {"x": [-4.9, -2.5, -1.0, -0.7, -0.5, 0.0, 0.2, 1.0, 3.3, 5.0]}, params(), None),
        ("float_prior_weight_endpoints", {"x": F}, {"x": [-1.0, -0.5, 0.2, 4.0]}, {"x": list(rs.uniform(-5, 5, 40))},
         {"x": [-4.9, -2.5, -1.0, -0.7, -0.5, 0.0, 0.2, 1.0, 3.3, 5.0]}, params(prior_weight=3.0, endpoints=True), None),
        ("float_log", {"x": FL}, {"x": [1e-3, 2e-3, 5e-4]}, {"x": list(np.exp(rs.uniform(np.log(1e-5), 0, 20)))},
         {"x": [1e-5, 1e-4, 4e-4, 1e-3, 3e-3, 0.1, 1.0]}, params(), None),
        ("float_step", {"x": FS}, {"x": [0.3, 0.4, 0.4]}, {"x": list(np.round(rs.randint(0, 11, 15) * 0.1, 10))},
         {"x": [0.0, 0.1, 0.3, 0.4, 0.5, 0.9, 1.0]}, params(), None),
        ("int", {"n": I}, {"n": [2.0, 3.0, 3.0]}, {"n": list(rs.randint(-3, 11, 27).astype(float))},
         {"n": [-3.0, -1.0, 0.0, 2.0, 3.0, 4.0, 7.0, 10.0]}, params(), None),
        ("int_log", {"n": IL}, {"n": [30.0, 64.0]}, {"n": list(np.round(np.exp(rs.uniform(0, np.log(1024), 12))))},
         {"n": [1.0, 2.0, 16.0, 31.0, 64.0, 500.0, 1024.0]}, params(), None),
        ("categorical", {"c": C}, {"c": [1.0, 1.0, 3.0]}, {"c": list(rs.randint(0, 4, 20).astype(float))},
         {"c": [0.0, 1.0, 2.0, 3.0, 1.0]}, params(), None),
        ("joint", {"a": F, "b": I, "c": C, "d": FL, "e": IL},
         {"a": [0.5, 1.0, -0.2], "b": [3.0, 4.0, 3.0], "c": [2.0, 2.0, 0.0], "d": [0.01, 0.02, 0.005], "e": [4.0, 5.0, 300.0]},
         {"a": list(rs.uniform(-5, 5, 26)), "b": list(rs.randint(-3, 11, 26).astype(float)),
          "c": list(rs.randint(0, 4, 26).astype(float)), "d": list(np.exp(rs.uniform(np.log(1e-5), 0, 26))),
          "e": list(np.round(np.exp(rs.uniform(0, np.log(1024), 26))))},
         {"a": [0.4, -3.0, 4.5, 1.0], "b": [3.0, -3.0, 10.0, 4.0], "c": [2.0, 1.0, 3.0, 0.0], "d": [0.01, 1e-5, 0.5, 0.02],
          "e": [4.0, 1.0, 1024.0, 17.0]},
         params(), np.ones(3)),
    ]
    out = []
    for name, space, below, above, cand, p, pre in cases:
        below = {k: np.asarray(v, dtype=float) for k, v in below.items()}
        above = {k: np.asarray(v, dtype=float) for k, v in above.items()}
        cand = as_samples(space, cand)
        pb = _ParzenEstimator(below, space, p, None if pre is None else pre.copy())
        pa = _ParzenEstimator(above, space, p)
        ll, lg = pb.log_pdf(dict(cand)), pa.log_pdf(dict(cand))
        out.append({
            "name": name,
            "params": params_json(p),
            "space": {k: dist_json(d) for k, d in space.items()},
            "below": {k: fl(v) for k, v in below.items()},
            "above": {k: fl(v) for k, v in above.items()},
            "below_weights": None if pre is None else fl(pre),
            "candidates": {k: fl(v) for k, v in cand.items()},
            "log_l": fl(ll), "log_g": fl(lg), "best": int(np.argmax(ll - lg)),
        })
    return out


# ------------------------------------------------------------ hssp
def gen_hssp():
    rs = np.random.RandomState(17)
    out = []

    def front(n, d):
        # Points on a concave front (a sphere's orthant), so that all are non-dominated.
        x = np.abs(rs.normal(size=(n, d)))
        return 1.0 - x / np.linalg.norm(x, axis=1, keepdims=True)

    cases = []
    for n, d, k in [(12, 2, 4), (30, 2, 10), (9, 3, 3), (25, 3, 7), (14, 4, 5), (20, 4, 2)]:
        pts = front(n, d)
        cases.append((pts, k))
    dup = front(6, 2)
    cases.append((np.concatenate([dup, dup[:3]]), 8))  # fewer distinct points than asked for
    cases.append((np.concatenate([dup, dup[:2]]), 4))  # duplicates among more
    for pts, k in cases:
        labels = np.arange(100, 100 + len(pts))
        ref = tpe_sampler._get_reference_point(pts)
        chosen = _solve_hssp(pts, labels, k, ref)
        out.append({"points": [fl(p) for p in pts], "labels": [int(i) for i in labels], "k": k,
                    "ref": fl(ref), "chosen": sorted(int(i) for i in chosen)})
    return out


# ------------------------------------------------------------ studies
def mo_values(p, n_obj):
    f1 = gen_tpe.objective_value(p)
    f2 = (p["x"] + 2.0) ** 2 + (p["n"] - 5) ** 2 / 4.0 + (math.log10(p["lr"]) + 3.0) ** 2 + 0.3 * (2.0 - p["s"])
    f3 = abs(p["x"] - 0.5) + math.log2(p["m"]) / 4.0 + (0.2 if p.get("c") == "tanh" else 0.0)
    f4 = (p["x"] - 3.0) ** 2 / 3.0 + p["s"] + (p["n"] + 1) ** 2 / 8.0
    return [f1, f2, f3, f4][:n_obj]


def mo_constraints(p, tight=False):
    if tight:  # few feasible trials: infeasible ones join the good group
        return {"0": p["x"] + 3.8, "1": p["s"] - 1.0}
    return {"0": p["x"] - 2.5, "1": 0.3 - math.log10(p["lr"]) - 3.0 + p["s"] / 4.0}


def make_mo_trials(seed, n, directions, constraints, running):
    """Fixed trials of several objectives: mostly complete, some pruned (no
    reports: Optuna 5 cannot rank a pruned trial of several objectives by a
    report), some failed; with constraints, each finished trial reports two
    (some infeasible); with running, some still run (other workers')."""
    rs = np.random.RandomState(seed)
    signs = [-1.0 if d == "maximize" else 1.0 for d in directions]
    trials = []
    for i in range(n):
        p = gen_tpe.random_params(rs, True)
        dists = {k: SPACE[k] for k in p}
        vals = [s * v for s, v in zip(signs, mo_values(p, len(directions)))]
        kw = {"constraints": mo_constraints(p, constraints == "tight")} if constraints else {}
        if running and i % 7 == 3:
            q = dict(p)
            if i % 2 == 0:
                del q["c"]  # not suggested yet
            trials.append(optuna.trial.create_trial(state=TrialState.RUNNING, params=q, distributions={k: SPACE[k] for k in q}))
        elif i % 9 == 4:
            trials.append(optuna.trial.create_trial(state=TrialState.PRUNED, params=p, distributions=dists, **kw))
        elif i % 13 == 5:
            trials.append(optuna.trial.create_trial(state=TrialState.FAIL, params=p, distributions=dists))
        else:
            trials.append(optuna.trial.create_trial(state=TrialState.COMPLETE, values=vals, params=p, distributions=dists, **kw))
    return trials


def add_constraints(trials, tight=False):
    """Single-objective trials with constraints: each finished one reports
    two, some infeasible (most with tight)."""
    out = []
    for t in trials:
        if t.state in (TrialState.COMPLETE, TrialState.PRUNED):
            t = optuna.trial.create_trial(state=t.state, value=t.value, params=t.params, distributions=t.distributions,
                                          intermediate_values=t.intermediate_values, constraints=mo_constraints(t.params, tight))
        out.append(t)
    return out


def study_trial_json(t, number):
    values = list(t.values) if t.values is not None else None
    out = dict(trial_json(t) if not values or len(values) == 1 else dict(trial_json_mo(t), value=values[0]), number=number)
    out["values"] = values
    out["constraints"] = [t.constraints[k] for k in sorted(t.constraints)] if t.constraints else None
    return out


def trial_json_mo(t):
    """gen_tpe.trial_json for a trial of several objectives (whose .value
    Optuna refuses)."""
    return {
        "state": t.state.name.lower(),
        "params": {k: float(t.distributions[k].to_internal_repr(v)) for k, v in t.params.items()},
        "distributions": {k: dist_json(d) for k, d in t.distributions.items()},
        "intermediate": [],
    }


class Spy:
    """Records what TPESampler._sample computes: the split and the
    acquisition's inputs."""

    def __init__(self):
        self.split = None
        self.acq = None

    def __enter__(self):
        spy = self
        self.orig_split = tpe_sampler._split_trials
        self.orig_acq = TPESampler._compute_acquisition_func

        def split(study, trials, n_below):
            below, above = spy.orig_split(study, trials, n_below)
            spy.split = ([t.number for t in below], [t.number for t in above])
            return below, above

        def acq(sampler, samples, mpe_below, mpe_above):
            spy.acq = ({k: fl(v) for k, v in samples.items()}, fl(mpe_below.log_pdf(samples)), fl(mpe_above.log_pdf(samples)))
            return spy.orig_acq(sampler, samples, mpe_below, mpe_above)

        tpe_sampler._split_trials = split
        TPESampler._compute_acquisition_func = acq
        return self

    def __exit__(self, *exc):
        tpe_sampler._split_trials = self.orig_split
        TPESampler._compute_acquisition_func = self.orig_acq


def sample_study(case, seed, directions, fixed, kw, space_new, independent, multivariate_independent):
    """Samples a new trial of the study of fixed trials with Optuna 5's
    TPESampler, univariate (each parameter of independent, drawn from
    space_new) and multivariate (the relative search space, sorted by name,
    then each of multivariate_independent)."""
    out = []
    for multivariate in [False, True]:
        study = optuna.create_study(directions=directions, sampler=optuna.samplers.RandomSampler(seed=0))
        study.add_trials(fixed)
        sampler = TPESampler(seed=0, multivariate=multivariate, **kw)
        study.sampler = sampler
        trial = study.ask()
        frozen = study._storage.get_trial(trial._trial_id)
        n_cand = kw.get("n_ei_candidates", 24)
        names = [None] + multivariate_independent if multivariate else independent
        for name in names:
            stream_seed = 1000 * seed + (len(name) if name else 0) + (7 if multivariate else 0)
            n_params = 1 if name else len(space_new)
            stream = fl(np.random.RandomState(stream_seed).random_sample(n_cand * (1 + n_params)))
            sampler._rng._rng = np.random.RandomState(stream_seed)
            with Spy() as spy:
                if name:
                    ext = sampler.sample_independent(study, frozen, name, space_new[name])
                    chosen = {name: float(space_new[name].to_internal_repr(ext))}
                    space = {name: space_new[name]}
                else:
                    space = dict(sorted(sampler.infer_relative_search_space(study, frozen).items()))
                    ext = sampler.sample_relative(study, frozen, space)
                    chosen = {k: float(space[k].to_internal_repr(v)) for k, v in ext.items()}
            samples, log_l, log_g = spy.acq
            below, above = spy.split
            label = "relative" if name is None else name + (" (multivariate)" if multivariate else "")
            out.append({
                "name": f"{case}/{label}",
                "study": case,
                "sampler": dict(kw, multivariate=multivariate),
                "param": name or "",
                "space": {k: dist_json(d) for k, d in space.items()},
                "stream": stream,
                "below_numbers": sorted(below),
                "above_numbers": sorted(above),
                "candidates": samples,
                "log_l": log_l, "log_g": log_g,
                "chosen": chosen,
            })
    return out


def gen_sample():
    studies, out = [], []
    single = [
        ("minimize_30", 1, 30, "minimize", False, {}),
        ("maximize_40_conditional", 2, 40, "maximize", True, {}),
        ("minimize_60_endpoints_prior2", 3, 60, "minimize", True, {"consider_endpoints": True, "prior_weight": 2.0}),
        ("minimize_45_candidates7_noclip", 4, 45, "minimize", False, {"n_ei_candidates": 7, "consider_magic_clip": False}),
        ("minimize_80_pruned_heavy", 6, 80, "minimize", "pruned_heavy", {}),
        ("maximize_70_pruned_heavy", 7, 70, "maximize", "pruned_heavy", {}),
        ("minimize_36_constant_liar", 8, 36, "minimize", "running", {}),
        ("minimize_36_no_constant_liar", 8, 36, "minimize", "running", {"constant_liar": False}),
        ("minimize_50_constraints", 11, 50, "minimize", "constraints", {}),
        ("maximize_40_mostly_infeasible", 12, 40, "maximize", "tight", {}),
    ]
    for case, seed, n, direction, kind, kw in single:
        if kind == "pruned_heavy":
            fixed = gen_tpe.make_trials(seed, n, direction, False, pruned_heavy=True)
        elif kind == "running":
            fixed = gen_tpe.make_trials(seed, n, direction, False)
            for i in range(2, n, 6):  # other workers' trials, still running
                p = dict(fixed[i].params)
                if i % 4 == 0:
                    del p["c"]  # not suggested yet
                fixed[i] = optuna.trial.create_trial(state=TrialState.RUNNING, params=p, distributions={k: SPACE[k] for k in p})
        elif kind in ("constraints", "tight"):
            fixed = add_constraints(gen_tpe.make_trials(seed, n, direction, False), kind == "tight")
        else:
            fixed = gen_tpe.make_trials(seed, n, direction, kind)
        studies.append({"name": case, "directions": [direction], "trials": [study_trial_json(t, i) for i, t in enumerate(fixed)]})
        out += sample_study(case, seed, [direction], fixed, kw, SPACE, list(SPACE), ["x"])
    for case, seed, n, direction, top in [("minimize_40_dynamic_range", 9, 40, "minimize", 0.8),
                                          ("maximize_25_dynamic_range", 10, 25, "maximize", 0.15)]:
        fixed = gen_tpe.make_dynamic_trials(seed, n, direction)
        studies.append({"name": case, "directions": [direction], "trials": [study_trial_json(t, i) for i, t in enumerate(fixed)]})
        space_new = gen_tpe.dynamic_space(top)
        out += sample_study(case, seed, [direction], fixed, {}, space_new, list(space_new), ["other", "lr"])
    multi = [
        ("mo2_50", 21, 50, ["minimize", "maximize"], False, False),
        ("mo2_70_constraints_running", 22, 70, ["minimize", "minimize"], True, True),
        ("mo3_80", 23, 80, ["minimize", "minimize", "maximize"], False, False),
        ("mo3_60_constraints", 24, 60, ["minimize", "minimize", "minimize"], True, False),
        ("mo4_45", 25, 45, ["minimize", "minimize", "minimize", "minimize"], False, True),
        ("mo2_40_mostly_infeasible", 26, 40, ["maximize", "minimize"], "tight", False),
    ]
    for case, seed, n, directions, constraints, running in multi:
        fixed = make_mo_trials(seed, n, directions, constraints, running)
        studies.append({"name": case, "directions": directions, "trials": [study_trial_json(t, i) for i, t in enumerate(fixed)]})
        out += sample_study(case, seed, directions, fixed, {}, SPACE, list(SPACE), ["x"])
    return studies, out


def dumps(obj, depth):
    """JSON with one line per record: the top three levels indented, what
    lies below them compact (a trial, a sample case's stream)."""
    if depth >= 3 or not isinstance(obj, (dict, list)) or not obj:
        return json.dumps(obj, separators=(",", ":"), allow_nan=False)
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(obj, dict):
        items = [f"{inner}{json.dumps(k)}: {dumps(v, depth + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + dumps(v, depth + 1) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def main():
    studies, sample = gen_sample()
    doc = {
        "generator": {
            "script": "testdata/optuna/gen_tpe5.py",
            "optuna": optuna.__version__,
            "optuna_commit": "1d8ce7bb6f3c7274a7a31a0a007991995085baa7",
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "python": platform.python_version(),
        },
        "gamma_multi": [{"n": n, "gamma": tpe_sampler.default_gamma_multiobjective(n)}
                        for n in [0, 1, 9, 10, 11, 100, 249, 250, 251, 1000]],
        "ppf": gen_ppf(),
        "parzen": gen_parzen(),
        "mixture_sample": gen_mixture_sample(),
        "acquisition": gen_acquisition(),
        "hssp": gen_hssp(),
        "studies": studies,
        "sample": sample,
    }
    path = os.path.join(HERE, "tpe5.json")
    with open(path, "w") as f:
        f.write(dumps(doc, 0))
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
