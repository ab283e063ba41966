#!/usr/bin/env python3
"""Generate reference values from Optuna 3.1's TPE sampler for tuner's TPESampler.

Run with Debian's interpreter (python3-optuna 3.1, numpy, scipy):

    /usr/bin/python3 testdata/optuna/gen_tpe.py

Writes testdata/optuna/tpe_parzen.json next to this script. Everything is
deterministic (fixed seeds). Sections:

  gamma, weights   optuna.samplers._tpe.sampler.default_gamma / default_weights
  argsort          numpy's default (introsort) argsort on tie-heavy arrays, which
                   decides which tied observation gets which bandwidth
  truncnorm        Optuna's _erf.erf, _truncnorm._log_ndtr, _log_gauss_mass, ppf,
                   logpdf (3.1: without -log(scale), optuna#5109)
  parzen           _ParzenEstimator's weights, mus, sigmas, low, high, q and
                   categorical weights for fixed observations
  acquisition      log l(x), log g(x) of fixed candidates: Optuna 3.1's log_pdf
                   ("legacy") and the correctly normalised density computed with
                   scipy.special/scipy.stats on the same estimator ("corrected")
  studies          fixed trials: complete, pruned (with and without reports, NaN
                   last values sent as null), failed, running, conditional; and
                   dynamic ranges (each trial's ranges depend on its "top")
  sample           end to end: TPESampler.sample_independent / sample_relative on
                   those studies, with the uniform stream its RandomState
                   consumes, the below/above split, the candidates, both
                   log-likelihoods and Optuna's choice
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
import scipy.special
import scipy.stats
from optuna.distributions import CategoricalDistribution
from optuna.distributions import FloatDistribution
from optuna.distributions import IntDistribution
from optuna.samplers import TPESampler
from optuna.samplers._tpe import _erf
from optuna.samplers._tpe import _truncnorm
from optuna.samplers._tpe import sampler as tpe_sampler
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimatorParameters
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", message=".*not divisible by `step`")  # dynamic_space's stepped ranges
np.seterr(divide="ignore")  # ppf(q=0) takes log(0) on its way to a

HERE = os.path.dirname(os.path.abspath(__file__))


def fl(x):
    return [float(v) for v in np.asarray(x, dtype=float).ravel()]


# ------------------------------------------------------------ distributions
def dist_json(d):
    if isinstance(d, FloatDistribution):
        return {"type": "float", "low": d.low, "high": d.high, "log": d.log, "step": d.step or 0.0}
    if isinstance(d, IntDistribution):
        return {"type": "int", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    return {"type": "categorical", "choices": list(d.choices)}


def params(prior=True, prior_weight=1.0, clip=True, endpoints=False, multivariate=False):
    return _ParzenEstimatorParameters(
        prior, prior_weight, clip, endpoints, tpe_sampler.default_weights, multivariate
    )


def params_json(p):
    return {
        "consider_prior": p.consider_prior,
        "prior_weight": p.prior_weight,
        "consider_magic_clip": p.consider_magic_clip,
        "consider_endpoints": p.consider_endpoints,
        "multivariate": p.multivariate,
    }


def estimator_json(pe, space):
    out = {"weights": fl(pe._weights), "params": {}}
    for name, d in space.items():
        if isinstance(d, CategoricalDistribution):
            out["params"][name] = {"categorical_weights": [fl(r) for r in pe._categorical_weights[name]]}
        else:
            out["params"][name] = {
                "low": float(pe._low[name]),
                "high": float(pe._high[name]),
                "q": float(pe._q[name]) if pe._q[name] is not None else 0.0,
                "mus": fl(pe._mus[name]),
                "sigmas": fl(pe._sigmas[name]),
            }
    return out


def as_samples(d, v):
    """Samples as the estimator holds them: categorical indices are ints."""
    if isinstance(d, CategoricalDistribution):
        return np.asarray(v, dtype=int)
    return np.asarray(v, dtype=float)


# ------------------------------------------------------------ scipy reference density
def log_interval_mass(lo, hi):
    """log(Phi(hi) - Phi(lo)) with scipy.special, stable in both tails."""
    if hi <= 0:
        lp, lq = scipy.special.log_ndtr(hi), scipy.special.log_ndtr(lo)
        return lp + math.log1p(-math.exp(lq - lp))
    if lo > 0:
        return log_interval_mass(-hi, -lo)
    return math.log1p(-scipy.special.ndtr(lo) - scipy.special.ndtr(-hi))


def reference_log_pdf(pe, space, samples):
    """The mixture's log density with correctly normalised kernels (scipy)."""
    n = len(next(iter(samples.values())))
    k = len(pe._weights)
    comp = np.zeros((n, k))
    for name, d in space.items():
        xs = np.asarray(samples[name], dtype=float)
        if isinstance(d, CategoricalDistribution):
            comp += np.log(pe._categorical_weights[name].T[xs.astype(int), :])
            continue
        if d.log:
            xs = np.log(xs)
        low, high, q = pe._low[name], pe._high[name], pe._q[name]
        mus, sigmas = pe._mus[name], pe._sigmas[name]
        for i, x in enumerate(xs):
            for j in range(k):
                a, b = (low - mus[j]) / sigmas[j], (high - mus[j]) / sigmas[j]
                if q is None:
                    comp[i, j] += scipy.stats.truncnorm.logpdf(x, a, b, loc=mus[j], scale=sigmas[j])
                else:
                    lo = (max(x - q / 2.0, low) - mus[j]) / sigmas[j]
                    hi = (min(x + q / 2.0, high) - mus[j]) / sigmas[j]
                    comp[i, j] += log_interval_mass(lo, hi) - log_interval_mass(a, b)
    return fl(scipy.special.logsumexp(comp + np.log(pe._weights), axis=1))


