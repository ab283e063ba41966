#!/usr/bin/python3
"""Reference values for package losses: torch.nn.functional losses in float64.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 testdata/torch/gen_losses.py

It writes testdata/torch/losses.json. Each case gives the model output
("pred", (batch, outputs)), the raw targets as gradtune's EncodeTargets takes
them ("target", (batch, k): class labels in one column, or values/probabilities
per output), the loss settings ("config", gradtune's field names), a cotangent
v (batch,), and for each reduction the value and d value / d pred. For "none"
the value is (batch,) and the gradient is that of sum_i v_i * none_i. For the
element-wise losses torch's "none" is (batch, outputs): the value given is its
row sums (what gradtune's Reduce(None) returns; the same values when
outputs = 1) and the gradient is that of sum_i v_i * rowsum_i.
"""

import json
import os
import sys

import torch
import torch.nn.functional as F

D = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))
gen = torch.Generator().manual_seed(20240611)


def randn(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=D) * scale).tolist()


def rand(*shape, lo=0.0, hi=1.0):
    return (torch.rand(*shape, generator=gen, dtype=D) * (hi - lo) + lo).tolist()


def labels(n, classes):
    return [[float(v)] for v in torch.randint(0, classes, (n,), generator=gen).tolist()]


def softmax_rows(n, classes):
    return torch.softmax(torch.randn(n, classes, generator=gen, dtype=D) * 2, 1).tolist()


def torch_loss(loss, cfg, pred, target, reduction):
    """torch's loss of pred (a leaf requiring grad) and the raw target list."""
    y = torch.tensor(target, dtype=D)
    if loss == "mse":
        return F.mse_loss(pred, y, reduction=reduction)
    if loss == "mae":
        return F.l1_loss(pred, y, reduction=reduction)
    if loss == "huber":
        return F.huber_loss(pred, y, reduction=reduction, delta=cfg.get("delta") or 1.0)
    if loss == "smooth_l1":
        return F.smooth_l1_loss(pred, y, reduction=reduction, beta=cfg.get("beta") or 1.0)
    if loss == "bce":
        return F.binary_cross_entropy(pred, y, reduction=reduction)
    if loss == "bce_with_logits":
        pw = cfg.get("pos_weight")
        pw = None if pw is None else torch.tensor(pw, dtype=D)
        return F.binary_cross_entropy_with_logits(pred, y, reduction=reduction, pos_weight=pw)
    w = cfg.get("class_weights")
    w = None if w is None else torch.tensor(w, dtype=D)
    if y.shape[1] == 1:  # class labels
        y = y[:, 0].long()
    if loss == "cross_entropy":
        return F.cross_entropy(pred, y, weight=w, reduction=reduction,
                               label_smoothing=cfg.get("label_smoothing", 0.0))
    if loss == "nll":
        return F.nll_loss(pred, y, weight=w, reduction=reduction)
    raise ValueError(loss)


def case(loss, name, pred, target, **cfg):
    n = len(pred)
    v = rand(n, lo=0.5, hi=2.0)
    out = {"loss": loss, "name": name, "config": cfg, "pred": pred, "target": target,
           "cotangent": v, "reductions": {}}
    for r in ("mean", "sum", "none"):
        p = torch.tensor(pred, dtype=D, requires_grad=True)
        val = torch_loss(loss, cfg, p, target, r)
        if r == "none":
            if val.dim() == 2:
                val = val.sum(1)
            (val * torch.tensor(v, dtype=D)).sum().backward()
            value = val.tolist()
        else:
            val.backward()
            value = [val.item()]
        out["reductions"][r] = {"value": value, "grad": p.grad.tolist()}
    return out


