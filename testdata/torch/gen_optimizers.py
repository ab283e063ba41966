#!/usr/bin/env python3
"""Generate PyTorch reference values for package optimizers.

Run with Debian's interpreter (which has torch installed):

    /usr/bin/python3 testdata/torch/gen_optimizers.py

Writes testdata/torch/optimizers.json next to this script. Everything is
deterministic (hand-written inputs, no randomness) and computed in float64.

Contents:
  trajectories  20-step full-batch runs of y = x @ W + b, MSE (mean) loss, from
                the LIN_* values of gen_golden.py, one per optimizer setting;
                W and b recorded after every step. "lrs" is the rate of each
                step (set with param_groups[0]["lr"] before the step), so the
                runs whose rate changes before step 11 check that changing the
                rate keeps the optimizer's state.
  defaults      torch's default hyperparameters of each optimizer, read from
                its constructor's signature.
  clip          clip_grad_value_ and clip_grad_norm_ (norm_type 2,
                error_if_nonfinite=True) on fixed gradients.
"""
import inspect
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ beside the committed files
from gen_golden import LIN_B0, LIN_STEPS, LIN_W0, LIN_X, LIN_Y

torch.set_default_dtype(torch.float64)
DT = torch.float64

OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}

# Hyperparameters passed to torch; everything else is torch's default and is
# recorded from the param group, so each case lists every value it ran with.
RECORDED = ["lr", "momentum", "dampening", "nesterov", "weight_decay", "betas",
            "eps", "amsgrad", "alpha", "centered", "lr_decay",
            "initial_accumulator_value"]


def const(lr):
    return [lr] * LIN_STEPS


def switch(lr):
    """0.1*lr for steps 1..10, then lr from step 11 on."""
    return [0.1 * lr] * 10 + [lr] * (LIN_STEPS - 10)


CASES = [
    # name, optimizer, per-step rates, options
    ("sgd", "sgd", const(0.1), {}),
    ("sgd_momentum", "sgd", const(0.1), {"momentum": 0.9}),
    ("sgd_nesterov", "sgd", const(0.1), {"momentum": 0.9, "nesterov": True}),
    ("sgd_dampening", "sgd", const(0.1), {"momentum": 0.9, "dampening": 0.5}),
    ("sgd_weight_decay", "sgd", const(0.1), {"weight_decay": 0.1}),
    ("sgd_nesterov_weight_decay", "sgd", const(0.1),
     {"momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("sgd_momentum_lr_switch", "sgd", switch(0.1), {"momentum": 0.9}),
    ("adam", "adam", const(0.05), {}),
    ("adam_amsgrad", "adam", const(0.05), {"amsgrad": True}),
    ("adam_weight_decay", "adam", const(0.05), {"weight_decay": 0.1}),
    ("adam_betas_eps", "adam", const(0.05),
     {"betas": (0.8, 0.99), "eps": 1e-3}),
    ("adam_lr_switch", "adam", switch(0.05), {}),
    ("adamw_wd0.01", "adamw", const(0.05), {"weight_decay": 0.01}),
    ("adamw_wd0.1", "adamw", const(0.05), {"weight_decay": 0.1}),
    ("adamw_wd0.1_amsgrad", "adamw", const(0.05),
     {"weight_decay": 0.1, "amsgrad": True}),
    ("rmsprop", "rmsprop", const(0.01), {}),
    ("rmsprop_centered", "rmsprop", const(0.01), {"centered": True}),
    ("rmsprop_momentum", "rmsprop", const(0.01), {"momentum": 0.9}),
    ("rmsprop_centered_momentum_wd", "rmsprop", const(0.01),
     {"centered": True, "momentum": 0.5, "weight_decay": 0.1, "alpha": 0.9}),
    ("rmsprop_alpha_eps", "rmsprop", const(0.01), {"alpha": 0.9, "eps": 0.01}),
    ("rmsprop_lr_switch", "rmsprop", switch(0.01), {"momentum": 0.9}),
    ("adagrad", "adagrad", const(0.1), {}),
    ("adagrad_lr_decay_init_acc", "adagrad", const(0.1),
     {"lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adagrad_eps", "adagrad", const(0.1), {"eps": 0.1}),
    ("adagrad_weight_decay", "adagrad", const(0.1), {"weight_decay": 0.1}),
]


def t(x, grad=False):
    return torch.tensor(x, dtype=DT, requires_grad=grad)


def tolist(x):
    return x.detach().to(DT).tolist()


def trajectory(name, optname, lrs, opts):
    W = t(LIN_W0, grad=True)
    b = t(LIN_B0, grad=True)
    x, y = t(LIN_X), t(LIN_Y)
    opt = OPTIMIZERS[optname]([W, b], lr=lrs[0], **opts)
    group = opt.param_groups[0]
    hyper = {k: group[k] for k in RECORDED if k in group}
    Ws, bs, losses = [], [], []
    for lr in lrs:
        group["lr"] = lr
        opt.zero_grad()
        loss = F.mse_loss(x @ W + b, y, reduction="mean")
        losses.append(loss.item())
        loss.backward()
        opt.step()
        Ws.append(tolist(W))
        bs.append(tolist(b))
    hyper["lr"] = lrs[0]
    return {
        "name": name,
        "optimizer": optname,
        "hyper": hyper,
        "lrs": lrs,
        "W": Ws,
        "b": bs,
        "loss_before_step": losses,
    }


def defaults():
    out = {}
    for name, cls in OPTIMIZERS.items():
        sig = inspect.signature(cls.__init__)
        out[name] = {k: p.default for k, p in sig.parameters.items()
                     if k in RECORDED and k != "lr"}
    return out


# ------------------------------------------------------- gradient clipping
CLIP_GRADS = [
    ("example_3_4_12", [[3.0, 4.0], [12.0]]),
    ("matrices", [[[0.5, -1.25], [2.0, 0.0], [-0.75, 0.3]], [[1.5], [-0.2]]]),
]


def clip_cases():
    out = []
    for gname, grads in CLIP_GRADS:
        for kind, arg in [("norm", 6.5), ("norm", 100.0), ("norm", 1.0), ("norm", 13.0),
                          ("value", 0.6), ("value", 100.0)]:
            ps = [t(g, grad=True) for g in grads]
            for p, g in zip(ps, grads):
                p.grad = t(g)
            rec = {"name": f"{gname}_{kind}_{arg:g}", "kind": kind, "arg": arg,
                   "grads": grads}
            if kind == "norm":
                total = torch.nn.utils.clip_grad_norm_(
                    ps, max_norm=arg, norm_type=2.0, error_if_nonfinite=True)
                rec["total_norm"] = total.item()
            else:
                torch.nn.utils.clip_grad_value_(ps, clip_value=arg)
            rec["clipped"] = [tolist(p.grad) for p in ps]
            out.append(rec)
    return out


def main():
    trajs = [trajectory(*c) for c in CASES]
    by = {r["name"]: r for r in trajs}
    # Cases that must differ from their base, or they prove nothing.
    for a, b in [("adam_amsgrad", "adam"), ("adamw_wd0.1_amsgrad", "adamw_wd0.1")]:
        assert by[a]["W"][-1] != by[b]["W"][-1], f"{a} equals {b}"
    golden = {
        "generator": {
            "script": "testdata/torch/gen_optimizers.py",
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "linear": {
            "W0": LIN_W0,
            "b0": LIN_B0,
            "x": LIN_X,
            "y": LIN_Y,
            "loss": "mse_mean",
            "steps": LIN_STEPS,
        },
        "trajectories": trajs,
        "defaults": defaults(),
        "clip": clip_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
