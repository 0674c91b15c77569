#!/usr/bin/python3
"""The reference solution of examples/insurance.cpp, from scikit-learn
(Debian's python3-sklearn), computed once; the example holds the numbers.

    /usr/bin/python3 examples/ref/insurance_ref.py

The notes' table (seed notes 001) of age and affordability against
have_insurance is linearly separable (e.g. age + 20·affordability > 57), so
the unpenalized maximum-likelihood solution does not exist: the weights grow
without bound. The example therefore fits sklearn's default penalized model,
LogisticRegression(C=1.0) (L2 on the weights, not the intercept), whose
solution is unique, on the features age/100 and affordability:

    minimise  0.5·(w1² + w2²) + C · Σᵢ log-loss(σ(w1·age/100 + w2·aff + b), yᵢ)

solved to tolerance 1e-12 (lbfgs, float64). It also prints what the
unpenalized fit stops at: weights in the hundreds, the log-loss near 0 along
a separating direction.
"""
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

age = np.array([22, 25, 47, 52, 46, 56, 55, 60, 62, 61, 18, 28, 27], dtype=np.float64)
aff = np.array([1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0], dtype=np.float64)
y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0])
X = np.column_stack([age / 100.0, aff])

m = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(X, y)
print(f"# scikit-learn {sklearn.__version__}: LogisticRegression(C=1.0) on (age/100, affordability)")
print(f"w1 = {m.coef_[0][0]!r}")
print(f"w2 = {m.coef_[0][1]!r}")
print(f"b = {m.intercept_[0]!r}")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for iters in (100, 1000, 10000):
        u = LogisticRegression(penalty="none", tol=1e-14, max_iter=iters).fit(X, y)
        print(f"# unpenalized, max_iter {iters}: w = {u.coef_[0]}, b = {u.intercept_[0]:.3f}")