def cases():
    cs = []
    # Regression losses.
    cs.append(case("mse", "ordinary", randn(4, 3), randn(4, 3)))
    cs.append(case("mse", "single sample", [[0.5]], [[-1.25]]))
    ties = randn(4, 3)
    tgt = [row[:] for row in ties]
    tgt[0][1] += 0.75
    tgt[2][0] -= 2.0
    tgt[3][2] += 1.0
    cs.append(case("mae", "ordinary with ties", ties, tgt))  # pred == target: gradient 0
    cs.append(case("mae", "single sample", [[3.0, -2.0]], [[1.0, -2.0]]))
    cs.append(case("huber", "default delta", randn(4, 3, scale=2), randn(4, 3)))
    cs.append(case("huber", "delta 0.5 with kinks",
                   [[0.75, -0.25, 10.0], [0.0, 1e3, -0.5]],
                   [[0.25, 0.25, 0.0], [0.0, -1e3, 0.0]], delta=0.5))
    cs.append(case("huber", "single sample", [[-4.0]], [[0.5]], delta=2.0))
    cs.append(case("smooth_l1", "default beta", randn(4, 3, scale=2), randn(4, 3)))
    cs.append(case("smooth_l1", "beta 0.25 with kinks",
                   [[0.5, -0.25, 10.0], [0.0, 1e3, -0.125]],
                   [[0.25, 0.0, 0.0], [0.0, -1e3, 0.0]], beta=0.25))
    cs.append(case("smooth_l1", "single sample", [[0.1]], [[0.0]], beta=0.5))

    # Binary cross-entropy on probabilities: clamped logs at 0 and 1.
    y = [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.25, 1.0, 0.0], [1.0, 0.7, 0.0]]
    cs.append(case("bce", "ordinary", rand(4, 3, lo=0.05, hi=0.95), y))
    # 1 - 2**-24 is the float32 just below 1; 1e-50 underflows to 0 in float32,
    # where torch gives the same clamped values.
    ps = [0.0, 1.0, 1e-50, 1e-20, 1 - 2**-24, 0.5]
    cs.append(case("bce", "probabilities 0 and 1",
                   [[p, p, p] for p in ps], [[0.0, 1.0, 0.3] for _ in ps]))
    cs.append(case("bce", "single sample p=0 y=1", [[0.0]], [[1.0]]))

    # Binary cross-entropy on logits: stable at |z| = 100 and 1000.
    cs.append(case("bce_with_logits", "ordinary", randn(4, 3, scale=3), y))
    zs = [100.0, -100.0, 1000.0, -1000.0, 0.0, 20.0, -20.0, 37.0]
    edge_z = [[z, z, z] for z in zs]
    edge_y = [[0.0, 1.0, 0.3] for _ in zs]
    cs.append(case("bce_with_logits", "logits ±100 ±1000", edge_z, edge_y))
    cs.append(case("bce_with_logits", "pos_weight", randn(4, 3, scale=3), y, pos_weight=[0.5, 2.0, 3.0]))
    cs.append(case("bce_with_logits", "pos_weight logits ±100 ±1000", edge_z, edge_y,
                   pos_weight=[0.5, 2.0, 3.0]))
    cs.append(case("bce_with_logits", "single sample z=-1000 y=1", [[-1000.0]], [[1.0]]))

    # Softmax cross-entropy.
    w4 = [0.5, 2.0, 1.5, 1.0]
    x = randn(6, 4, scale=2)
    lab = labels(6, 4)
    lab[0] = [3.0]
    soft = softmax_rows(6, 4)
    big = [[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 0.0], [1000.0, -1000.0, 0.0]]
    big_lab = [[0.0], [2.0], [1.0], [1.0]]
    onehot = [[1.0 if c == int(l[0]) else 0.0 for c in range(4)] for l in lab]
    cs.append(case("cross_entropy", "labels", x, lab))
    cs.append(case("cross_entropy", "labels logits ±1000", big, big_lab))
    cs.append(case("cross_entropy", "label smoothing 0.1", x, lab, label_smoothing=0.1))
    cs.append(case("cross_entropy", "label smoothing 0.1 logits ±1000", big, big_lab,
                   label_smoothing=0.1))
    cs.append(case("cross_entropy", "class weights", x, lab, class_weights=w4))
    cs.append(case("cross_entropy", "class weights with a zero", x, lab, class_weights=[0.0, 2.0, 1.5, 1.0]))
    cs.append(case("cross_entropy", "label smoothing 0.1 class weights", x, lab,
                   label_smoothing=0.1, class_weights=w4))
    cs.append(case("cross_entropy", "label smoothing 0.1 class weights logits ±1000", big, big_lab,
                   label_smoothing=0.1, class_weights=[0.5, 2.0, 1.5]))
    cs.append(case("cross_entropy", "soft targets", x, soft))
    cs.append(case("cross_entropy", "soft targets label smoothing 0.1", x, soft, label_smoothing=0.1))
    cs.append(case("cross_entropy", "soft targets class weights", x, soft, class_weights=w4))
    cs.append(case("cross_entropy", "soft targets label smoothing 0.1 class weights", x, soft,
                   label_smoothing=0.1, class_weights=w4))
    cs.append(case("cross_entropy", "one-hot probabilities class weights", x, onehot, class_weights=w4))
    cs.append(case("cross_entropy", "soft targets label smoothing 0.1 zero class weight", x, soft,
                   label_smoothing=0.1, class_weights=[0.0, 2.0, 1.5, 1.0]))
    cs.append(case("cross_entropy", "single sample", [[0.5, -1.0, 2.0]], [[1.0]]))
    cs.append(case("cross_entropy", "single sample label smoothing 0.1 class weights",
                   [[0.5, -1.0, 2.0]], [[1.0]], label_smoothing=0.1, class_weights=[0.5, 2.0, 1.5]))

    # Negative log-likelihood on log-probabilities.
    logp = torch.log_softmax(torch.tensor(randn(5, 3, scale=2), dtype=D), 1).tolist()
    nlab = labels(5, 3)
    cs.append(case("nll", "labels", logp, nlab))
    cs.append(case("nll", "class weights", logp, nlab, class_weights=[0.25, 1.0, 3.0]))
    cs.append(case("nll", "single sample class weights", [[-0.1, -2.5, -3.0]], [[2.0]],
                   class_weights=[0.25, 1.0, 3.0]))
    return cs


def main():
    out = {
        "generator": {
            "script": "testdata/torch/gen_losses.py",
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "cases": cases(),
    }
    with open(os.path.join(HERE, "losses.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
