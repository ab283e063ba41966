#!/usr/bin/env python3
"""Generate reference values for package model (activations, initializers,
a small sequential network) with PyTorch.

Run with Debian's interpreter (which has torch installed):

    /usr/bin/python3 testdata/torch/gen_activations.py

Writes testdata/torch/activations.json next to this script. Everything is
deterministic: hand-written inputs, and for the initializers the exact
arguments torch.nn.init passes to Tensor.uniform_ / Tensor.normal_ (recorded,
not sampled).
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

# Inputs for every activation: around 0 (including 0 itself, where ReLU-like
# gradients are defined by convention) and large |x|, where naive formulas
# overflow.
INPUTS = [-100.0, -30.0, -3.0, -1.5, -1.0, -0.5, -0.0625, 0.0,
          0.0625, 0.5, 1.0, 1.5, 3.0, 30.0, 100.0]
# Upstream gradient dL/dy: the test's loss is sum(y * UPSTREAM).
UPSTREAM = [0.5, -1.25, 2.0, 1.0, -0.75, 1.5, 3.0, -2.0,
            0.25, 1.0, -1.0, 2.5, 0.75, -0.5, 1.25]

# name: (params for the Go side, torch function)
ACTIVATIONS = [
    ("relu", {}, F.relu),
    ("leaky_relu", {}, lambda x: F.leaky_relu(x)),  # torch default 0.01
    ("leaky_relu", {"slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    ("elu", {}, lambda x: F.elu(x)),  # alpha 1
    ("elu", {"alpha": 0.5}, lambda x: F.elu(x, alpha=0.5)),
    ("tanh", {}, torch.tanh),
    ("sigmoid", {}, torch.sigmoid),
    ("softplus", {}, lambda x: F.softplus(x)),  # beta 1, threshold 20
    ("softplus", {"beta": 2.0, "threshold": 10.0},
     lambda x: F.softplus(x, beta=2.0, threshold=10.0)),
    ("gelu", {}, lambda x: F.gelu(x)),  # approximate='none': erf form
    ("gelu", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")),
    ("identity", {}, lambda x: x),
]


# Extra inputs where a formula switches branch: softplus around its
# threshold (x·β = 20, or 10 below), sigmoid where 1 − σ(x) is a few ulps
# (Gorgonia's own Sigmoid returns exactly 1 above 19) and where exp(−x)
# overflows.
EXTRA = [
    ("softplus", {}, lambda x: F.softplus(x),
     [15.0, 17.0, 19.0, 19.5, 20.0, 20.5, 21.0, 25.0,
      -15.0, -17.0, -19.0, -20.0, -20.5, -25.0, -50.0]),
    ("softplus", {"beta": 2.0, "threshold": 10.0},
     lambda x: F.softplus(x, beta=2.0, threshold=10.0),
     [4.0, 4.5, 4.75, 5.0, 5.25, 5.5, 6.0, 8.0,
      -4.0, -4.5, -5.0, -5.5, -6.0, -8.0, -10.0]),
    ("sigmoid", {}, torch.sigmoid,
     [15.0, 17.0, 19.0, 19.5, 20.0, 25.0, 35.0, 40.0,
      -15.0, -19.5, -25.0, -40.0, -80.0, -200.0, -700.0]),
]


def finite(vals):
    assert all(math.isfinite(v) for v in vals), vals
    return vals


def gen_activations():
    out = []
    cases = [(n, p, f, None) for n, p, f in ACTIVATIONS] + EXTRA
    for name, params, fn, inputs in cases:
        case = {"name": name, "params": params}
        if inputs is not None:
            case["inputs"] = inputs  # instead of the shared INPUTS
        for dt, key in ((torch.float64, "float64"), (torch.float32, "float32")):
            x = torch.tensor(inputs or INPUTS, dtype=dt, requires_grad=True)
            u = torch.tensor(UPSTREAM, dtype=dt)
            y = fn(x)
            (y * u).sum().backward()
            case[key] = {
                "forward": finite([float(v) for v in y.detach().tolist()]),
                "grad": finite([float(v) for v in x.grad.tolist()]),
            }
        out.append(case)
    return out


GAIN_CASES = [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None),
    ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", 0.0), ("leaky_relu", 0.01),
    ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
]


def gen_gains():
    return [{"nonlinearity": n, "param": p if p is not None else 0.0,
             "gain": torch.nn.init.calculate_gain(n, p)} for n, p in GAIN_CASES]


class Recorder:
    """Records the arguments torch.nn.init passes to uniform_ / normal_."""

    def __init__(self):
        self.calls = []
        self.uniform, self.normal = torch.Tensor.uniform_, torch.Tensor.normal_
        rec = self

        def uniform_(t, a=0.0, b=1.0, **kw):
            rec.calls.append(("uniform", a, b))
            return rec.uniform(t, a, b, **kw)

        def normal_(t, mean=0.0, std=1.0, **kw):
            rec.calls.append(("normal", mean, std))
            return rec.normal(t, mean, std, **kw)

        torch.Tensor.uniform_, torch.Tensor.normal_ = uniform_, normal_

    def close(self):
        torch.Tensor.uniform_, torch.Tensor.normal_ = self.uniform, self.normal

    def one(self, f):
        self.calls = []
        f()
        assert len(self.calls) == 1, self.calls
        return self.calls[0]


# (go initializer, its params, fan_in, fan_out, torch call on a weight of
# torch's shape (fan_out, fan_in)).
I = torch.nn.init
INIT_CASES = [
    ("uniform", {}, 3, 5, lambda w: I.uniform_(w)),
    ("uniform", {"low": -0.5, "high": 2.0}, 3, 5, lambda w: I.uniform_(w, -0.5, 2.0)),
    ("normal", {}, 3, 5, lambda w: I.normal_(w)),
    ("normal", {"mean": 0.5, "std": 0.1}, 3, 5, lambda w: I.normal_(w, 0.5, 0.1)),
    ("xavier_uniform", {}, 3, 5, lambda w: I.xavier_uniform_(w)),
    ("xavier_uniform", {}, 784, 256, lambda w: I.xavier_uniform_(w)),
    ("xavier_uniform", {"gain": 5.0 / 3}, 784, 256,
     lambda w: I.xavier_uniform_(w, gain=5.0 / 3)),
    ("xavier_normal", {}, 3, 5, lambda w: I.xavier_normal_(w)),
    ("xavier_normal", {"gain": 2.0}, 784, 256, lambda w: I.xavier_normal_(w, gain=2.0)),
    # torch's kaiming default: a=0, mode='fan_in', nonlinearity='leaky_relu'
    ("he_uniform", {}, 784, 256, lambda w: I.kaiming_uniform_(w)),
    ("he_uniform", {"mode": "fan_out"}, 784, 256,
     lambda w: I.kaiming_uniform_(w, mode="fan_out")),
    ("he_uniform", {"nonlinearity": "leaky_relu", "negative_slope": 0.2}, 7, 3,
     lambda w: I.kaiming_uniform_(w, a=0.2, nonlinearity="leaky_relu")),
    ("he_uniform", {"nonlinearity": "tanh", "mode": "fan_out"}, 7, 3,
     lambda w: I.kaiming_uniform_(w, mode="fan_out", nonlinearity="tanh")),
    ("he_normal", {}, 784, 256, lambda w: I.kaiming_normal_(w)),
    ("he_normal", {"mode": "fan_out"}, 784, 256,
     lambda w: I.kaiming_normal_(w, mode="fan_out")),
    ("he_normal", {"nonlinearity": "relu"}, 7, 3,
     lambda w: I.kaiming_normal_(w, nonlinearity="relu")),
    ("he_normal", {"nonlinearity": "leaky_relu", "negative_slope": 0.01}, 7, 3,
     lambda w: I.kaiming_normal_(w, a=0.01)),
    ("he_normal", {"nonlinearity": "selu"}, 7, 3,
     lambda w: I.kaiming_normal_(w, nonlinearity="selu")),
    # LeCun normal is kaiming_normal_ with the linear gain (torch's SELU docs).
    ("lecun_normal", {}, 784, 256, lambda w: I.kaiming_normal_(w, nonlinearity="linear")),
    # nn.Linear.reset_parameters: the weight's kaiming_uniform_(a=sqrt(5)).
    ("torch_linear", {}, 784, 256, lambda w: I.kaiming_uniform_(w, a=math.sqrt(5))),
]


def gen_inits():
    rec = Recorder()
    out = []
    try:
        for name, params, fan_in, fan_out, f in INIT_CASES:
            w = torch.empty(fan_out, fan_in, dtype=torch.float64)
            kind, a, b = rec.one(lambda: f(w))
            case = {"name": name, "params": params, "fan_in": fan_in, "fan_out": fan_out}
            if kind == "uniform":
                case.update(low=a, high=b)
            else:
                case.update(mean=a, std=b)
            out.append(case)
        # nn.Linear's bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in from the weight.
        lin = torch.nn.Linear(784, 256, dtype=torch.float64)
        calls = []
        rec.calls = calls
        lin.reset_parameters()
        assert len(calls) == 2, calls
        _, a, b = calls[1]
        out.append({"name": "torch_linear_bias", "params": {}, "fan_in": 784,
                    "fan_out": 256, "low": a, "high": b})
    finally:
        rec.close()
    return out


def gen_sequential():
    """x (2,3) -> x@W1+b1 -> GELU -> x@W2+b2 -> out (2,2); loss sum(out*u)."""
    d = torch.float64
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=d)
    w1 = torch.tensor([[0.1, -0.2, 0.3, 0.4], [-0.5, 0.6, 0.7, -0.8],
                       [0.9, 1.0, -1.1, 0.2]], dtype=d, requires_grad=True)
    b1 = torch.tensor([0.05, -0.1, 0.15, 0.0], dtype=d, requires_grad=True)
    w2 = torch.tensor([[0.3, -0.6], [0.2, 0.5], [-0.4, 0.1], [0.7, -0.3]],
                      dtype=d, requires_grad=True)
    b2 = torch.tensor([0.25, -0.5], dtype=d, requires_grad=True)
    u = torch.tensor([[1.0, -2.0], [0.5, 1.5]], dtype=d)
    out = F.gelu(x @ w1 + b1) @ w2 + b2
    (out * u).sum().backward()
    t = lambda v: v.detach().tolist()
    return {
        "x": t(x), "upstream": t(u),
        "w1": t(w1), "b1": t(b1), "w2": t(w2), "b2": t(b2),
        "out": t(out),
        "grad_w1": t(w1.grad), "grad_b1": t(b1.grad),
        "grad_w2": t(w2.grad), "grad_b2": t(b2.grad),
    }


def main():
    golden = {
        "generator": {
            "script": "testdata/torch/gen_activations.py",
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "inputs": INPUTS,
        "upstream": UPSTREAM,
        "activations": gen_activations(),
        "gains": gen_gains(),
        "inits": gen_inits(),
        "sequential": gen_sequential(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activations.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