# ------------------------------------------------------------ gamma, weights
def gen_gamma_weights():
    ns = [0, 1, 2, 5, 9, 10, 11, 24, 25, 26, 29, 30, 31, 50, 70, 100, 249, 250, 251, 1000]
    gamma = [{"n": n, "default": tpe_sampler.default_gamma(n), "hyperopt": tpe_sampler.hyperopt_default_gamma(n)} for n in ns]
    weights = [{"n": n, "w": fl(tpe_sampler.default_weights(n))} for n in [0, 1, 24, 25, 26, 27, 40, 100]]
    return gamma, weights


# ------------------------------------------------------------ argsort
def gen_argsort():
    rs = np.random.RandomState(7)
    cases = []
    for n, levels in [(5, 2), (16, 3), (17, 3), (18, 4), (40, 5), (100, 7), (300, 10), (64, 64)]:
        v = rs.randint(0, levels, size=n).astype(float)
        cases.append({"values": fl(v), "argsort": [int(i) for i in np.argsort(v)]})
    v = np.ones(50)
    cases.append({"values": fl(v), "argsort": [int(i) for i in np.argsort(v)]})
    v = np.arange(60, 0, -1, dtype=float)
    cases.append({"values": fl(v), "argsort": [int(i) for i in np.argsort(v)]})
    return cases


