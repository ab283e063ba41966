"""PyTorch's side of cmd/bench: the same jobs, one thread, timed inside.

Started once by cmd/bench with the MNIST folder as argument, and with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1 in its environment; reads one job
name per line on stdin ("mnist-float32", "mnist-float64", "linreg") and
answers one JSON line per job: {"samples_per_s" | "step_seconds", "maxrss_kib",
"torch"}. Data loading and warm-up are outside the timed region, as on the
Go side.
"""
import gzip
import json
import resource
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
BATCH, STEPS = 128, 468


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(folder):
    x = idx(folder + "/train-images-idx3-ubyte.gz")[: BATCH * STEPS].reshape(-1, 784)
    y = idx(folder + "/train-labels-idx1-ubyte.gz")[: BATCH * STEPS]
    return torch.from_numpy(x.astype(np.float32) / 255), torch.from_numpy(y.astype(np.int64))


def mlp_epoch(x, y, dtype):
    torch.manual_seed(1)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10)).to(dtype)
    x = x.to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(rows):
        opt.zero_grad()
        loss_fn(net(x[rows]), y[rows]).backward()
        opt.step()

    perm = torch.randperm(len(x))
    for s in range(3):  # warm-up
        step(perm[s * BATCH:(s + 1) * BATCH])
    perm = torch.randperm(len(x))
    start = time.perf_counter()
    for s in range(STEPS):
        step(perm[s * BATCH:(s + 1) * BATCH])
    return {"samples_per_s": BATCH * STEPS / (time.perf_counter() - start)}


def linreg(epochs=1000):
    torch.manual_seed(1)
    x = torch.rand(100, 1)
    y = 3 * x + torch.rand(100, 1)
    net = torch.nn.Linear(1, 1)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    start = time.perf_counter()
    for _ in range(epochs):
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
    return {"step_seconds": (time.perf_counter() - start) / epochs}


def main():
    x, y = mnist(sys.argv[1])
    jobs = {
        "mnist-float32": lambda: mlp_epoch(x, y, torch.float32),
        "mnist-float64": lambda: mlp_epoch(x, y, torch.float64),
        "linreg": linreg,
    }
    for line in sys.stdin:
        out = jobs[line.strip()]()
        out["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["torch"] = torch.__version__
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
