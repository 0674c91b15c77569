#!/usr/bin/python3
"""Reference values for test/train_metrics_test.cpp (lz::train::metrics), from
scikit-learn (Debian's python3-sklearn) and NumPy.

    /usr/bin/python3 test/ref/make_metrics_ref.py > test/train/metrics_ref.txt

Seeded random cases: binary (scores on a grid of 1/16, so many ties), 3 and
5 classes (probabilities from a softmax of grid logits, a third of the rows
duplicated so probabilities tie across samples; one class never predicted; a
5-class case where class 3 occurs in neither y_true nor y_pred), and
regression (random, a constant target predicted exactly and not).

Format (whitespace-separated tokens, one record per line):
  case <name> <num_classes>      starts a case (num_classes 0: regression)
  <array> <count> <values...>    y_true, y_pred, score (binary), proba (N x C,
                                 row-major), target, prediction
  cm <C*C> <counts...>           sklearn.metrics.confusion_matrix, labels=range(C)
  = <metric> <value>             an expected value (repr: exact double)
  end
Metric keys: accuracy, accuracy_argmax (accuracy_score of proba.argmax(1)),
top_<k>, <precision|recall|f1>_<binary|pos0|macro|micro|weighted>[_all]
(_all: labels=range(C)), roc_auc (binary: score; multiclass: proba, ovr
macro), mse, mae, rmse, r2.
"""
import sys

import numpy as np
import sklearn
from sklearn import metrics as M

rng = np.random.default_rng(20261207)
out = [f"# Written by test/ref/make_metrics_ref.py (scikit-learn {sklearn.__version__}, "
       f"NumPy {np.__version__}); do not edit."]


def arr(name, a):
    a = np.asarray(a).ravel()
    if a.dtype.kind in "iub":
        vals = " ".join(str(int(v)) for v in a)
    else:
        vals = " ".join(repr(float(v)) for v in a)
    out.append(f"{name} {a.size} {vals}")


def expect(key, v):
    out.append(f"= {key} {float(v)!r}")


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def classification(name, c, n, never_predicted=None, absent=None):
    labels = [k for k in range(c) if k != absent]
    y_true = rng.choice(labels, size=n)
    # Predictions right 60% of the time, otherwise random (never `never_predicted` or `absent`).
    allowed = [k for k in labels if k != never_predicted]
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.choice(allowed, size=n))
    if never_predicted is not None:
        y_pred = np.where(y_pred == never_predicted, allowed[0], y_pred)
    out.append(f"case {name} {c}")
    arr("y_true", y_true)
    arr("y_pred", y_pred)
    expect("accuracy", M.accuracy_score(y_true, y_pred))
    kinds = {"precision": M.precision_score, "recall": M.recall_score, "f1": M.f1_score}
    for kind, fn in kinds.items():
        if c == 2:
            expect(f"{kind}_binary", fn(y_true, y_pred, zero_division=0))
            expect(f"{kind}_pos0", fn(y_true, y_pred, pos_label=0, zero_division=0))
        for avg in ("macro", "micro", "weighted"):
            expect(f"{kind}_{avg}", fn(y_true, y_pred, average=avg, zero_division=0))
            expect(f"{kind}_{avg}_all", fn(y_true, y_pred, average=avg, labels=list(range(c)), zero_division=0))
    arr("cm", M.confusion_matrix(y_true, y_pred, labels=list(range(c))))
    if c == 2:
        score = np.round(rng.normal(y_true * 0.8, 1.0) * 16) / 16  # ties
        arr("score", score)
        expect("roc_auc", M.roc_auc_score(y_true, score))
    else:
        logits = np.round(rng.normal(size=(n, c)) * 4) / 4
        logits[np.arange(n), y_true] += 0.75
        dup = rng.choice(n, size=n // 3, replace=False)
        src = rng.choice(n, size=n // 3)
        logits[dup] = logits[src]  # rows equal to others: tied probabilities
        proba = softmax(logits)
        arr("proba", proba)
        expect("accuracy_argmax", M.accuracy_score(y_true, proba.argmax(axis=1)))
        for k in range(1, c):
            expect(f"top_{k}", M.top_k_accuracy_score(y_true, proba, k=k, labels=list(range(c))))
        if absent is None:
            expect("roc_auc", M.roc_auc_score(y_true, proba, multi_class="ovr", average="macro"))
    out.append("end")


def regression(name, target, prediction):
    out.append(f"case {name} 0")
    arr("target", target)
    arr("prediction", prediction)
    expect("mse", M.mean_squared_error(target, prediction))
    expect("mae", M.mean_absolute_error(target, prediction))
    expect("rmse", M.mean_squared_error(target, prediction, squared=False))
    expect("r2", M.r2_score(target, prediction))
    out.append("end")


classification("binary", 2, 200)
classification("binary_small", 2, 17)
classification("three", 3, 150)
classification("five_never_predicted", 5, 300, never_predicted=4)
classification("five_absent", 5, 120, never_predicted=1, absent=3)

t = rng.normal(3.0, 2.0, size=100)
regression("regression", t, t + rng.normal(0, 0.7, size=100))
regression("regression_poor", t[:40], rng.normal(0, 3, size=40))
regression("constant_exact", np.full(12, 2.5), np.full(12, 2.5))
regression("constant_off", np.full(12, 2.5), 2.5 + rng.normal(0, 0.1, size=12))

sys.stdout.write("\n".join(out) + "\n")