# ------------------------------------------------------------ truncnorm
def gen_truncnorm():
    xs = [-40.0, -30.5, -21.0, -7.3, -6.0, -5.9, -3.1, -2.0, -1.3, -1.0, -0.9, -0.5, -1e-9, 0.0, 1e-9,
          0.3, 0.8, 0.85, 1.2, 1.3, 2.5, 3.0, 4.7, 5.99, 6.0, 6.5, 8.0, 12.0, 40.0]
    erf = fl(_erf.erf(np.asarray(xs)))
    log_ndtr = fl(_truncnorm._log_ndtr(np.asarray(xs)))
    pairs = [(-1.0, 1.0), (-3.0, -1.0), (-30.0, -25.0), (1.0, 2.0), (25.0, 30.0), (0.0, 0.5), (-0.5, 0.0),
             (-40.0, 40.0), (-2.5, 0.1), (-8.0, -7.9), (7.9, 8.0), (-1e-3, 1e-3), (0.2, 50.0)]
    a = np.asarray([p[0] for p in pairs])
    b = np.asarray([p[1] for p in pairs])
    mass = fl(_truncnorm._log_gauss_mass(a, b))
    ppf = []
    for lo, hi in pairs:
        for q in [0.0, 1e-6, 0.1, 0.37, 0.5, 0.93, 1.0 - 1e-9, 1.0]:
            ppf.append({"q": q, "a": lo, "b": hi, "x": float(_truncnorm.ppf(np.asarray([q]), lo, hi)[0])})
    logpdf = []
    for x, lo, hi, loc, scale in [(0.3, -1.0, 2.0, 0.5, 0.2), (0.0, -1.0, 1.0, 0.0, 1.0), (4.0, -3.0, 3.0, 1.0, 2.0),
                                  (-1.0, -0.5, 0.5, 0.0, 3.0), (2.0005, -10.0, 0.1, 2.0, 0.01)]:
        logpdf.append({"x": x, "a": lo, "b": hi, "loc": loc, "scale": scale,
                       "optuna31": float(_truncnorm.logpdf(np.asarray([x]), lo, hi, loc=loc, scale=scale)[0]),
                       "scipy": float(scipy.stats.truncnorm.logpdf(x, lo, hi, loc=loc, scale=scale))})
    return {"x": xs, "erf": erf, "log_ndtr": log_ndtr,
            "mass": [{"a": p[0], "b": p[1], "log_mass": m} for p, m in zip(pairs, mass)],
            "ppf": ppf, "logpdf": logpdf}


# ------------------------------------------------------------ parzen
def gen_parzen():
    rs = np.random.RandomState(3)
    F = FloatDistribution(-5.0, 5.0)
    FL = FloatDistribution(1e-5, 1.0, log=True)
    FS = FloatDistribution(0.0, 1.0, step=0.1)
    I = IntDistribution(-3, 10)
    IS = IntDistribution(0, 20, step=4)
    IL = IntDistribution(1, 1024, log=True)
    C = CategoricalDistribution(["a", "b", "c", "d"])

    def obs(d, n):
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

    float7 = np.asarray([-4.2, 1.5, 0.3, 0.3, 4.9, -1.75, 2.0])
    cases = [
        ("float", {"x": F}, {"x": float7}, params()),
        ("float_endpoints", {"x": F}, {"x": float7}, params(endpoints=True)),
        ("float_no_magic_clip", {"x": F}, {"x": float7}, params(clip=False)),
        ("float_no_prior", {"x": F}, {"x": float7}, params(prior=False)),
        ("float_prior_weight", {"x": F}, {"x": float7}, params(prior_weight=0.5)),
        ("float_empty", {"x": F}, {"x": np.asarray([])}, params()),
        ("float_empty_no_prior", {"x": F}, {"x": np.asarray([])}, params(prior=False)),
        ("float_one", {"x": F}, {"x": np.asarray([4.0])}, params()),
        ("float_two_endpoints", {"x": F}, {"x": np.asarray([4.0, -2.0])}, params(endpoints=True)),
        ("float_60_ramp", {"x": F}, {"x": obs(F, 60)}, params()),
        ("float_log", {"x": FL}, {"x": obs(FL, 12)}, params()),
        ("float_step", {"x": FS}, {"x": obs(FS, 9)}, params()),
        ("int", {"n": I}, {"n": obs(I, 40)}, params()),
        ("int_endpoints", {"n": I}, {"n": obs(I, 40)}, params(endpoints=True)),
        ("int_step", {"n": IS}, {"n": obs(IS, 11)}, params()),
        ("int_log", {"n": IL}, {"n": obs(IL, 15)}, params()),
        ("int_300_ties", {"n": I}, {"n": obs(I, 300)}, params()),
        ("categorical", {"c": C}, {"c": obs(C, 30)}, params(prior_weight=2.0)),
        ("categorical_no_prior", {"c": C}, {"c": obs(C, 6)}, params(prior=False)),
        ("categorical_empty", {"c": C}, {"c": np.asarray([])}, params()),
        ("multivariate", {"a": F, "b": I, "c": C, "d": FL},
         {"a": obs(F, 30), "b": obs(I, 30), "c": obs(C, 30), "d": obs(FL, 30)}, params(multivariate=True)),
        ("multivariate_empty", {"a": F, "b": I},
         {"a": np.asarray([]), "b": np.asarray([])}, params(multivariate=True)),
        ("univariate_float_multivariate_bandwidth", {"x": F}, {"x": float7}, params(multivariate=True)),
    ]
    out = []
    for name, space, ob, p in cases:
        pe = _ParzenEstimator(ob, space, p)
        out.append({
            "name": name,
            "params": params_json(p),
            "space": {k: dist_json(d) for k, d in space.items()},
            "observations": {k: fl(v) for k, v in ob.items()},
            "expected": estimator_json(pe, space),
        })
    return out


