#!/usr/bin/env python3
"""Generate PyTorch reference values for package lrfinder (the LR range test).

Run with Debian's interpreter (which has torch installed):

    /usr/bin/python3 testdata/torch/gen_lrfinder.py

Writes testdata/torch/lrfinder.json next to this script. Computed in float64;
the inputs come from a seeded torch.Generator and are stored in the JSON, so
the Go tests depend on the JSON only.

The range test, as gradtune's lrfinder implements it:
  rate      lr_t = min_lr * (max_lr / min_lr) ** (t / (steps - 1)), t = 0, 1, ...
            (PyTorch Lightning's _ExponentialLR, set before each step)
  smoothing avg_t = beta * avg_{t-1} + (1 - beta) * loss_t, avg_{-1} = 0;
            smoothed_t = avg_t / (1 - beta ** (t + 1))   (fastai's AvgSmoothLoss)
  stop      after `steps` steps, or when smoothed_t > factor * min(smoothed_0..t)
            (fastai's LRFinder: best updated first, then the check); the step
            that stops the sweep is recorded.
  suggest   Lightning's LRFinder.suggestion (torch.gradient of the smoothed
            losses, unit spacing, argmin), over smoothed[lo:j+1], where
            lo = steps // 10 (Lightning's skip_begin = 10 for its 100 steps),
            hi = len - 1 (skip_end = 1) and j = lo + argmin(smoothed[lo:hi]):
            only the descent up to the smoothed minimum is searched (Lightning
            searches up to hi; "lightning_index" records its choice).
  verdict   trustworthy unless (in this order): hi - lo < 3 ("few_points");
            drop = (S[lo] - S[j]) / S[lo] < 0.10 ("no_descent"); the steepest
            index i == lo ("edge_start") or i == j ("edge_min");
            monotone = (S[lo] - S[j]) / sum |S[k+1] - S[k]| (k = lo..j-1) < 0.5
            ("not_monotone").

Contents:
  curves      the smoothing, stop and suggestion on hand-made loss sequences.
  sweeps      full-batch range tests of y = x @ W + b with MSE (mean) from
              W0 = 0, b0 = 0, each with its optimizer, range and outcome.
  quadratic   the data and its known good range: the MSE's Hessian
              H = 2/n [x 1]^T [x 1], lambda_max, gradient descent converging
              iff lr < 2 / lambda_max; the least-squares loss (the optimum);
              and the loss after 100 full-batch SGD steps at the rate the
              "sgd_slow" sweep suggests.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
DT = torch.float64

MIN_DROP = 0.10
MIN_MONOTONE = 0.5


def rates(min_lr, max_lr, steps):
    return [min_lr * (max_lr / min_lr) ** (t / (steps - 1)) for t in range(steps)]


class Smoother:
    def __init__(self, beta, factor):
        self.beta, self.factor = beta, factor
        self.avg, self.n, self.best = 0.0, 0, math.inf

    def add(self, loss):
        """Returns the smoothed loss and whether the sweep diverged."""
        self.n += 1
        self.avg = self.beta * self.avg + (1 - self.beta) * loss
        s = self.avg / (1 - self.beta ** self.n)
        if s < self.best:
            self.best = s
        return s, s > self.factor * self.best


def analyze(lrs, smoothed, steps):
    n = len(smoothed)
    lo, hi = steps // 10, n - 1
    out = {"lo": lo, "hi": hi}
    if hi - lo < 3:
        out["verdict"] = "few_points"
        return out
    win = torch.tensor(smoothed[lo:hi], dtype=DT)
    j = lo + int(torch.argmin(win))
    out["min_index"] = j
    lg = torch.gradient(win)[0]
    out["lightning_index"] = lo + int(torch.argmin(lg))
    s0, sj = smoothed[lo], smoothed[j]
    drop = (s0 - sj) / s0 if s0 > 0 else 0.0
    out["drop"] = drop
    if drop < MIN_DROP:
        out["verdict"] = "no_descent"
        return out
    g = torch.gradient(torch.tensor(smoothed[lo:j + 1], dtype=DT))[0]
    i = lo + int(torch.argmin(g))
    out["index"] = i
    out["slope"] = g[i - lo].item()
    travel = sum(abs(smoothed[k + 1] - smoothed[k]) for k in range(lo, j))
    out["monotone"] = (s0 - sj) / travel
    if i == lo:
        out["verdict"] = "edge_start"
    elif i == j:
        out["verdict"] = "edge_min"
    elif out["monotone"] < MIN_MONOTONE:
        out["verdict"] = "not_monotone"
    else:
        out["verdict"] = "ok"
    return out


def run_curve(name, lrs, losses, beta, factor):
    sm = Smoother(beta, factor)
    smoothed, diverged = [], False
    for loss in losses:
        s, div = sm.add(loss)
        smoothed.append(s)
        if div:
            diverged = True
            break
    return {"name": name, "lrs": lrs, "losses": losses, "beta": beta, "factor": factor,
            "steps": len(lrs), "smoothed": smoothed, "diverged": diverged,
            "analysis": analyze(lrs, smoothed, len(lrs))}


def gen_curves():
    g = torch.Generator().manual_seed(7)
    out = []
    n = 60
    lrs = rates(1e-6, 1.0, n)
    x = [math.log10(lr) for lr in lrs]  # -6 .. 0

    def noise(scale):
        return (scale * torch.randn(n, generator=g, dtype=DT)).tolist()

    # A textbook curve: flat, a descent around lr 1e-3, then a blow-up.
    nz = noise(0.03)
    losses = [2.3 - 1.5 / (1 + math.exp(-2.5 * (v + 3))) + 40 * max(0.0, v + 1.2) ** 2 + nz[k]
              for k, v in enumerate(x)]
    out.append(run_curve("descent_then_divergence", lrs, losses, 0.9, 4.0))
    # Noise around a constant: nothing to learn.
    nz = noise(0.05)
    out.append(run_curve("flat_noise", lrs, [1.0 + v for v in nz], 0.98, 4.0))
    # Already falling fast at the lowest rate.
    out.append(run_curve("falls_at_start", lrs, [2.0 * math.exp(-0.5 * k) + 0.1 for k in range(n)], 0.3, 4.0))
    # A descent to a minimum, a bump, and a steeper fall late (a saturated
    # run falling back): Lightning picks the late fall, we keep the descent.
    losses = []
    for v in x:
        if v < -2:
            losses.append(2.0 - 0.8 / (1 + math.exp(-3 * (v + 4))))
        elif v < -1:
            losses.append(1.2 + 1.5 * (v + 2))
        else:
            losses.append(2.7 - 1.2 * (v + 1))
    out.append(run_curve("falls_again_after_minimum", lrs, losses, 0.5, 1e9))
    # Falling ever faster up to a cliff: steepest right at the minimum.
    losses = [2.0 - 0.0004 * k ** 2 if k < 50 else 20.0 for k in range(n)]
    out.append(run_curve("steepest_at_minimum", lrs, losses, 0.1, 4.0))
    # A 20 % net fall that zig-zags: the smoothed curve goes up and down.
    losses = [1.0 - 0.2 * k / n + 0.3 * (1 if k % 8 < 4 else -1) for k in range(n)]
    out.append(run_curve("zigzag", lrs, losses, 0.3, 4.0))
    # Diverges after a handful of steps.
    out.append(run_curve("few_points", lrs, [1.0, 0.9, 0.8, 0.7, 9.0], 0.5, 4.0))
    return out


# ------------------------------------------------------------------ sweeps

def quadratic_data():
    g = torch.Generator().manual_seed(4)
    n = 32
    x = torch.rand(n, 2, generator=g, dtype=DT) * torch.tensor([1.0, 3.0], dtype=DT)
    y = x @ torch.tensor([[2.0], [-1.0]], dtype=DT) + 0.5 + 0.1 * torch.randn(n, 1, generator=g, dtype=DT)
    return x, y


def make_opt(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(name)


def sweep(name, x, y, opt_name, min_lr, max_lr, steps, beta, factor):
    w = torch.zeros(2, 1, dtype=DT, requires_grad=True)
    b = torch.zeros(1, 1, dtype=DT, requires_grad=True)
    opt = make_opt(opt_name, [w, b], min_lr)
    sm = Smoother(beta, factor)
    lrs, losses, smoothed, diverged = [], [], [], False
    for lr in rates(min_lr, max_lr, steps):
        for grp in opt.param_groups:
            grp["lr"] = lr
        loss = F.mse_loss(x @ w + b, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        s, div = sm.add(loss.item())
        lrs.append(lr)
        losses.append(loss.item())
        smoothed.append(s)
        if div:
            diverged = True
            break
    return {"name": name, "optimizer": opt_name, "min_lr": min_lr, "max_lr": max_lr,
            "steps": steps, "beta": beta, "factor": factor,
            "lrs": lrs, "losses": losses, "smoothed": smoothed, "diverged": diverged,
            "analysis": analyze(lrs, smoothed, steps)}


def train_sgd(x, y, lr, steps):
    w = torch.zeros(2, 1, dtype=DT, requires_grad=True)
    b = torch.zeros(1, 1, dtype=DT, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for _ in range(steps):
        loss = F.mse_loss(x @ w + b, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return F.mse_loss(x @ w + b, y).item()


def main():
    x, y = quadratic_data()
    a = torch.cat([x, torch.ones(len(x), 1, dtype=DT)], 1)
    hess = 2 / len(x) * a.T @ a
    lam_max = torch.linalg.eigvalsh(hess)[-1].item()
    sol = torch.linalg.lstsq(a, y).solution
    lstsq_loss = F.mse_loss(a @ sol, y).item()

    sweeps = [
        sweep("sgd_slow", x, y, "sgd", 1e-3, 1.0, 100, 0.98, 4.0),
        sweep("sgd_diverges", x, y, "sgd", 1e-3, 10.0, 50, 0.98, 4.0),
        sweep("adam_full_range", x, y, "adam", 1e-4, 10.0, 50, 0.98, 4.0),
    ]
    slow = sweeps[0]
    assert slow["analysis"]["verdict"] == "ok", slow["analysis"]
    suggested = slow["lrs"][slow["analysis"]["index"]]

    here = os.path.dirname(os.path.abspath(__file__))
    golden = {
        "generator": {
            "script": "testdata/torch/gen_lrfinder.py",
            "torch": torch.__version__,
            "python": ".".join(map(str, __import__("sys").version_info[:3])),
        },
        "min_drop": MIN_DROP,
        "min_monotone": MIN_MONOTONE,
        "curves": gen_curves(),
        "quadratic": {
            "x": x.tolist(), "y": y.tolist(),
            "lambda_max": lam_max,
            "converges_below": 2 / lam_max,
            "lstsq_loss": lstsq_loss,
            "suggested": suggested,
            "loss_after_100_sgd_steps_at_suggested": train_sgd(x, y, suggested, 100),
        },
        "sweeps": sweeps,
    }
    with open(os.path.join(here, "lrfinder.json"), "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
