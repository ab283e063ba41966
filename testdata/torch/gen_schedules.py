#!/usr/bin/env python3
"""Generate learning-rate schedule reference values with PyTorch for the
schedulers package.

Run with Debian's interpreter (which has torch installed):

    /usr/bin/python3 testdata/torch/gen_schedules.py

Writes testdata/torch/schedules.json next to this script. Every sequence is
what torch.optim.lr_scheduler puts in optimizer.param_groups[0]["lr"] before
each optimizer step: lrs[t] is the rate of step t+1, i.e. Schedule.At(t).
Plateau cases record the rate before the first epoch and after each
ReduceLROnPlateau.step(metric). Everything is deterministic, in float64.

Cases marked "defaults": true were built with torch's default arguments for
the fields the Go test leaves at their zero value.
"""
import json
import math
import os
import sys
import warnings

import torch
from torch.optim import lr_scheduler as S

torch.set_default_dtype(torch.float64)
warnings.simplefilter("ignore")  # torch's ordering warnings; the order below is torch's documented one


def optimizer(lr):
    p = torch.zeros(1, requires_grad=True)
    return p, torch.optim.SGD([p], lr=lr)


def run(lr, make_sched, n):
    """Rates of n optimizer steps, with sched.step() after each."""
    p, opt = optimizer(lr)
    sched = make_sched(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
        sched.step()
    return lrs


def max_rel(got, want):
    return max(abs(g - w) / abs(w) if w != 0 else abs(g) for g, w in zip(got, want))


def check(name, lrs, closed):
    """Sanity: torch's (often recursive) values against the closed form."""
    d = max_rel(lrs, [closed(t) for t in range(len(lrs))])
    assert d < 1e-12, (name, d)


# ------------------------------------------------------------- MultiStepLR
def gen_multistep():
    out = []
    for name, lr, ms, gamma, n in [
        ("three", 0.1, [5, 12, 20], 0.5, 30),
        ("defaults", 0.05, [3], None, 30),
        ("four", 1.0, [1, 2, 10, 25], 0.9, 35),
    ]:
        kw = {} if gamma is None else {"gamma": gamma}
        lrs = run(lr, lambda o: S.MultiStepLR(o, milestones=ms, **kw), n)
        g = 0.1 if gamma is None else gamma
        check(name, lrs, lambda t: lr * g ** sum(m <= t for m in ms))
        out.append({"name": name, "defaults": gamma is None, "lr": lr,
                    "milestones": ms, "gamma": g, "lrs": lrs})
    return out


# ------------------------------------------- Keras InverseTimeDecay (LambdaLR)
def gen_inverse_time():
    out = []
    for name, lr, rate, steps, stair, n in [
        ("smooth", 0.1, 0.5, 10, False, 40),
        ("staircase", 0.2, 1.0, 7, True, 40),
        ("default_steps", 0.01, 0.05, None, False, 40),
    ]:
        s = 1 if steps is None else steps

        def factor(t, rate=rate, s=s, stair=stair):
            p = t / s
            if stair:
                p = math.floor(p)
            return 1.0 / (1.0 + rate * p)

        lrs = run(lr, lambda o: S.LambdaLR(o, factor), n)
        out.append({"name": name, "defaults": steps is None, "lr": lr,
                    "decay_rate": rate, "decay_steps": s, "staircase": stair,
                    "lrs": lrs})
    return out


# ------------------------------------------------------------ PolynomialLR
def gen_polynomial():
    out = []
    for name, lr, total, power, n in [
        ("defaults", 0.1, 20, None, 30),
        ("square", 0.5, 25, 2.0, 35),
        ("sqrt", 0.01, 30, 0.5, 40),
    ]:
        kw = {} if power is None else {"power": power}
        lrs = run(lr, lambda o: S.PolynomialLR(o, total_iters=total, **kw), n)
        pw = 1.0 if power is None else power
        check(name, lrs, lambda t: lr * (1.0 - min(t, total) / total) ** pw)
        out.append({"name": name, "defaults": power is None, "lr": lr,
                    "total_steps": total, "power": pw, "end_lr": 0.0, "lrs": lrs})
    # EndLR is ours (Keras PolynomialDecay's end_learning_rate, cycle=False):
    # torch has no such argument, so LambdaLR computes it.
    for name, lr, total, power, end, n in [
        ("end_lr_linear", 0.1, 20, 1.0, 0.01, 30),
        ("end_lr_cubic", 0.3, 24, 3.0, 0.002, 32),
    ]:
        def factor(t, lr=lr, total=total, power=power, end=end):
            return ((lr - end) * (1.0 - min(t, total) / total) ** power + end) / lr

        lrs = run(lr, lambda o: S.LambdaLR(o, factor), n)
        out.append({"name": name, "defaults": False, "lr": lr, "total_steps": total,
                    "power": power, "end_lr": end, "lrs": lrs})
    return out


# -------------------------------------------------------- CosineAnnealingLR
def cos_closed(lr, tmax, eta):
    return lambda t: eta + (lr - eta) * (1 + math.cos(math.pi * t / tmax)) / 2


def gen_cosine():
    out = []
    # 50 values past T_max = 12 cross torch's special branches at t = 13 and 37.
    for name, lr, tmax, eta, n in [
        ("past_tmax", 0.1, 12, 0.0, 50),
        ("eta_min", 0.05, 30, 0.001, 30),
        ("eta_min_past_tmax", 1.0, 8, 0.1, 40),
    ]:
        kw = {} if eta == 0.0 else {"eta_min": eta}
        lrs = run(lr, lambda o: S.CosineAnnealingLR(o, T_max=tmax, **kw), n)
        check(name, lrs, cos_closed(lr, tmax, eta))
        out.append({"name": name, "lr": lr, "t_max": tmax, "eta_min": eta, "lrs": lrs})
    return out


# ----------------------------------------------- CosineAnnealingWarmRestarts
def gen_warm_restarts():
    out = []
    for name, lr, t0, tmult, eta, n in [
        ("double", 0.1, 10, 2, 0.001, 100),
        ("defaults", 0.05, 7, None, 0.0, 100),
        ("triple", 1.0, 3, 3, 0.0, 100),
    ]:
        kw = {} if tmult is None else {"T_mult": tmult}
        if eta != 0.0:
            kw["eta_min"] = eta
        lrs = run(lr, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=t0, **kw), n)
        out.append({"name": name, "defaults": tmult is None, "lr": lr, "t0": t0,
                    "t_mult": 1 if tmult is None else tmult, "eta_min": eta, "lrs": lrs})
    return out