# ------------------------------------------------------------ acquisition
def gen_acquisition():
    rs = np.random.RandomState(11)
    F = FloatDistribution(-5.0, 5.0)
    FL = FloatDistribution(1e-5, 1.0, log=True)
    FS = FloatDistribution(0.0, 1.0, step=0.1)
    I = IntDistribution(-3, 10)
    IL = IntDistribution(1, 1024, log=True)
    C = CategoricalDistribution(["a", "b", "c", "d"])
    cases = [
        ("float", {"x": F}, {"x": [-1.0, -0.5, 0.2]}, {"x": list(rs.uniform(-5, 5, 25))},
         {"x": [-4.9, -2.5, -1.0, -0.7, -0.5, 0.0, 0.2, 1.0, 3.3, 5.0]}, params()),
        ("float_prior_weight_endpoints", {"x": F}, {"x": [-1.0, -0.5, 0.2, 4.0]}, {"x": list(rs.uniform(-5, 5, 40))},
         {"x": [-4.9, -2.5, -1.0, -0.7, -0.5, 0.0, 0.2, 1.0, 3.3, 5.0]}, params(prior_weight=3.0, endpoints=True)),
        ("float_log", {"x": FL}, {"x": [1e-3, 2e-3, 5e-4]}, {"x": list(np.exp(rs.uniform(np.log(1e-5), 0, 20)))},
         {"x": [1e-5, 1e-4, 4e-4, 1e-3, 3e-3, 0.1, 1.0]}, params()),
        ("float_step", {"x": FS}, {"x": [0.3, 0.4, 0.4]}, {"x": list(np.round(rs.randint(0, 11, 15) * 0.1, 10))},
         {"x": [0.0, 0.1, 0.3, 0.4, 0.5, 0.9, 1.0]}, params()),
        ("int", {"n": I}, {"n": [2.0, 3.0, 3.0]}, {"n": list(rs.randint(-3, 11, 27).astype(float))},
         {"n": [-3.0, -1.0, 0.0, 2.0, 3.0, 4.0, 7.0, 10.0]}, params()),
        ("int_log", {"n": IL}, {"n": [30.0, 64.0]}, {"n": list(np.round(np.exp(rs.uniform(0, np.log(1024), 12))))},
         {"n": [1.0, 2.0, 16.0, 31.0, 64.0, 500.0, 1024.0]}, params()),
        ("categorical", {"c": C}, {"c": [1.0, 1.0, 3.0]}, {"c": list(rs.randint(0, 4, 20).astype(float))},
         {"c": [0.0, 1.0, 2.0, 3.0, 1.0]}, params()),
        ("multivariate", {"a": F, "b": I, "c": C, "d": FL},
         {"a": [0.5, 1.0, -0.2], "b": [3.0, 4.0, 3.0], "c": [2.0, 2.0, 0.0], "d": [0.01, 0.02, 0.005]},
         {"a": list(rs.uniform(-5, 5, 26)), "b": list(rs.randint(-3, 11, 26).astype(float)),
          "c": list(rs.randint(0, 4, 26).astype(float)), "d": list(np.exp(rs.uniform(np.log(1e-5), 0, 26)))},
         {"a": [0.4, -3.0, 4.5, 1.0], "b": [3.0, -3.0, 10.0, 4.0], "c": [2.0, 1.0, 3.0, 0.0], "d": [0.01, 1e-5, 0.5, 0.02]},
         params(multivariate=True)),
    ]
    out = []
    for name, space, below, above, cand, p in cases:
        below = {k: np.asarray(v, dtype=float) for k, v in below.items()}
        above = {k: np.asarray(v, dtype=float) for k, v in above.items()}
        cand = {k: as_samples(space[k], v) for k, v in cand.items()}
        pb = _ParzenEstimator(below, space, p)
        pa = _ParzenEstimator(above, space, p)
        ll, lg = pb.log_pdf(dict(cand)), pa.log_pdf(dict(cand))
        rl, rg = reference_log_pdf(pb, space, cand), reference_log_pdf(pa, space, cand)
        continuous = any(not isinstance(d, CategoricalDistribution) and (d.log or d.step is None)
                         for d in space.values() if not isinstance(d, CategoricalDistribution))
        if not continuous:  # without continuous kernels the two densities agree
            assert np.allclose(ll, rl, rtol=1e-12, atol=1e-12) and np.allclose(lg, rg, rtol=1e-12, atol=1e-12), name
        out.append({
            "name": name,
            "params": params_json(p),
            "space": {k: dist_json(d) for k, d in space.items()},
            "below": {k: fl(v) for k, v in below.items()},
            "above": {k: fl(v) for k, v in above.items()},
            "candidates": {k: fl(v) for k, v in cand.items()},
            "legacy": {"log_l": fl(ll), "log_g": fl(lg), "best": int(np.argmax(ll - lg))},
            "corrected": {"log_l": rl, "log_g": rg, "best": int(np.argmax(np.asarray(rl) - np.asarray(rg)))},
        })
    return out


