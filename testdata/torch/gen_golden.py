#!/usr/bin/env python3
"""Generate golden reference values with PyTorch for gradtune tests.

Run with Debian's interpreter (which has torch installed):

    /usr/bin/python3 testdata/torch/gen_golden.py

Writes testdata/torch/golden.json next to this script. Everything is
deterministic (hand-written inputs, no randomness) and computed in float64.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
DT = torch.float64


def t(x, grad=False):
    return torch.tensor(x, dtype=DT, requires_grad=grad)


def tolist(x):
    return x.detach().to(DT).tolist()


# ---------------------------------------------------------------- MSE
MSE_CASES = [
    ("batch4_out1",
     [[0.5], [-1.25], [2.0], [3.75]],
     [[1.0], [-0.5], [1.5], [2.0]]),
    ("batch3_out2",
     [[0.3, -1.7], [2.2, 0.45], [-0.8, 1.1]],
     [[0.1, -1.0], [1.9, 0.0], [0.25, 1.6]]),
    ("batch1_out3",
     [[1.5, -2.25, 0.125]],
     [[0.5, 0.75, -1.0]]),
]


def gen_mse():
    out = []
    for name, pred, target in MSE_CASES:
        p = t(pred, grad=True)
        y = t(target)
        loss = F.mse_loss(p, y, reduction="mean")
        loss.backward()
        out.append({
            "name": name,
            "pred": pred,
            "target": target,
            "loss": loss.item(),
            "grad_pred": tolist(p.grad),
        })
    return out


# ------------------------------------------------------- cross entropy
CE_CASES = [
    ("ordinary_batch4_classes3",
     [[2.0, 1.0, 0.1],
      [0.5, 2.5, -1.0],
      [-0.3, 0.2, 0.9],
      [1.2, -0.7, 0.4]],
     [0, 1, 2, 1]),
    ("large_logit_wrong_class_loss_1000",
     [[1000.0, 0.0]],
     [1]),
    ("large_logit_right_class_loss_0",
     [[1000.0, 0.0]],
     [0]),
    ("mixed_extreme_and_ordinary",
     [[-1000.0, 1000.0, 0.0],
      [0.5, -0.25, 3.0]],
     [0, 2]),
    ("batch2_classes10",
     [[0.1, -0.2, 0.3, 1.5, -1.1, 0.0, 2.2, -0.4, 0.75, -2.0],
      [-1.3, 0.6, 0.05, -0.9, 1.8, 0.35, -0.15, 2.4, -0.6, 1.0]],
     [6, 3]),
]


def gen_cross_entropy():
    out = []
    for name, logits, labels in CE_CASES:
        z = t(logits, grad=True)
        lab = torch.tensor(labels, dtype=torch.long)
        loss = F.cross_entropy(z, lab, reduction="mean")
        loss.backward()
        per = F.cross_entropy(z.detach(), lab, reduction="none")
        out.append({
            "name": name,
            "logits": logits,
            "labels": labels,
            "loss": loss.item(),
            "per_sample": tolist(per),
            "grad_logits": tolist(z.grad),
        })
    return out


# ------------------------------------------------------- L1 / L2 penalties
# Two weight matrices of shapes (3,2) and (2,1). W1[1][1] is an exact 0:
# torch's abs() has gradient 0 at 0 (sign(0) = 0), so the L1 gradient there
# is exactly 0.
REG_WEIGHTS = [
    [[0.5, -1.25],
     [2.0, 0.0],
     [-0.75, 0.3]],
    [[1.5],
     [-0.2]],
]
REG_LAMBDA = 0.01


def gen_reg(kind):
    ws = [t(w, grad=True) for w in REG_WEIGHTS]
    if kind == "l1":
        pen = REG_LAMBDA * sum(w.abs().sum() for w in ws)
        note = ("penalty = lambda * sum(|w|); weights[0][1][1] is exactly 0 and "
                "torch's abs gradient there is 0 (sign(0) = 0)")
    else:
        pen = REG_LAMBDA * sum((w * w).sum() for w in ws)
        note = "penalty = lambda * sum(w^2) (no 1/2 factor); grad = 2*lambda*w"
    pen.backward()
    return [{
        "name": "two_matrices_3x2_2x1",
        "note": note,
        "weights": REG_WEIGHTS,
        "lambda": REG_LAMBDA,
        "penalty": pen.item(),
        "grads": [tolist(w.grad) for w in ws],
    }]


# ------------------------------------------------------- Adam on w^2
def gen_adam_scalar():
    def run(switch_lr=None, switch_before_step=None):
        w = t([1.0], grad=True)
        opt = torch.optim.Adam([w], lr=0.1)
        traj = []
        for step in range(1, 5):
            if switch_lr is not None and step == switch_before_step:
                opt.param_groups[0]["lr"] = switch_lr
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            opt.step()
            traj.append(w.item())
        return traj

    return {
        "w0": 1.0,
        "loss": "w^2",
        "lr": 0.1,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "steps": 4,
        "trajectory": run(),
        "switch": {
            "lr_after": 0.01,
            "switch_before_step": 3,
            "trajectory": run(0.01, 3),
        },
    }


# ------------------------------------------------------- linear regression
LIN_W0 = [[0.2, -0.1],
          [-0.3, 0.4],
          [0.05, 0.25]]
LIN_B0 = [0.1, -0.2]
LIN_X = [[1.0, 0.5, -1.5],
         [-0.7, 2.0, 0.3],
         [0.25, -1.2, 0.8],
         [1.6, 0.1, 0.9],
         [-0.4, -0.9, -0.6]]
LIN_Y = [[0.9, -1.1],
         [1.7, 0.4],
         [-0.6, 1.3],
         [2.1, -0.3],
         [-1.0, 0.75]]
LIN_STEPS = 20


def gen_linear(optname, lr, l1=0.0, l2=0.0, weight_decay=0.0):
    """A full-batch trajectory. l1/l2 add l1*sum|W| + l2*sum(W^2) to the loss
    (W only, not b); weight_decay uses torch's own option on W's param group.
    loss_before_step records the data loss (MSE) alone."""
    W = t(LIN_W0, grad=True)
    b = t(LIN_B0, grad=True)
    x = t(LIN_X)
    y = t(LIN_Y)
    groups = [{"params": [W], "weight_decay": weight_decay}, {"params": [b]}]
    make = {
        "sgd": lambda: torch.optim.SGD(groups, lr=lr),
        "momentum": lambda: torch.optim.SGD(groups, lr=lr, momentum=0.9),
        "adam": lambda: torch.optim.Adam(groups, lr=lr),
        "adamw": lambda: torch.optim.AdamW(groups, lr=lr, weight_decay=0.0),
        "rmsprop": lambda: torch.optim.RMSprop(groups, lr=lr),
        "adagrad": lambda: torch.optim.Adagrad(groups, lr=lr),
    }
    opt = make[optname]()
    Ws, bs, losses = [], [], []
    for _ in range(LIN_STEPS):
        opt.zero_grad()
        loss = F.mse_loss(x @ W + b, y, reduction="mean")
        losses.append(loss.item())
        cost = loss + l1 * W.abs().sum() + l2 * (W * W).sum()
        cost.backward()
        opt.step()
        Ws.append(tolist(W))
        bs.append(tolist(b))
    rec = {
        "optimizer": optname,
        "lr": lr,
        "W0": LIN_W0,
        "b0": LIN_B0,
        "x": LIN_X,
        "y": LIN_Y,
        "loss": "mse_mean",
        "steps": LIN_STEPS,
        "W": Ws,
        "b": bs,
        "loss_before_step": losses,
        "l1": l1,
        "l2": l2,
        "weight_decay": weight_decay,
    }
    if optname == "adam":
        rec["betas"] = [0.9, 0.999]
        rec["eps"] = 1e-8
    return rec


# ------------------------------------------------------- LR schedules
def sched_lrs(make_sched, lr0, epochs=30):
    p = t([0.0], grad=True)
    opt = torch.optim.SGD([p], lr=lr0)
    sched = make_sched(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
        sched.step()
    return lrs


def gen_schedules():
    return {
        "exponential": {
            "lr0": 0.1,
            "gamma": 0.9,
            "lrs": sched_lrs(
                lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 0.1),
        },
        "step": {
            "lr0": 0.1,
            "step_size": 7,
            "gamma": 0.5,
            "lrs": sched_lrs(
                lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 0.1),
        },
    }


def main():
    torch.manual_seed(0)  # not used (no randomness), set for safety
    golden = {
        "generator": {
            "script": "testdata/torch/gen_golden.py",
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "mse": gen_mse(),
        "cross_entropy": gen_cross_entropy(),
        "l1": gen_reg("l1"),
        "l2": gen_reg("l2"),
        "adam_scalar": gen_adam_scalar(),
        "linear_trajectories": [
            gen_linear("sgd", 0.1),
            gen_linear("adam", 0.05),
            gen_linear("sgd", 0.1, l2=0.05),
            gen_linear("sgd", 0.1, weight_decay=0.1),
            gen_linear("adam", 0.05, l1=0.01),
            gen_linear("adam", 0.05, l2=0.02),
            # Every optimizer with L1 and L2 penalty nodes on W, through the trainer.
            gen_linear("momentum", 0.05, l1=0.01, l2=0.02),
            gen_linear("adamw", 0.05, l1=0.01, l2=0.02),
            gen_linear("rmsprop", 0.01, l1=0.01, l2=0.02),
            gen_linear("adagrad", 0.1, l1=0.01, l2=0.02),
        ],
        "schedules": gen_schedules(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