# ------------------------------------ SequentialLR([LinearLR, then], [steps])
def gen_warmup():
    out = []
    cases = [
        ("constant", 5, None, {"kind": "constant", "lr": 0.1}, 30),
        ("cosine", 10, 0.1, {"kind": "cosine", "lr": 0.2, "t_max": 30, "eta_min": 0.001}, 45),
        ("exponential", 4, 0.25, {"kind": "exponential", "lr": 0.05, "gamma": 0.9}, 30),
    ]
    for name, steps, sf, then, n in cases:
        def make(o, steps=steps, sf=sf, then=then):
            kw = {} if sf is None else {"start_factor": sf}
            warm = S.LinearLR(o, total_iters=steps, **kw)
            if then["kind"] == "constant":
                after = S.LambdaLR(o, lambda t: 1.0)
            elif then["kind"] == "cosine":
                after = S.CosineAnnealingLR(o, T_max=then["t_max"], eta_min=then["eta_min"])
            else:
                after = S.ExponentialLR(o, gamma=then["gamma"])
            return S.SequentialLR(o, [warm, after], milestones=[steps])

        lrs = run(then["lr"], make, n)
        out.append({"name": name, "defaults": sf is None, "steps": steps,
                    "start_factor": 1.0 / 3 if sf is None else sf, "then": then, "lrs": lrs})
    return out


# -------------------------------------------------------------- OneCycleLR
def gen_one_cycle():
    out = []
    cases = [
        ("defaults", dict(max_lr=0.1, total_steps=100)),
        ("linear", dict(max_lr=0.5, total_steps=100, pct_start=0.25, anneal_strategy="linear",
                        div_factor=10.0, final_div_factor=100.0)),
        ("three_phase_cos", dict(max_lr=0.1, total_steps=100, three_phase=True)),
        ("three_phase_linear", dict(max_lr=1.0, total_steps=120, pct_start=0.4,
                                    anneal_strategy="linear", three_phase=True)),
        ("odd_split", dict(max_lr=0.02, total_steps=101, pct_start=0.33, div_factor=5.0,
                           final_div_factor=1e3)),
    ]
    for name, kw in cases:
        lrs = run(1.0, lambda o: S.OneCycleLR(o, cycle_momentum=False, **kw), kw["total_steps"])
        rec = {"name": name, "defaults": name == "defaults", "max_lr": kw["max_lr"],
               "total_steps": kw["total_steps"], "pct_start": kw.get("pct_start", 0.3),
               "anneal": kw.get("anneal_strategy", "cos"),
               "div_factor": kw.get("div_factor", 25.0),
               "final_div_factor": kw.get("final_div_factor", 1e4),
               "three_phase": kw.get("three_phase", False), "lrs": lrs}
        out.append(rec)
    return out


# --------------------------------------------------------- ReduceLROnPlateau
NAN = float("nan")

# Hand-written validation curves: improvements, plateaus, improvements smaller
# than the threshold or exactly at it (1.55 = 1.6 − 0.05 and 0.81 = 0.8 + 0.01
# in float64: not better), noise, NaN epochs.
LOSS_A = [1.0, 0.8, 0.7, 0.65, 0.64, 0.6401, 0.6402, 0.64, 0.6399, 0.63995,
          0.6399, 0.6398, 0.62, 0.62, 0.62, 0.62, 0.61, 0.6100, 0.60999, 0.6101,
          0.611, 0.612, 0.59, 0.5901, 0.5902, 0.5903, 0.5904, 0.5905, 0.5906, 0.5907,
          0.5908, 0.5909, 0.591, 0.5911, 0.5912, 0.5913, 0.5914, 0.5915, 0.5916, 0.5917]