# ------------------------------------------------------------ end to end
class Spy:
    """Records what TPESampler._compare sees."""

    def __init__(self):
        self.seen = None
        self.orig = TPESampler.__dict__["_compare"].__func__

    def __enter__(self):
        spy = self

        def compare(cls, samples, log_l, log_g):
            spy.seen = ({k: fl(v) for k, v in samples.items()}, fl(log_l), fl(log_g))
            return spy.orig(cls, samples, log_l, log_g)

        TPESampler._compare = classmethod(compare)
        return self

    def __exit__(self, *exc):
        TPESampler._compare = classmethod(self.orig)


def objective_value(p):
    v = (p["x"] - 1.0) ** 2 + (p["n"] - 2) ** 2 / 4.0 + (math.log10(p["lr"]) + 2.0) ** 2 + 0.5 * p["s"]
    if "c" in p:
        v += {"relu": 0.0, "tanh": 0.7, "gelu": 0.3}[p["c"]]
    return v


SPACE = {
    "c": CategoricalDistribution(["relu", "tanh", "gelu"]),
    "lr": FloatDistribution(1e-4, 1.0, log=True),
    "m": IntDistribution(1, 256, log=True),
    "n": IntDistribution(-3, 7),
    "s": FloatDistribution(0.0, 2.0, step=0.25),
    "x": FloatDistribution(-5.0, 5.0),
}


def random_params(rs, with_c=True):
    p = {
        "lr": float(np.exp(rs.uniform(np.log(1e-4), 0.0))),
        "m": int(np.round(np.exp(rs.uniform(0.0, np.log(256))))),
        "n": int(rs.randint(-3, 8)),
        "s": float(0.25 * rs.randint(0, 9)),
        "x": float(rs.uniform(-5.0, 5.0)),
    }
    if with_c:
        p["c"] = ["relu", "tanh", "gelu"][rs.randint(0, 3)]
    return dict(sorted(p.items()))


