#!/usr/bin/env python3
"""Generate reference values of ln and exp for internal/crmath: Python's
math.log and math.exp (glibc's), and the correctly rounded exp from mpmath
at 300 bits. glibc's log is correctly rounded; its exp is not always (its
error bound is 0.502 ulp, so about 1 result in 750 here is the other
neighbour).

Run with Debian's interpreter (python3-mpmath):

    /usr/bin/python3 testdata/libm/gen_libm.py

Writes testdata/libm/libm.json: the hand-picked arguments where Go's math.Log
or math.Exp is one ulp off, the edges of the ranges, and 3,000 random
arguments of each (fixed seed), with their results as hex floats: "log" as
[x, math.log(x)], "exp" as [x, math.exp(x), correctly rounded exp(x)].
"""
import json
import math
import os
import platform
import random

import mpmath


def main():
    mpmath.mp.prec = 300
    rng = random.Random(20261206)
    log_xs = [2.0, 3.0, 4.0, 5.0, 10.0, 243.0, 1 / 3, 0.1, 0.5, 7 / 3, 1000.0, 1e-300, 1e300,
              5e-324, 1.7976931348623157e308, 1.0, 1.0000000000000002, 0.9999999999999999,
              40 / 2, 729 / 3, 1e-5, 1e-1, 8 - 0.5, 1024 + 0.5]
    log_xs += [math.exp(rng.uniform(-700, 700)) for _ in range(1500)]
    log_xs += [float(rng.randint(1, 100000)) for _ in range(1500)]
    a, b = math.log(1e-5), math.log(1e-1)
    exp_xs = [a + u * (b - a) for u in (0.75, 0.375, 0.0625, 0.125, 0.5, 0.25)]
    exp_xs += [0.0, 1.0, -1.0, 0.5, 709.0, -708.0, 1e-10, -1e-10, 20.0, -20.0]
    exp_xs += [rng.uniform(-700, 700) for _ in range(1500)]
    exp_xs += [rng.uniform(-12, 5) for _ in range(1500)]
    out = {
        "generator": "testdata/libm/gen_libm.py",
        "python": platform.python_version(),
        "log": [[x.hex(), math.log(x).hex()] for x in log_xs],
        "exp": [[x.hex(), math.exp(x).hex(), float(mpmath.exp(mpmath.mpf(x))).hex()] for x in exp_xs],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libm.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