ACC_B = [0.50, 0.62, 0.70, 0.705, 0.71, 0.74, 0.745, 0.75, 0.749, 0.762,
         0.771, 0.772, 0.773, 0.79, 0.80, 0.80, 0.81, 0.811, 0.812, 0.83,
         0.829, 0.83, 0.831, 0.845, 0.85, 0.86, 0.86, 0.855, 0.87, 0.88,
         0.879, 0.881]
LOSS_C = [2.0, 1.9, 1.86, 1.70, 1.68, 1.6, 1.55, 1.56, 1.5, 1.45,
          1.40, 1.39, 1.38, 1.30, 1.29, 1.28, 1.27, 1.26, 1.2, 1.19,
          1.18, 1.17, 1.16, 1.15, 1.14, 1.13, 1.12, 1.11, 1.10, 1.09]
ACC_D = [0.3, 0.4, NAN, 0.45, 0.46, 0.46, NAN, NAN, 0.5, 0.51,
         0.51, 0.51, 0.51, 0.51, 0.55, NAN, 0.55, 0.549, 0.56, 0.5601,
         0.5602, 0.5603, NAN, 0.58, 0.58, 0.58, 0.58, 0.58, 0.58, 0.58,
         0.6, 0.61]
LOSS_E = [NAN, NAN, 3.0, 2.9, 2.95, 2.95, 2.95, 2.8, 2.85, 2.85,
          2.85, 2.85, 2.85, 2.7, 2.75, 2.75, 2.75, 2.75, 2.75, 2.75,
          2.6, 2.65, 2.65, 2.65, 2.65, 2.65, 2.65, 2.65, 2.65, 2.65]
LOSS_F = [1.0 / (1 + 0.3 * e) + (0.02 if e % 3 == 0 else 0.0) for e in range(15)] + \
         [0.3] * 12 + [0.29, 0.2899, 0.28] + [0.28] * 12
LOSS_G = [0.9, 0.85, 0.86, 0.87, 0.84, 0.84, 0.84, 0.83, 0.83, 0.83,
          0.83, 0.83, 0.80, 0.81, 0.81, 0.81, 0.81, 0.79, 0.79, 0.79,
          0.79, 0.79, 0.79, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78]

TORCH_PLATEAU = dict(mode="min", factor=0.1, patience=10, threshold=1e-4,
                     threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8)


def gen_plateau():
    cases = [
        ("min_rel_patience3_min_lr", 1.0, LOSS_A,
         dict(factor=0.5, patience=3, min_lr=0.1), None),
        ("max_abs_patience0_cooldown2", 0.5, ACC_B,
         dict(mode="max", threshold=0.01, threshold_mode="abs", patience=0, cooldown=2, factor=0.3), None),
        ("min_abs_patience0_min_lr", 0.1, LOSS_C,
         dict(threshold=0.05, threshold_mode="abs", patience=0, factor=0.2, min_lr=1e-3), None),
        ("max_rel_patience3_cooldown1_nan", 0.2, ACC_D,
         dict(mode="max", patience=3, cooldown=1, factor=0.5), None),
        ("min_nan_first_eps_blocks", 0.1, LOSS_E,
         dict(patience=2, factor=0.5, eps=0.02), None),
        ("defaults", 0.01, LOSS_F, dict(), None),
        # Composition: ExponentialLR.step() then ReduceLROnPlateau.step(metric)
        # each epoch on the same optimizer.
        ("exponential_composed", 0.3, LOSS_G, dict(patience=2, factor=0.5), 0.95),
    ]
    out = []
    for name, lr, metrics, kw, gamma in cases:
        p, opt = optimizer(lr)
        exp = S.ExponentialLR(opt, gamma=gamma) if gamma is not None else None
        plat = S.ReduceLROnPlateau(opt, **kw)
        lrs = [opt.param_groups[0]["lr"]]
        for m in metrics:
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
            if exp is not None:
                exp.step()
            plat.step(m)
            lrs.append(opt.param_groups[0]["lr"])
        cfg = dict(TORCH_PLATEAU, **kw)
        out.append({
            "name": name, "lr": lr, "exp_gamma": gamma or 0.0,
            "defaults": not kw,
            **cfg,
            "metrics": [0.0 if math.isnan(m) else m for m in metrics],
            "nan_at": [i for i, m in enumerate(metrics) if math.isnan(m)],
            "lrs": lrs,
        })
    return out


def main():
    golden = {
        "generator": {
            "script": "testdata/torch/gen_schedules.py",
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "multistep": gen_multistep(),
        "inverse_time": gen_inverse_time(),
        "polynomial": gen_polynomial(),
        "cosine": gen_cosine(),
        "warm_restarts": gen_warm_restarts(),
        "warmup": gen_warmup(),
        "one_cycle": gen_one_cycle(),
        "plateau": gen_plateau(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