def make_trials(seed, n, direction, conditional, pruned_heavy=False):
    """Fixed trials: mostly complete, some pruned (with and without intermediate
    values, one NaN), some failed; with conditional, some lack "c". With
    pruned_heavy, few are complete, so that the best pruned trials (by last
    step, then value) join the "below" group."""
    rs = np.random.RandomState(seed)
    trials = []
    for i in range(n):
        if pruned_heavy:
            p = random_params(rs, True)
            dists = {k: SPACE[k] for k in p}
            v = objective_value(p) * (-1.0 if direction == "maximize" else 1.0)
            if i % 20 == 3:
                trials.append(optuna.trial.create_trial(state=TrialState.COMPLETE, value=v, params=p, distributions=dists))
                continue
            steps = int(rs.randint(0, 5))  # 0: pruned before any report
            iv = {s: v + float(rs.uniform(0, 3)) for s in range(1, steps + 1)}
            if steps and i % 7 == 0:
                iv[steps] = float("nan")
            trials.append(optuna.trial.create_trial(state=TrialState.PRUNED, params=p, distributions=dists, intermediate_values=iv))
            continue
        with_c = not (conditional and i % 4 == 1)
        p = random_params(rs, with_c)
        dists = {k: SPACE[k] for k in p}
        v = objective_value(p)
        if direction == "maximize":
            v = -v
        if i % 9 == 4:
            iv = {1: v + 3.0, 2: v + 1.0}
            if i % 2 == 0:
                iv = {1: v + 2.0, 3: float("nan")} if i % 4 == 0 else {1: v + 2.0, 5: v + 0.5}
            t = optuna.trial.create_trial(state=TrialState.PRUNED, params=p, distributions=dists, intermediate_values=iv)
        elif i % 11 == 7:
            t = optuna.trial.create_trial(state=TrialState.PRUNED, params=p, distributions=dists)
        elif i % 13 == 5:
            t = optuna.trial.create_trial(state=TrialState.FAIL, params=p, distributions=dists)
        else:
            t = optuna.trial.create_trial(state=TrialState.COMPLETE, value=v, params=p, distributions=dists)
        trials.append(t)
    return trials


def trial_json(t):
    iv = t.intermediate_values
    return {
        "number": t.number,
        "state": t.state.name.lower(),
        "value": t.value if t.value is not None else None,
        "params": {k: float(t.distributions[k].to_internal_repr(v)) for k, v in t.params.items()},
        "distributions": {k: dist_json(d) for k, d in t.distributions.items()},
        # NaN is not JSON: a NaN intermediate value is sent as null.
        "intermediate": [{"step": s, "value": None if math.isnan(v) else v} for s, v in sorted(iv.items())],
    }


