#!/usr/bin/env python3
"""Generate reference values for package diagnose with PyTorch.

Run with Debian's interpreter (which has torch installed):

    /usr/bin/python3 testdata/torch/gen_diagnose.py

Writes testdata/torch/diagnose.json next to this script, all in float64:

- linreg_adam, linreg_sgd: the seed's linear regression (X = rand(100, 1),
  y = 3X + rand(100, 1), nn.Linear(1, 1), MSE, full batch) at lr 10, the
  loss before each step and the gradient norms of weight, bias and both
  together: the watchdog must stop these runs where the documented rule,
  applied to torch's losses, says.
- sigmoid10: a 10-hidden-layer sigmoid MLP (8 -> 16 x 10 -> 3,
  xavier_uniform_ weights, zero biases) on 64 rows: the cross-entropy and
  the gradient norm of every parameter at the initial weights (vanishing
  gradients), the loss after 100 full-batch Adam steps at lr 1e-3 (it
  cannot overfit the batch), and the loss with the output layer scaled by
  30 (a bad initialization).

- floors: the lowest cross-entropy (with label smoothing and class
  weights, for labels and for probabilities) and BCE-with-logits (soft
  targets, pos_weight) can reach — torch's loss at the closed-form
  minimizer, checked here against L-BFGS — and the BCE-with-logits loss of
  all-zero logits.

Weights are written in torch's layout, (out, in); gradtune's Dense keeps W
as (in, out), so the Go tests transpose them.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def tolist(x):
    return x.detach().tolist()


def linreg(opt_name, lr=10.0, steps=6):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(100, 1, generator=g)
    y = 3 * x + torch.rand(100, 1, generator=g)
    torch.manual_seed(1)
    lin = nn.Linear(1, 1)
    w0, b0 = lin.weight.item(), lin.bias.item()
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[opt_name](lin.parameters(), lr=lr)
    losses, gw, gb, gn = [], [], [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(lin(x), y)
        loss.backward()
        losses.append(loss.item())
        gw.append(lin.weight.grad.norm().item())
        gb.append(lin.bias.grad.norm().item())
        gn.append(torch.sqrt(lin.weight.grad.pow(2).sum() + lin.bias.grad.pow(2).sum()).item())
        opt.step()
    return {
        "optimizer": opt_name, "lr": lr,
        "x": tolist(x[:, 0]), "y": tolist(y[:, 0]), "w0": w0, "b0": b0,
        "loss": losses, "grad_norm_w": gw, "grad_norm_b": gb, "grad_norm": gn,
    }


def sigmoid_mlp(inputs, hidden, outputs):
    layers, sizes = [], [inputs] + hidden
    for i in range(len(hidden)):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.Sigmoid()]
    layers.append(nn.Linear(sizes[-1], outputs))
    net = nn.Sequential(*layers)
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def sigmoid10():
    inputs, hidden, classes, rows = 8, [16] * 10, 3, 64
    g = torch.Generator().manual_seed(2)
    x = torch.randn(rows, inputs, generator=g)
    labels = torch.randint(0, classes, (rows,), generator=g)
    torch.manual_seed(3)
    net = sigmoid_mlp(inputs, hidden, classes)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    weights = [tolist(m.weight) for m in linears]
    biases = [tolist(m.bias) for m in linears]

    loss = F.cross_entropy(net(x), labels)
    loss.backward()
    names, norms = [], []
    for i, m in enumerate(linears):
        names += [f"dense{i}/W", f"dense{i}/b"]
        norms += [m.weight.grad.norm().item(), m.bias.grad.norm().item()]
    total = torch.sqrt(sum(p.grad.pow(2).sum() for p in net.parameters())).item()

    # Overfit the batch: 100 full-batch Adam steps at lr 1e-3.
    steps, lr = 100, 1e-3
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(net(x), labels).backward()
        opt.step()
    with torch.no_grad():
        final = F.cross_entropy(net(x), labels).item()

    # A bad initialization: the initial output layer scaled by 30.
    scale = 30.0
    bad = sigmoid_mlp(inputs, hidden, classes)
    with torch.no_grad():
        for m, w, b in zip([m for m in bad if isinstance(m, nn.Linear)], weights, biases):
            m.weight.copy_(torch.tensor(w))
            m.bias.copy_(torch.tensor(b))
        bad[-1].weight.mul_(scale)
        bad[-1].bias.mul_(scale)
        scaled = F.cross_entropy(bad(x), labels).item()

    return {
        "inputs": inputs, "hidden": hidden, "classes": classes,
        "x": tolist(x), "labels": labels.tolist(),
        "weights": weights, "biases": biases,
        "loss": loss.item(), "param_names": names, "grad_norms": norms, "grad_norm": total,
        "overfit": {"optimizer": "adam", "lr": lr, "steps": steps, "final_loss": final},
        "scaled_out": {"factor": scale, "loss": scaled},
    }


def lbfgs_min(fn, shape):
    z = torch.zeros(shape, requires_grad=True)
    opt = torch.optim.LBFGS([z], lr=1, max_iter=500, tolerance_grad=1e-14,
                            tolerance_change=1e-16, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = fn(z)
        loss.backward()
        return loss
    opt.step(closure)
    return fn(z).item()


def ce_floor(classes, target, eps, weights):
    """target: labels (list of int) or probabilities (list of rows)."""
    w = torch.tensor(weights) if weights else torch.ones(classes)
    if isinstance(target[0], int):
        tgt = torch.tensor(target)
        t = F.one_hot(tgt, classes).double()
    else:
        tgt = torch.tensor(target)
        t = tgt
    a = w * ((1 - eps) * t + eps / classes)
    logits = torch.log(a / a.sum(1, keepdim=True))
    kw = {"weight": torch.tensor(weights) if weights else None, "label_smoothing": eps}
    floor = F.cross_entropy(logits, tgt, **kw).item()
    numeric = lbfgs_min(lambda z: F.cross_entropy(z, tgt, **kw), (len(target), classes))
    assert abs(numeric - floor) < 1e-7 and numeric >= floor - 1e-12, (numeric, floor)
    key = "labels" if isinstance(target[0], int) else "probs"
    return {"loss": "cross_entropy", "classes": classes, "label_smoothing": eps,
            "class_weights": weights, key: target, "floor": floor}


def bce_logits_floor(target, pos_weight):
    y = torch.tensor(target)
    pw = torch.tensor(pos_weight)
    A, B = pw * y, 1 - y
    z = torch.log(A / B).clamp(-50, 50)  # ±inf where a target is 0 or 1
    floor = F.binary_cross_entropy_with_logits(z, y, pos_weight=pw).item()
    numeric = lbfgs_min(lambda v: F.binary_cross_entropy_with_logits(v.clamp(-50, 50), y, pos_weight=pw), y.shape)
    assert abs(numeric - floor) < 1e-7, (numeric, floor)
    chance = F.binary_cross_entropy_with_logits(torch.zeros_like(y), y, pos_weight=pw).item()
    return {"loss": "bce_with_logits", "pos_weight": pos_weight, "probs": target,
            "floor": floor, "chance": chance}


def floors():
    return [
        ce_floor(3, [0, 2, 1, 1, 0], 0.1, [1.0, 2.0, 0.5]),
        ce_floor(3, [0, 2, 1, 1, 0], 0.2, None),
        ce_floor(3, [[0.7, 0.2, 0.1], [0.0, 0.5, 0.5], [0.1, 0.1, 0.8]], 0.1, [1.0, 2.0, 0.5]),
        bce_logits_floor([[0.2, 1.0], [0.7, 0.0], [0.5, 0.9]], [2.0, 0.5]),
    ]


def main():
    golden = {
        "generator": {
            "script": "testdata/torch/gen_diagnose.py",
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "linreg_adam": linreg("adam"),
        "linreg_sgd": linreg("sgd"),
        "sigmoid10": sigmoid10(),
        "floors": floors(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "diagnose.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
