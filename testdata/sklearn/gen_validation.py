#!/usr/bin/python3
"""Reference values for package validation, from scikit-learn.

Run with Debian's python3 (python3-sklearn 1.2):

    /usr/bin/python3 testdata/sklearn/gen_validation.py

It writes testdata/sklearn/validation.json next to this script. The Go tests
read only the JSON.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.model_selection import (KFold, StratifiedKFold, cross_val_score,
                                     train_test_split)
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = range(200)  # random_state values used to collect RNG-dependent outcomes


def ints(a):
    return [int(v) for v in a]


def folds_of(splitter, X, y=None):
    """[(train, test)] as lists, plus the warnings sklearn emitted, or an error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = [{"train": ints(tr), "val": ints(te)} for tr, te in splitter.split(X, y)]
        except ValueError as e:
            return None, [], str(e)
    return out, [str(w.message) for w in caught], None


def kfold_cases():
    cases = []
    for n, k in [(10, 5), (10, 3), (7, 2), (13, 4), (5, 5), (23, 6), (100, 7), (3, 5)]:
        X = np.zeros((n, 1))
        folds, _, err = folds_of(KFold(k), X)
        case = {"name": f"n={n} K={k}", "n": n, "k": k, "folds": folds, "error": err}
        if err is None:
            sizes = None
            for seed in range(10):  # shuffled: same sizes for every seed
                sh, _, _ = folds_of(KFold(k, shuffle=True, random_state=seed), X)
                s = [len(f["val"]) for f in sh]
                assert sizes is None or s == sizes
                sizes = s
                for f in sh:  # sklearn returns sorted indices even when shuffled
                    assert f["val"] == sorted(f["val"]) and f["train"] == sorted(f["train"])
            case["shuffled_val_sizes"] = sizes
        cases.append(case)
    return cases


def class_counts(labels, idx, classes):
    sub = [labels[i] for i in idx]
    return [sub.count(c) for c in classes]


def stratified_kfold_cases():
    r = np.random.RandomState(1)
    appearance = [2, 2, 1, 0, 2, 1, 2, 0, 2, 1, 2, 2, 0, 1, 2, 1, 2, 0, 2]  # 2 appears first
    vectors = [
        ("balanced K=5", np.repeat([0, 1, 2], 5), 5),
        ("balanced K=3", np.repeat([0, 1, 2], 5), 3),
        ("imbalanced 20/7/5", r.permutation([0] * 20 + [1] * 7 + [2] * 5), 5),
        ("imbalanced 20/7/3 (warns)", r.permutation([0] * 20 + [1] * 7 + [2] * 3), 5),
        ("appearance order", np.array(appearance), 4),
        ("binary 45/5 K=5", r.permutation([0] * 45 + [1] * 5), 5),
        ("binary 45/5 K=4", r.permutation([0] * 45 + [1] * 5), 4),
        ("two members (warns)", np.array([0] * 10 + [1] * 2), 5),
        ("gaps 0/3/7", r.permutation([0] * 9 + [3] * 6 + [7] * 4), 3),
        ("odd K=2", r.permutation([0] * 5 + [1] * 3 + [4] * 7), 2),
        ("sorted labels K=3", np.array([0] * 4 + [1] * 4 + [2] * 5), 3),
        ("all classes too small", np.array([0, 0, 1, 1, 2, 2]), 3),
        ("K above n", np.array([0, 1, 0]), 5),
    ]
    cases = []
    for name, y, k in vectors:
        y = np.asarray(y)
        X = np.zeros((len(y), 1))
        classes = sorted(set(int(v) for v in y))
        folds, warns, err = folds_of(StratifiedKFold(k), X, y)
        case = {"name": name, "labels": ints(y), "k": k, "folds": folds,
                "warnings": warns, "error": err, "classes": classes}
        if err is None:
            counts = None
            for seed in range(10):  # the allocation does not depend on the RNG
                sh, _, _ = folds_of(StratifiedKFold(k, shuffle=True, random_state=seed), X, y)
                c = [class_counts(list(y), f["val"], classes) for f in sh]
                assert counts is None or c == counts
                counts = c
            case["shuffled_val_class_counts"] = counts
        cases.append(case)
    return cases


def outcome_set(fn):
    """Distinct outcomes of fn(seed) over SEEDS, sorted, or the error message."""
    seen = set()
    for seed in SEEDS:
        try:
            seen.add(json.dumps(fn(seed)))
        except ValueError as e:
            return None, str(e)
    return [json.loads(s) for s in sorted(seen)], None