def sample_study(case, seed, direction, fixed, kw, space_new, independent, multivariate_independent):
    """Samples a new trial of the study of fixed trials with Optuna 3.1's
    TPESampler, univariate (each parameter of independent, drawn from
    space_new) and multivariate (the relative search space, then each of
    multivariate_independent), recording what tuner's tests compare."""
    out = []
    for multivariate in [False, True]:
        study = optuna.create_study(direction=direction, sampler=optuna.samplers.RandomSampler(seed=0))
        study.add_trials(fixed)
        sampler = TPESampler(seed=0, multivariate=multivariate, warn_independent_sampling=False, **kw)
        study.sampler = sampler
        trial = study.ask()
        frozen = study._storage.get_trial(trial._trial_id)
        n_cand = kw.get("n_ei_candidates", 24)
        # Multivariate studies also sample conditional or new parameters
        # independently, with the multivariate bandwidth.
        names = [None] + multivariate_independent if multivariate else independent
        for name in names:
            stream_seed = 1000 * seed + (len(name) if name else 0) + (7 if multivariate else 0)
            n_params = 1 if name else len(space_new)
            stream = fl(np.random.RandomState(stream_seed).random_sample(n_cand * (1 + n_params)))
            sampler._rng = np.random.RandomState(stream_seed)
            with Spy() as spy:
                if name:
                    ext = sampler.sample_independent(study, frozen, name, space_new[name])
                    chosen = {name: float(space_new[name].to_internal_repr(ext))}
                    space = {name: space_new[name]}
                else:
                    space = dict(sorted(sampler.infer_relative_search_space(study, frozen).items()))
                    ext = sampler.sample_relative(study, frozen, space)
                    chosen = {k: float(space[k].to_internal_repr(v)) for k, v in ext.items()}
            pnames = list(space)
            samples, log_l, log_g = spy.seen
            liar = kw.get("constant_liar", False)
            values, scores, _ = tpe_sampler._get_observation_pairs(study, pnames, liar, False)
            n_obs = sum(s < float("inf") for s, _ in scores)
            below, above = tpe_sampler._split_observation_pairs(scores, sampler._gamma(n_obs), None)
            states = (TrialState.COMPLETE, TrialState.PRUNED) + ((TrialState.RUNNING,) if liar else ())
            numbers = [t.number for t in study.get_trials(deepcopy=False, states=states)]
            # The corrected density on the same candidates, from the same estimators.
            cv = {k: np.asarray(v, dtype=float) for k, v in values.items()}
            mask = ~np.isnan(cv[pnames[0]])
            below_obs = {k: v[below[mask[below]]] for k, v in cv.items()}
            above_obs = {k: v[above[mask[above]]] for k, v in cv.items()}
            pe_params = sampler._parzen_estimator_parameters
            pb = _ParzenEstimator(below_obs, space, pe_params)
            pa = _ParzenEstimator(above_obs, space, pe_params)
            arr = {k: as_samples(space[k], v) for k, v in samples.items()}
            assert np.allclose(pb.log_pdf(arr), log_l, rtol=0, atol=1e-12), case
            rl = reference_log_pdf(pb, space, samples)
            rg = reference_log_pdf(pa, space, samples)
            label = "relative" if name is None else name + (" (multivariate)" if multivariate else "")
            out.append({
                "name": f"{case}/{label}",
                "study": case,
                "sampler": dict(kw, multivariate=multivariate),
                "param": name or "",
                "space": {k: dist_json(d) for k, d in space.items()},
                "stream": stream,
                "below_numbers": sorted(numbers[i] for i in below),
                # The trial being sampled is Running too: constant_liar counts it
                # (masked: it has no values yet); tuner's SampleContext leaves it out.
                "above_numbers": sorted(numbers[i] for i in above if numbers[i] != frozen.number),
                "candidates": samples,
                "legacy": {"log_l": log_l, "log_g": log_g, "chosen": chosen},
                "corrected": {"log_l": rl, "log_g": rg},
            })
    return out


# ------------------------------------------------------------ dynamic ranges
def dynamic_space(top):
    """Ranges that depend on top, as in Optuna's LightGBM example
    (other_rate in [0, 1 - top_rate]): a float, an int, a log float, a
    stepped float and a stepped int whose upper ends move."""
    return {
        "top": FloatDistribution(0.0, 1.0),
        "other": FloatDistribution(0.0, 1.0 - top),
        "leaves": IntDistribution(2, 2 + int(30 * top)),
        "lr": FloatDistribution(1e-4, 10.0 ** (-1.0 - 2.0 * top), log=True),
        "frac": FloatDistribution(0.0, 0.5 + 0.5 * top, step=0.05),  # Optuna moves high onto the grid
        "bins": IntDistribution(0, 4 + int(16 * top), step=4),
    }


