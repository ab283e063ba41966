#!/usr/bin/env python3
"""Generate numpy's legacy RandomState outputs for internal/nprand.

Run with Debian's interpreter (numpy 1.24):

    /usr/bin/python3 testdata/optuna/gen_nprand.py

Writes testdata/optuna/nprand.json next to this script. Sections, each per
seed (an int, or a list for init_by_array):

  state     the 624-word key right after seeding (get_state()[1])
  uint32    the first 1,000 32-bit outputs (randint(0, 2**32, dtype=uint32),
            which numpy draws one output per value)
  rand      the first 700 random_sample() values
  randint   a mixed sequence of randint(0, n) for n in NS, 60 rounds
  mixed     one sequence mixing rand(), choice(n), uniform(lo, hi),
            standard_normal() and normal(loc, scale), as the samplers call
            them: each entry is [call, args, result]
"""
import json
import os
import platform
import sys

import numpy as np

SEEDS = [0, 1, 42, 2**32 - 1, [1, 2], [123456789, 987654321, 5]]
NS = [1, 2, 3, 5, 7, 8, 10, 50, 100, 1000, 2**31 + 5, 2**32, 2**32 + 1, 2**40 + 3]


def rs(seed):
    return np.random.RandomState(np.array(seed, dtype=np.int64) if isinstance(seed, list) else seed)


def case(seed):
    out = {"seed": seed}
    out["state"] = [int(v) for v in rs(seed).get_state()[1]]
    out["uint32"] = [int(v) for v in rs(seed).randint(0, 2**32, size=1000, dtype=np.uint32)]
    r = rs(seed)
    out["rand"] = [float(r.rand()) for _ in range(700)]
    r = rs(seed)
    ri = []
    for _ in range(60):
        for n in NS:
            ri.append([n, int(r.randint(0, n))])
    out["randint"] = ri
    r = rs(seed)
    mixed = []
    for i in range(700):
        k = i % 7
        if k == 0:
            mixed.append(["rand", [], float(r.rand())])
        elif k == 1:
            n = 1 + (i * 7919) % 60
            mixed.append(["choice", [n], int(r.choice(n))])
        elif k == 2:
            lo, hi = -3.5 + i * 1e-3, 2.0 + i * 0.5
            mixed.append(["uniform", [lo, hi], float(r.uniform(np.array([lo]), np.array([hi]))[0])])
        elif k in (3, 4):
            mixed.append(["standard_normal", [], float(r.standard_normal())])
        elif k == 5:
            loc, scale = 0.25, 0.35**2
            mixed.append(["normal", [loc, scale], float(r.normal(loc, scale))])
        else:
            mixed.append(["rand", [], float(r.rand())])
    out["mixed"] = mixed
    return out


def main():
    doc = {
        "generator": {
            "script": "testdata/optuna/gen_nprand.py",
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "cases": [case(s) for s in SEEDS],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nprand.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