def stratified_split_cases():
    r = np.random.RandomState(2)
    vectors = [
        ("balanced 10/10/10", np.repeat([0, 1, 2], 10), 0.2),
        ("imbalanced 50/30/15/5", r.permutation([0] * 50 + [1] * 30 + [2] * 15 + [3] * 5), 0.25),
        ("ties 7/7/3", r.permutation([0] * 7 + [1] * 7 + [2] * 3), 0.3),
        ("binary 90/10", r.permutation([0] * 90 + [1] * 10), 0.33),
        ("gaps 0/2/5", r.permutation([0] * 13 + [2] * 8 + [5] * 4), 0.15),
        ("ceil rounds up", r.permutation([0] * 6 + [1] * 4), 0.3),
        ("many classes", r.permutation(np.repeat(np.arange(7), [9, 8, 7, 6, 5, 4, 3])), 0.4),
        ("one member", np.array([0] * 5 + [1] * 5 + [2]), 0.3),
        ("test smaller than classes", np.repeat([0, 1, 2, 3], 5), 0.1),
        ("train smaller than classes", np.repeat([0, 1, 2, 3], 3), 0.9),
    ]
    cases = []
    for name, y, frac in vectors:
        y = np.asarray(y)
        idx = np.arange(len(y))
        classes = sorted(set(int(v) for v in y))

        def run(seed):
            tr, te = train_test_split(idx, test_size=frac, stratify=y, random_state=seed)
            return [class_counts(list(y), tr, classes), class_counts(list(y), te, classes)]

        outcomes, err = outcome_set(run)
        case = {"name": name, "labels": ints(y), "test_frac": frac, "classes": classes,
                "outcomes": outcomes, "error": err}
        if err is None:
            case["n_test"] = sum(outcomes[0][1])
            case["n_train"] = sum(outcomes[0][0])
        cases.append(case)
    return cases


def train_val_test_cases():
    r = np.random.RandomState(5)
    vectors = [
        ("imbalanced 40/25/10", r.permutation([0] * 40 + [1] * 25 + [2] * 10), 0.2, 0.15),
        ("balanced 12x3", np.repeat([0, 1, 2], 12), 0.25, 0.25),
        ("binary 30/8", r.permutation([0] * 30 + [1] * 8), 0.1, 0.3),
    ]
    cases = []
    for name, y, val_frac, test_frac in vectors:
        y = np.asarray(y)
        n = len(y)
        idx = np.arange(n)
        classes = sorted(set(int(v) for v in y))
        n_val = math.ceil(val_frac * n)  # valFrac is a fraction of the whole

        def run(seed):
            rest, te = train_test_split(idx, test_size=test_frac, stratify=y, random_state=seed)
            tr, va = train_test_split(rest, test_size=n_val, stratify=y[rest], random_state=seed)
            return [class_counts(list(y), p, classes) for p in (tr, va, te)]

        outcomes, err = outcome_set(run)
        assert err is None
        cases.append({"name": name, "labels": ints(y), "val_frac": val_frac,
                      "test_frac": test_frac, "classes": classes, "outcomes": outcomes})
    return cases


def standardizer_case():
    r = np.random.RandomState(3)
    n = 30
    X = np.column_stack([
        r.normal(100, 5, n),          # offset and scale
        r.uniform(-1, 1, n),
        np.full(n, 7.0),              # constant: scale 1
        r.normal(1e3, 0.5, n),        # large offset, small spread
        np.full(n, 0.1),              # constant not exact in binary: still scale 1
    ])
    X2 = np.column_stack([r.normal(100, 5, 6), r.uniform(-1, 1, 6), r.normal(7, 1, 6),
                          r.normal(1e3, 0.5, 6), np.full(6, 0.2)])
    s = StandardScaler().fit(X)
    s32 = StandardScaler().fit(X.astype(np.float32))
    return {
        "x": X.tolist(), "x2": X2.tolist(),
        "mean": s.mean_.tolist(), "var": s.var_.tolist(), "scale": s.scale_.tolist(),
        "transform_x": s.transform(X).tolist(), "transform_x2": s.transform(X2).tolist(),
        "float32": {
            "x": X.astype(np.float32).astype(np.float64).tolist(),
            "mean": s32.mean_.tolist(), "scale": s32.scale_.tolist(),
            "transform_x": s32.transform(X.astype(np.float32)).astype(np.float64).tolist(),
        },
    }


def cross_validation_case():
    r = np.random.RandomState(4)
    centers = np.array([[0.0, 0.0, 0.0], [1.0, 8.0, 0.1], [2.0, -6.0, 0.3]])
    spread = np.array([1.0, 10.0, 0.1])  # features of very different scales
    y = r.permutation(np.repeat([0, 1, 2], [22, 20, 18]))
    X = centers[y] + r.normal(size=(len(y), 3)) * spread
    cv = StratifiedKFold(5)
    folds, _, _ = folds_of(cv, X, y)
    raw = cross_val_score(NearestCentroid(), X, y, cv=cv)
    std = cross_val_score(make_pipeline(StandardScaler(), NearestCentroid()), X, y, cv=cv)
    assert not np.allclose(raw, std), "standardizing should change the scores"
    assert len(set(std.tolist())) > 1, "the scores should differ across folds"
    scalers = []
    for f in folds:
        s = StandardScaler().fit(X[f["train"]])
        scalers.append({"mean": s.mean_.tolist(), "scale": s.scale_.tolist()})
    return {
        "x": X.tolist(), "labels": ints(y), "k": 5, "folds": folds,
        "raw": {"scores": raw.tolist(), "mean": float(raw.mean()), "std": float(raw.std())},
        "standardized": {"scores": std.tolist(), "mean": float(std.mean()), "std": float(std.std())},
        "fold_scalers": scalers,
    }


def main():
    out = {
        "generator": {
            "script": "testdata/sklearn/gen_validation.py",
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "kfold": kfold_cases(),
        "stratified_kfold": stratified_kfold_cases(),
        "stratified_split": stratified_split_cases(),
        "train_val_test": train_val_test_cases(),
        "standardizer": standardizer_case(),
        "cross_validation": cross_validation_case(),
    }
    path = os.path.join(HERE, "validation.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