def make_dynamic_trials(seed, n, direction):
    """Fixed trials, each with its own ranges (dynamic_space of its top):
    mostly complete, some pruned, one failed."""
    rs = np.random.RandomState(seed)
    trials = []
    for i in range(n):
        top = float(rs.uniform(0.0, 1.0))
        space = dynamic_space(top)
        p = {"top": top}
        p["other"] = float(rs.uniform(0.0, space["other"].high))
        p["leaves"] = int(rs.randint(space["leaves"].low, space["leaves"].high + 1))
        p["lr"] = float(np.exp(rs.uniform(np.log(1e-4), np.log(space["lr"].high))))
        p["frac"] = float(np.round(0.05 * rs.randint(0, int(round(space["frac"].high / 0.05)) + 1), 10))
        p["bins"] = int(4 * rs.randint(0, space["bins"].high // 4 + 1))
        v = ((top - 0.3) ** 2 + (p["other"] - 0.2) ** 2 + p["leaves"] / 100.0
             + (math.log10(p["lr"]) + 2.0) ** 2 / 4.0 + (p["frac"] - 0.6) ** 2 + p["bins"] / 50.0)
        if direction == "maximize":
            v = -v
        if i % 9 == 4:
            t = optuna.trial.create_trial(state=TrialState.PRUNED, params=p, distributions=space,
                                          intermediate_values={1: v + 2.0, 2: v + 0.5})
        elif i % 13 == 5:
            t = optuna.trial.create_trial(state=TrialState.FAIL, params=p, distributions=space)
        else:
            t = optuna.trial.create_trial(state=TrialState.COMPLETE, value=v, params=p, distributions=space)
        trials.append(t)
    return trials


def gen_sample():
    studies, out = [], []
    settings = [
        ("minimize_30", 1, 30, "minimize", False, {}),
        ("maximize_40_conditional", 2, 40, "maximize", True, {}),
        ("minimize_60_endpoints_prior2", 3, 60, "minimize", True, {"consider_endpoints": True, "prior_weight": 2.0}),
        ("minimize_45_candidates7_noclip", 4, 45, "minimize", False, {"n_ei_candidates": 7, "consider_magic_clip": False}),
        ("minimize_12_noprior", 5, 12, "minimize", False, {"consider_prior": False}),
        ("minimize_80_pruned_heavy", 6, 80, "minimize", "pruned_heavy", {}),
        ("maximize_70_pruned_heavy", 7, 70, "maximize", "pruned_heavy", {}),
        ("minimize_36_constant_liar", 8, 36, "minimize", "running", {"constant_liar": True}),
    ]
    for case, seed, n, direction, conditional, kw in settings:
        if conditional == "pruned_heavy":
            fixed = make_trials(seed, n, direction, False, pruned_heavy=True)
        elif conditional == "running":
            fixed = make_trials(seed, n, direction, False)
            for i in range(2, n, 6):  # other workers' trials, still running
                p = dict(fixed[i].params)
                if i % 4 == 0:
                    del p["c"]  # not suggested yet
                fixed[i] = optuna.trial.create_trial(
                    state=TrialState.RUNNING, params=p, distributions={k: SPACE[k] for k in p})
        else:
            fixed = make_trials(seed, n, direction, conditional)
        studies.append({"name": case, "direction": direction, "trials": [dict(trial_json(t), number=i) for i, t in enumerate(fixed)]})
        out += sample_study(case, seed, direction, fixed, kw, SPACE, list(SPACE), ["x"])
    # Dynamic ranges: each trial has its own ranges, and the new one
    # narrower ones (top 0.8: other in [0, 0.2]), so that many observations
    # lie outside them; Optuna 3.1 keeps them as kernel centres. The
    # relative search space holds only "top", whose range never changes.
    for case, seed, n, direction, top in [("minimize_40_dynamic_range", 9, 40, "minimize", 0.8),
                                          ("maximize_25_dynamic_range", 10, 25, "maximize", 0.15)]:
        fixed = make_dynamic_trials(seed, n, direction)
        studies.append({"name": case, "direction": direction, "trials": [dict(trial_json(t), number=i) for i, t in enumerate(fixed)]})
        space_new = dynamic_space(top)
        out += sample_study(case, seed, direction, fixed, {}, space_new, list(space_new), ["other", "lr"])
    return studies, out


def main():
    gamma, weights = gen_gamma_weights()
    studies, sample = gen_sample()
    doc = {
        "generator": {
            "script": "testdata/optuna/gen_tpe.py",
            "optuna": optuna.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "python": platform.python_version(),
        },
        "gamma": gamma,
        "weights": weights,
        "argsort": gen_argsort(),
        "truncnorm": gen_truncnorm(),
        "parzen": gen_parzen(),
        "acquisition": gen_acquisition(),
        "studies": studies,
        "sample": sample,
    }
    path = os.path.join(HERE, "tpe_parzen.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
