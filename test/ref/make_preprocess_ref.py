#!/usr/bin/python3
"""Reference values for test/train_data_test.cpp (lz::train splits and
preprocessing), from scikit-learn (Debian's python3-sklearn, float64).

    /usr/bin/python3 test/ref/make_preprocess_ref.py > test/train/preprocess_ref.txt

Data (seeded NumPy): `x_train` [40, 6] with columns of very different
offsets and scales and a constant column (index 4), `x_other` [15, 6] drawn
the same way (a validation split); `z_train` [60, 8] and `z_other` [12, 8],
correlated columns (normal data times a fixed mixing matrix) for PCA.

- StandardScaler(): mean_, var_, scale_, transform of both.
- MinMaxScaler() and MinMaxScaler(feature_range=(-1, 2)): data_min_,
  data_max_, min_, scale_, transform of both.
- PCA(whiten=True, svd_solver="full") on z (all 8 components) and on x with
  n_components=4 (the constant column's null direction and the next, 1e6 times
  below the largest, left out: the covariance squares that ratio):
  components_, explained_variance_, transform of both, inverse_transform of
  the other's transform.
- Stratified splits: for each case the labels, the test and validation sizes
  as lz::train::split_options gives them, and the per-class counts of the
  train / validation / test parts that train_test_split(stratify=y) gives
  when applied twice (test off all, then validation off the rest, an integer
  size). The script checks that the counts are the same for 20 random states
  (no tie in the rounding), so they do not depend on the generator.

Format, one record a line: `array <name> <rank> <extents...> <values...>`.
"""
import math
import sys

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

out = sys.stdout


def put(name, a):
    a = np.asarray(a, dtype=np.float64)
    out.write("array %s %d %s %s\n" % (name, a.ndim, " ".join(str(d) for d in a.shape),
                                       " ".join(repr(float(v)) for v in a.ravel())))


rng = np.random.default_rng(20261207)
offsets = np.array([0.0, 5.0, -2.0, 50.0, 3.7, 1000.0])
scales = np.array([1.0, 10.0, 0.1, 3.0, 0.0, 100.0])


def features(n):
    return offsets + scales * rng.standard_normal((n, 6))


x_train, x_other = features(40), features(15)
mix = rng.standard_normal((8, 8)) + 2.0 * np.eye(8)
z_train = rng.standard_normal((60, 8)) @ mix
z_other = rng.standard_normal((12, 8)) @ mix

out.write("# Written by test/ref/make_preprocess_ref.py (scikit-learn %s, NumPy %s, float64); do not edit.\n"
          % (sklearn.__version__, np.__version__))
put("x_train", x_train)
put("x_other", x_other)
put("z_train", z_train)
put("z_other", z_other)

s = StandardScaler().fit(x_train)
put("standard.mean", s.mean_)
put("standard.var", s.var_)
put("standard.scale", s.scale_)
put("standard.train", s.transform(x_train))
put("standard.other", s.transform(x_other))

for tag, kw in (("minmax", {}), ("minmax_m1_2", {"feature_range": (-1, 2)})):
    m = MinMaxScaler(**kw).fit(x_train)
    put(tag + ".data_min", m.data_min_)
    put(tag + ".data_max", m.data_max_)
    put(tag + ".min", m.min_)
    put(tag + ".scale", m.scale_)
    put(tag + ".train", m.transform(x_train))
    put(tag + ".other", m.transform(x_other))

for tag, train, other, k in (("pca_z", z_train, z_other, None), ("pca_x4", x_train, x_other, 4)):
    p = PCA(n_components=k, whiten=True, svd_solver="full").fit(train)
    put(tag + ".mean", p.mean_)
    put(tag + ".components", p.components_)
    put(tag + ".explained_variance", p.explained_variance_)
    put(tag + ".train", p.transform(train))
    put(tag + ".other", p.transform(other))
    put(tag + ".inverse_other", p.inverse_transform(p.transform(other)))

# Stratified splits: (name, per-class counts, class labels, test size, validation size)
cases = [
    ("four_classes", [52, 29, 16, 3], [0, 1, 2, 3], 0.2, 0.15),
    ("iris_like", [50, 50, 50], [0, 1, 2], 0.2, 0.0),
    ("imbalanced", [87, 13], [-1, 7], 25, 7),
    ("seven_classes", [23, 19, 14, 11, 8, 5, 4], [3, 1, 4, 10, 5, 9, 2], 0.25, 0.2),
]
for name, counts, classes, test, val in cases:
    y = np.repeat(classes, counts)
    y = y[rng.permutation(len(y))]
    n = len(y)
    n_test = test if isinstance(test, int) else math.ceil(test * n)
    n_val = val if isinstance(val, int) else math.ceil(val * n)
    results = set()
    for state in range(20):
        idx = np.arange(n)
        rest, te = train_test_split(idx, test_size=test, stratify=y, random_state=state)
        if n_val > 0:
            tr, va = train_test_split(rest, test_size=n_val, stratify=y[rest], random_state=state)
        else:
            tr, va = rest, rest[:0]
        assert len(te) == n_test and len(va) == n_val
        per = tuple(tuple(int(np.sum(y[part] == c)) for c in sorted(classes)) for part in (tr, va, te))
        results.add(per)
    assert len(results) == 1, (name, results)
    per = results.pop()
    put("strat.%s.labels" % name, y)
    put("strat.%s.sizes" % name, [n_test, n_val])
    put("strat.%s.train" % name, per[0])
    put("strat.%s.validation" % name, per[1])
    put("strat.%s.test" % name, per[2])
