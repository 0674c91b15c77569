#!/usr/bin/python3
"""Writes ops_reference.csv: values and gradients of every leibniz op, computed
by PyTorch autograd in float64, as an outside reference for
test/ops_reference_test.cpp.

Run with a Python that has torch (tested with torch 1.13):

    /usr/bin/python3 test/reference/make_reference.py

The CSV is committed; the C++ test (and CI) never needs torch. Columns:

    op,x,y,value,grad_x,grad_y

numbers printed with %.17g (round-trips a double exactly; inf, -inf, nan as
such); y and grad_y are empty for unary ops. The op names are those of
test/op_cases.hpp. About 20 points per op, including its kinks and ties
(relu/abs/leaky at 0, hard_tanh at +-1, max/min ties, pow at a = 0 and with
exponent 0, sqrt and log at 0).
"""

import csv
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

# Points spread over each op's domain: negative, small, large, kinks.
REALS = [-50.0, -10.0, -3.7, -2.0, -1.0, -0.5, -0.1, -1e-3, -1e-8, -0.0, 0.0,
         1e-8, 1e-3, 0.1, 0.5, 1.0, 2.0, 3.7, 10.0, 50.0]
POSITIVE = [0.0, 1e-300, 1e-100, 1e-8, 1e-3, 0.1, 0.5, 0.9, 1.0, 1.5, 2.0,
            3.7, 10.0, 100.0, 1e3, 1e8, 1e100, 1e300]
MODERATE = [-20.0, -10.0, -3.7, -2.0, -1.0, -0.5, -0.1, -1e-3, -1e-8, 0.0,
            1e-8, 1e-3, 0.1, 0.5, 1.0, 2.0, 3.7, 10.0, 19.0, 19.9]

UNARY = {
    # name: (torch function, points)
    "neg": (lambda a: -a, REALS),
    "exp": (torch.exp, [-745.0, -700.0, -30.0] + MODERATE + [30.0, 700.0, 709.0]),
    "log": (torch.log, POSITIVE),
    "log1p": (torch.log1p, [-1.0, -0.999999, -0.9, -0.5, -1e-3, -1e-10, -1e-300]
              + [p for p in POSITIVE if p > 0]),
    "expm1": (torch.expm1, [-745.0, -40.0, -30.0] + MODERATE + [1e-300, 30.0, 700.0]),
    "sqrt": (torch.sqrt, POSITIVE),
    "abs": (torch.abs, REALS),
    "sin": (torch.sin, MODERATE + [100.0, -1e3, 1e6]),
    "cos": (torch.cos, MODERATE + [100.0, -1e3, 1e6]),
    "tan": (torch.tan, [-1.4, -1.2, -1.0, -0.7, -0.5, -0.3, -0.1, -1e-3, -1e-8,
                        0.0, 1e-8, 1e-3, 0.1, 0.3, 0.5, 0.7, 1.0, 1.2, 1.35, 1.4]),
    "tanh": (torch.tanh, MODERATE + [-50.0, 50.0]),
    "sigmoid": (torch.sigmoid, [-700.0, -40.0, -30.0] + MODERATE + [30.0, 40.0, 700.0]),
    # torch's softplus switches to the identity above threshold=20: only points < 20.
    "softplus": (F.softplus, [-700.0, -40.0, -30.0] + MODERATE),
    "relu": (torch.relu, REALS),
    "leaky_relu": (lambda a: F.leaky_relu(a, negative_slope=0.01), REALS),
    "leaky_relu_0.2": (lambda a: F.leaky_relu(a, negative_slope=0.2), REALS),
    "hard_tanh": (F.hardtanh, REALS + [-1.0 - 1e-12, -1.0 + 1e-12, 1.0 - 1e-12, 1.0 + 1e-12, 0.999, -0.999]),
    "pow_2": (lambda a: torch.pow(a, 2.0), REALS + [1e150, -1e150]),
    "pow_3": (lambda a: torch.pow(a, 3.0), REALS + [1e100, -1e100]),
    "pow_-2": (lambda a: torch.pow(a, -2.0), [r for r in REALS if r != 0.0] + [0.0]),
    "pow_0.5": (lambda a: torch.pow(a, 0.5), POSITIVE),
    "pow_1.5": (lambda a: torch.pow(a, 1.5), POSITIVE[:-1]),
    "pow_1": (lambda a: torch.pow(a, 1.0), REALS),
    "pow_0": (lambda a: torch.pow(a, 0.0), REALS),
}

BOTH = [-3.5, -1.0, -1e-3, 0.0, 0.25, 2.0]  # 6 x 6 = 36 pairs, ties on the diagonal
POW = ([(a, b) for a in [1e-3, 0.5, 1.0, 2.0, 10.0] for b in [-2.5, -1.0, 0.0, 0.5, 3.0]]
       + [(0.0, 0.0), (0.0, 0.5), (0.0, 1.0), (0.0, 2.0), (0.0, 3.0), (0.0, -1.0),
          (-2.0, 3.0), (-2.0, 2.0), (-2.0, -1.0), (-2.0, 0.0), (-2.0, 0.5), (-0.5, 4.0)])

BINARY = {
    "add": (lambda a, b: a + b, [(a, b) for a in BOTH for b in BOTH]),
    "sub": (lambda a, b: a - b, [(a, b) for a in BOTH for b in BOTH]),
    "mul": (lambda a, b: a * b, [(a, b) for a in BOTH for b in BOTH]),
    "div": (lambda a, b: a / b, [(a, b) for a in BOTH for b in BOTH if b != 0.0]),
    "pow": (torch.pow, POW),
    "max": (torch.maximum, [(a, b) for a in BOTH for b in BOTH] + [(1e300, 1e300), (-0.5, -0.5)]),
    "min": (torch.minimum, [(a, b) for a in BOTH for b in BOTH] + [(1e300, 1e300), (-0.5, -0.5)]),
}


def number(v):
    """%.17g, with Python's inf / -inf / nan spellings (strtod reads them)."""
    return "%.17g" % v


def grads_of(fn, *args):
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    out = fn(*leaves)
    out.backward()
    return out.item(), [leaf.grad.item() for leaf in leaves]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "ops_reference.csv")
    rows = 0
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["op", "x", "y", "value", "grad_x", "grad_y"])
        for name, (fn, points) in UNARY.items():
            for x in points:
                value, (gx,) = grads_of(fn, x)
                out.writerow([name, number(x), "", number(value), number(gx), ""])
                rows += 1
        for name, (fn, points) in BINARY.items():
            for x, y in points:
                value, (gx, gy) = grads_of(fn, x, y)
                out.writerow([name, number(x), number(y), number(value), number(gx), number(gy)])
                rows += 1
    print("wrote %d rows to %s (torch %s)" % (rows, path, torch.__version__), file=sys.stderr)


if __name__ == "__main__":
    main()
