#!/usr/bin/python3
"""Random tensor expressions, checked against PyTorch: writes the expressions'
C++ spelling and their torch float64 values, gradients and Hessian-vector
products, for test/random_expr_*_test.cpp.

Run with a Python that has torch (tested with torch 1.13) and numpy:

    /usr/bin/python3 test/ref/make_random_ref.py

It is deterministic (fixed seeds). Everything it writes is committed; the C++
tests (and CI) never need torch:

    test/random/<group>.inc    one per test group: each expression as a
                               namespace (its leaves and f), and
                               for_each_expression(check), which calls
                               check(id, text, f, leaves, hvp) for each
    test/random/random_ref.txt the inputs, torch's value, gradient with respect
                               to every leaf, a random tangent t and torch's
                               Hessian-vector product H.t (double backward),
                               for every expression

Expressions listed in SKIPS (below) are left out of one compiler's build under
a macro named for a known defect (random_check.hpp defines it and says why);
the test prints what it skipped.

The groups (one C++ translation unit each):

    elementwise  unary and binary ops with NumPy broadcasting ([3,4] with [4],
                 [3,1] with [1,4], scalar leaves, literals), the same
                 subexpression used twice, and the piecewise ops (relu, abs,
                 leaky_relu, hard_tanh, max/min of two expressions)
    reductions   sum, mean, max, min, logsumexp, whole and along an axis of a
                 rank 2 or 3 operand (never axis 0 of a vector), softmax and
                 log_softmax
    matmul       matmul chains (matrix-matrix, matrix-vector), transpose, dot,
                 elementwise layers in between

Each expression is a scalar: a tensor result is wrapped in sum or mean.

Inputs are drawn uniformly from [-1.5, 1.5] and redrawn (up to 400 times, then
the expression is drawn again) until every piecewise op is at least 1e-3 away
from its kink or tie -- relu, abs and leaky_relu from 0, hard_tanh from +-1,
max/min of two expressions from equality, the max/min reductions' largest
(smallest) element from the runner-up -- and every op is well inside its
domain: log and sqrt arguments >= 0.02 (they are built positive: exp, softplus,
sigmoid, x*x + 1, 1 + |x|), denominators >= 0.2 in magnitude, tan arguments
within +-1.2, exp and expm1 arguments <= 8, every intermediate below 1e4 in
magnitude.

random_ref.txt, one record per expression (numbers with %.17g, exact):

    expr <id> <number of leaves>
    leaf <name> <rank> <extents...> <n> <values...>    (row-major; per leaf)
    value <v>
    grad <name> <n> <values...>                        (per leaf)
    tangent <name> <n> <values...>                     (per leaf)
    hvp <name> <n> <values...>                         (per leaf)
    end
"""

import os
import random

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "random")
KINK = 1e-3          # piecewise ops and ties at least this far from their kink
POSITIVE_MIN = 0.02  # log / sqrt arguments
DENOMINATOR_MIN = 0.2
TAN_MAX = 1.2
EXP_MAX = 8.0
MAGNITUDE_MAX = 1e4
NAMES = ["x", "y", "z", "w", "u", "v", "p", "q"]

# ---------------------------------------------------------------- nodes


class Node:
    """One node: kind, op, operands, shape (a tuple), extra (literal, axis)."""

    def __init__(self, kind, op, args, shape, extra=None):
        self.kind, self.op, self.args, self.shape, self.extra = kind, op, args, shape, extra


def leaf(name, shape):
    return Node("leaf", name, [], shape)


def literal(value, text):
    return Node("literal", text, [], (), value)


def broadcast_shape(a, b):
    r = max(len(a), len(b))
    a = (1,) * (r - len(a)) + a
    b = (1,) * (r - len(b)) + b
    out = []
    for x, y in zip(a, b):
        assert x == y or x == 1 or y == 1, (a, b)
        out.append(max(x, y))
    return tuple(out)


def unary(op, a, extra=None):
    return Node("unary", op, [a], a.shape, extra)


def binary(op, a, b):
    return Node("binary", op, [a, b], broadcast_shape(a.shape, b.shape))


def reduce(op, a, axis=None):
    shape = () if axis is None else a.shape[:axis] + a.shape[axis + 1:]
    return Node("reduce", op, [a], shape, axis)


def softmax(op, a):
    return Node("softmax", op, [a], a.shape)


def matmul(a, b):
    assert a.shape[1] == b.shape[0]
    return Node("matmul", "matmul", [a, b], (a.shape[0],) + b.shape[1:])


def transpose(a):
    return Node("transpose", "transpose", [a], (a.shape[1], a.shape[0]))


def dot(a, b):
    assert a.shape == b.shape and len(a.shape) == 1
    return Node("dot", "dot", [a, b], ())


# ---------------------------------------------------------------- torch evaluation

class Rejected(Exception):
    pass


def margin(ok, what):
    if not bool(ok):
        raise Rejected(what)


def gap_top2(a, dim, largest):
    """The gap between the largest (smallest) element and the runner-up, along dim (None: all)."""
    t = a.detach().flatten() if dim is None else a.detach().movedim(dim, -1)
    if dim is None:
        t = t.unsqueeze(0)
    if t.shape[-1] < 2:
        return torch.tensor(float("inf"))
    s = torch.sort(t, dim=-1, descending=largest).values
    return (s[..., 0] - s[..., 1]).abs().min()


UNARY_TORCH = {
    "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt,
    "abs": torch.abs, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "softplus": F.softplus, "relu": torch.relu, "hard_tanh": F.hardtanh,
    "neg": torch.neg,
}


def evaluate(node, env, memo):
    """torch value of node; raises Rejected when an input is too near a kink or off the domain."""
    if id(node) in memo:
        return memo[id(node)]
    k = node.kind
    if k == "leaf":
        v = env[node.op]
    elif k == "literal":
        v = torch.tensor(node.extra)
    else:
        a = [evaluate(x, env, memo) for x in node.args]
        if k == "unary":
            op, x = node.op, a[0]
            if op in ("log", "sqrt") or (op == "pow" and node.extra == 0.5):
                margin((x >= POSITIVE_MIN).all(), op + " argument")
            if op == "log1p":
                margin((x >= POSITIVE_MIN - 1).all(), "log1p argument")
            if op in ("exp", "expm1"):
                margin((x <= EXP_MAX).all(), op + " argument")
            if op == "tan":
                margin((x.abs() <= TAN_MAX).all(), "tan argument")
            if op in ("relu", "abs", "leaky_relu"):
                margin((x.abs() >= KINK).all(), op + " kink")
            if op == "hard_tanh":
                margin(((x.abs() - 1).abs() >= KINK).all(), "hard_tanh kink")
            if op == "pow":
                v = torch.pow(x, node.extra)
            elif op == "leaky_relu":
                v = F.leaky_relu(x, node.extra)
            else:
                v = UNARY_TORCH[op](x)
        elif k == "binary":
            op, x, y = node.op, a[0], a[1]
            if op == "add":
                v = x + y
            elif op == "sub":
                v = x - y
            elif op == "mul":
                v = x * y
            elif op == "div":
                margin((y.abs() >= DENOMINATOR_MIN).all(), "denominator")
                v = x / y
            elif op in ("max", "min"):
                margin(((x - y).abs() >= KINK).all(), op + " tie")
                v = torch.maximum(x, y) if op == "max" else torch.minimum(x, y)
            else:
                raise AssertionError(op)
        elif k == "reduce":
            op, x, axis = node.op, a[0], node.extra
            if op in ("max", "min"):
                margin(gap_top2(x, axis, op == "max") >= KINK, op + " reduction tie")
            if axis is None:
                v = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin,
                     "logsumexp": lambda t: torch.logsumexp(t.flatten(), 0)}[node.op](x)
            else:
                v = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin,
                     "logsumexp": torch.logsumexp}[node.op](x, axis)
        elif k == "softmax":
            v = torch.softmax(a[0], -1) if node.op == "softmax" else torch.log_softmax(a[0], -1)
        elif k == "matmul":
            v = torch.matmul(a[0], a[1])
        elif k == "transpose":
            v = a[0].t()
        elif k == "dot":
            v = torch.dot(a[0], a[1])
        else:
            raise AssertionError(k)
    assert tuple(v.shape) == node.shape, (node.kind, node.op, tuple(v.shape), node.shape)
    margin(torch.isfinite(v).all() and (v.abs() <= MAGNITUDE_MAX).all(), "magnitude")
    memo[id(node)] = v
    return v


# ---------------------------------------------------------------- C++ spelling

def shape_cpp(shape):
    return "lz::shape<" + ", ".join(str(e) for e in shape) + ">"


def uses(node, counts):
    counts[id(node)] = counts.get(id(node), 0) + 1
    if counts[id(node)] == 1:
        for a in node.args:
            uses(a, counts)


class Writer:
    """C++ text of an expression; nodes used more than once become named constants s0, s1, ..."""

    def __init__(self, root):
        self.counts = {}
        uses(root, self.counts)
        self.names = {}
        self.lines = []

    def cpp(self, node, top=False):
        if node.kind == "leaf":
            return node.op
        if id(node) in self.names:
            return self.names[id(node)]
        text = self.spell(node)
        if self.counts[id(node)] > 1 and not top:
            name = "s%d" % len(self.names)
            self.lines.append("inline constexpr auto %s = %s;" % (name, text))
            self.names[id(node)] = name
            return name
        return text

    def spell(self, node):
        k, op = node.kind, node.op
        a = [self.cpp(x) for x in node.args]
        if k == "literal":
            return op
        if k == "unary":
            if op == "neg":
                return "-(%s)" % a[0]
            if op == "pow":
                return "lz::pow(%s, %s)" % (a[0], {2: "2_c", 3: "3_c", 0.5: "0.5_c"}[node.extra])
            if op == "leaky_relu":
                return "lz::leaky_relu(%s)" % a[0] if node.extra == 0.01 else "lz::leaky_relu(%s, 0.25_c)" % a[0]
            return "lz::%s(%s)" % (op, a[0])
        if k == "binary":
            if op in ("max", "min"):
                return "lz::%s(%s, %s)" % (op, a[0], a[1])
            return "(%s %s %s)" % (a[0], {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op], a[1])
        if k == "reduce":
            if node.extra is None:
                return "lz::%s(%s)" % (op, a[0])
            return "lz::%s(%s, lz::axis<%d>)" % (op, a[0], node.extra)
        if k == "softmax":
            return "lz::%s(%s)" % (op, a[0])
        if k == "matmul":
            return "lz::matmul(%s, %s)" % (a[0], a[1])
        if k == "transpose":
            return "lz::transpose(%s)" % a[0]
        if k == "dot":
            return "lz::dot(%s, %s)" % (a[0], a[1])
        raise AssertionError(k)


def leaves_of(node, out):
    if node.kind == "leaf" and node.op not in [n for n, _ in out]:
        out.append((node.op, node.shape))
    for a in node.args:
        leaves_of(a, out)
    return out


def text_of(node):
    """A compact one-line spelling (torch-like), for messages and comments."""
    k, op = node.kind, node.op
    a = [text_of(x) for x in node.args]
    if k in ("leaf", "literal"):
        return op.replace("_c", "")
    if k == "unary":
        if op == "neg":
            return "-(%s)" % a[0]
        if op == "pow":
            return "pow(%s, %g)" % (a[0], node.extra)
        if op == "leaky_relu":
            return "leaky_relu(%s, %g)" % (a[0], node.extra)
        return "%s(%s)" % (op, a[0])
    if k == "binary":
        if op in ("max", "min"):
            return "%s(%s, %s)" % (op, a[0], a[1])
        return "(%s %s %s)" % (a[0], {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op], a[1])
    if k == "reduce":
        return "%s(%s)" % (op, a[0]) if node.extra is None else "%s(%s, axis %d)" % (op, a[0], node.extra)
    return "%s(%s)" % (op, ", ".join(a))


# ---------------------------------------------------------------- random expressions

class Gen:
    """Random expressions of one test group; leaves are named per expression, reused by shape."""

    def __init__(self, rng):
        self.rng = rng

    def start(self):
        self.leaves = {}  # shape -> [names]

    def leaf(self, shape):
        names = self.leaves.setdefault(shape, [])
        used = sum(len(v) for v in self.leaves.values())
        if names and (self.rng.random() < 0.5 or used >= 5):
            return leaf(self.rng.choice(names), shape)
        name = NAMES[used]
        names.append(name)
        return leaf(name, shape)

    def splits(self, shape):
        """Operand shapes that broadcast to shape (NumPy rules)."""
        s = [(shape, shape), (shape, ()), ((), shape)]
        if len(shape) == 2:
            m, n = shape
            s += [(shape, (n,)), ((n,), shape), ((m, 1), (1, n)), ((1, n), (m, 1)), (shape, (m, 1)), ((1, n), shape)]
        if len(shape) == 3:
            s += [(shape, shape[1:]), (shape, (shape[1], 1)), ((shape[0], 1, shape[2]), (shape[1], 1))]
        keep = lambda t: t == () or any(e != 1 for e in t)  # no all-ones operand shapes ([1, 1])
        return [x for x in s if broadcast_shape(*x) == shape and keep(x[0]) and keep(x[1])]

    def positive(self, shape, depth):
        """An expression of the shape whose values are positive by construction."""
        g = self.elementwise(shape, depth)
        c = self.rng.randrange(5)
        if c == 0:
            return unary("exp", unary("tanh", g) if self.rng.random() < 0.5 else g)
        if c == 1:
            return binary("add", unary("softplus", g), literal(0.5, "0.5_c"))
        if c == 2:
            return unary("sigmoid", g)
        if c == 3:
            return binary("add", unary("pow", g, 2), literal(1.0, "1_c"))
        return binary("add", literal(1.0, "1_c"), unary("abs", g))

    def elementwise(self, shape, depth, piecewise=0.3):
        """A random elementwise expression of the given shape."""
        r = self.rng
        if depth <= 0:
            return self.leaf(shape)
        c = r.random()
        if c < 0.35:  # unary
            if r.random() < piecewise:
                op = r.choice(["relu", "abs", "leaky_relu", "hard_tanh"])
                g = self.elementwise(shape, depth - 1)
                if op == "leaky_relu":
                    return unary(op, g, r.choice([0.01, 0.25]))
                return unary(op, g)
            op = r.choice(["exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid",
                           "softplus", "neg", "pow2", "pow3", "powhalf"])
            if op in ("log", "sqrt"):
                return unary(op, self.positive(shape, depth - 1))
            if op == "powhalf":
                return unary("pow", self.positive(shape, depth - 1), 0.5)
            if op == "log1p":
                return unary(op, unary("sigmoid", self.elementwise(shape, depth - 1)))
            if op in ("pow2", "pow3"):
                return unary("pow", self.elementwise(shape, depth - 1), int(op[3]))
            if op == "tan":
                return unary(op, unary(r.choice(["sin", "tanh"]), self.elementwise(shape, depth - 1)))
            if op in ("exp", "expm1"):
                return unary(op, unary(r.choice(["sin", "tanh", "cos"]), self.elementwise(shape, depth - 1)))
            return unary(op, self.elementwise(shape, depth - 1))
        if c < 0.45:  # a literal operand
            g = self.elementwise(shape, depth - 1)
            lit = r.choice([(2.0, "2_c"), (0.5, "0.5_c"), (3.0, "3_c")])
            op = r.choice(["mul", "add", "sub"])
            return binary(op, literal(*lit), g) if r.random() < 0.5 else binary(op, g, literal(*lit))
        if c < 0.6:  # a subexpression used twice
            s = self.elementwise(shape, depth - 1)
            op = r.choice(["add", "mul", "sub", "max", "min", "div"])
            if op == "div":
                return binary(op, s, binary("add", literal(1.0, "1_c"), unary("pow", s, 2)))
            u = unary(r.choice(["sin", "tanh", "sigmoid", "cos"]), s)
            return binary(op, s, u) if r.random() < 0.5 else binary(op, u, s)
        sa, sb = (shape, shape) if r.random() < 0.4 else r.choice(self.splits(shape))
        op = r.choice(["add", "sub", "mul", "mul", "div", "max", "min"])
        a = self.elementwise(sa, depth - 1)
        if op == "div":
            return binary(op, a, self.positive(sb, depth - 2) if r.random() < 0.7 else
                          binary("add", literal(2.0, "2_c"), unary("sin", self.elementwise(sb, depth - 2))))
        return binary(op, a, self.elementwise(sb, depth - 1))

    def scalar(self, g):
        """Wraps a tensor result in sum or mean."""
        if g.shape == ():
            return g
        return reduce(self.rng.choice(["sum", "mean"]), g)


def gen_elementwise(gen):
    r = gen.rng
    shape = r.choice([(3, 4), (3, 4), (3, 4), (3, 4), (4,), (3, 1), (2, 3, 4)])
    g = gen.elementwise(shape, r.choice([2, 3, 3]), piecewise=0.45)
    return gen.scalar(g)


def gen_reductions(gen):
    r = gen.rng
    c = r.choice([0, 1, 2, 2, 3])
    if c == 0:  # whole reductions, combined
        a = reduce(r.choice(["sum", "mean", "max", "min", "logsumexp"]), gen.elementwise((3, 4), r.choice([1, 2])))
        b = reduce(r.choice(["max", "min", "logsumexp", "mean"]), gen.elementwise(r.choice([(3, 4), (2, 3, 4)]), 1))
        op = r.choice(["add", "mul", "sub"])
        return binary(op, a, unary(r.choice(["tanh", "sin", "sigmoid"]), b) if r.random() < 0.5 else b)
    if c == 1:  # along an axis, then more elementwise work and a final reduction
        shape = r.choice([(3, 4), (4, 5), (2, 3, 4)])
        axis = r.randrange(len(shape))
        red = reduce(r.choice(["sum", "mean", "max", "min", "logsumexp"]), gen.elementwise(shape, r.choice([1, 2])), axis)
        out = red.shape
        sa, sb = r.choice(gen.splits(out))
        if sa == out:
            g = binary(r.choice(["mul", "add", "max"]), red, gen.elementwise(sb, 1))
        else:
            g = unary(r.choice(["tanh", "sin", "softplus"]), red)
        if len(out) >= 2 and r.random() < 0.6:
            g = reduce(r.choice(["sum", "max", "min", "logsumexp", "mean"]), g, r.randrange(len(out)))
        return reduce(r.choice(["sum", "mean", "logsumexp", "max", "min"]), g)
    if c == 2:  # softmax / log_softmax
        shape = r.choice([(3, 4), (3, 4), (2, 5), (2, 3, 4), (6,)])
        s = softmax(r.choice(["softmax", "log_softmax"]), gen.elementwise(shape, r.choice([1, 2])))
        w = gen.elementwise(r.choice(gen.splits(shape))[0], 1)
        g = binary("mul", s, w)
        if len(shape) >= 2 and r.random() < 0.5:
            g = reduce(r.choice(["sum", "logsumexp", "max"]), g, len(shape) - 1)
        return gen.scalar(g) if r.random() < 0.7 else reduce(r.choice(["logsumexp", "max", "min"]), g)
    # a shared reduction: the same reduced value used twice
    shape = r.choice([(3, 4), (4, 3)])
    axis = r.randrange(2)
    red = reduce(r.choice(["sum", "mean", "max", "min", "logsumexp"]), gen.elementwise(shape, 1), axis)
    g = binary(r.choice(["mul", "add", "sub"]), red, unary(r.choice(["tanh", "sin", "exp"]), red))
    return reduce(r.choice(["sum", "mean", "logsumexp", "max", "min"]), g)


def gen_matmul(gen):
    r = gen.rng
    m, k, n, p = (r.choice([2, 3, 4, 5]) for _ in range(4))
    c = r.randrange(4)
    if c == 0:  # a chain of three matrices, maybe with a layer in between
        ab = matmul(gen.elementwise((m, k), r.choice([0, 1])), gen.elementwise((k, n), r.choice([0, 1])))
        if r.random() < 0.6:
            ab = unary(r.choice(["tanh", "sigmoid", "softplus", "relu", "sin"]), ab)
        g = matmul(ab, gen.elementwise((n, p), r.choice([0, 1])))
    elif c == 1:  # a two-layer net on a vector: W2 * act(W1 * x + b)
        h = binary("add", matmul(gen.leaf((m, k)), gen.elementwise((k,), r.choice([0, 1]))), gen.leaf((m,)))
        h = unary(r.choice(["tanh", "sigmoid", "softplus", "relu", "leaky_relu"]), h, 0.01)
        if h.op != "leaky_relu":
            h.extra = None
        g = matmul(gen.leaf((n, m)), h)
    elif c == 2:  # transposes: A^T (A B), (A B)^T C
        a = gen.elementwise((m, k), r.choice([0, 1]))
        if r.random() < 0.5:
            g = matmul(transpose(a), matmul(a, gen.elementwise((k, n), 0)))
        else:
            g = matmul(transpose(matmul(a, gen.leaf((k, n)))), gen.elementwise((m, p), 1))
    else:  # dot products of matrix-vector products
        u = matmul(gen.elementwise((m, k), 1), gen.leaf((k,)))
        v = gen.elementwise((m,), 1)
        g = binary(r.choice(["mul", "add"]), dot(u, v), unary(r.choice(["tanh", "sin"]), dot(u, u)))
    if g.shape != () and r.random() < 0.3:
        g = unary(r.choice(["tanh", "sigmoid", "sin"]), g)
    if g.shape == ():
        return g
    return reduce(r.choice(["sum", "mean", "sum", "logsumexp", "max", "min"]), g)


GROUPS = [
    # (name, generator, number of expressions, expressions checked with hvp)
    ("elementwise", gen_elementwise, 26, [0, 5, 9]),
    ("reductions", gen_reductions, 22, [1, 4, 8]),
    ("matmul", gen_matmul, 18, [0, 3, 6]),
]

# Expressions left out of a compiler's build because of a known defect of that
# compiler with the engine, each under a macro named for the defect (defined by
# random_check.hpp): {id: (macro, why)}. Empty when every defect is fixed.
# (Five expressions with cos were left out of g++ builds until cos_op::vjp was
# defined in its class: g++ 12 -O1 warned -Wmaybe-uninitialized in the fused
# backward of a group whose cos value nothing reads. Fixed; none is left out.)
SKIPS = {}


def size(shape):
    return int(np.prod(shape)) if shape else 1


def try_inputs(root, leaves, nrng):
    for _ in range(400):
        env = {name: torch.tensor(nrng.uniform(-1.5, 1.5, size=shape)) for name, shape in leaves}
        try:
            value = evaluate(root, env, {})
            return env, value
        except Rejected:
            continue
    return None


def reference(root, leaves, env, nrng):
    xs = {name: env[name].clone().requires_grad_(True) for name, _ in leaves}
    y = evaluate(root, xs, {})
    assert y.shape == ()
    grads = torch.autograd.grad(y, [xs[n] for n, _ in leaves], create_graph=True, allow_unused=True)
    grads = [g if g is not None else torch.zeros_like(xs[n]) for g, (n, _) in zip(grads, leaves)]
    tangent = {name: torch.tensor(nrng.uniform(-1, 1, size=shape)) for name, shape in leaves}
    gt = sum((g * tangent[n]).sum() for g, (n, _) in zip(grads, leaves))
    if gt.requires_grad:
        hv = torch.autograd.grad(gt, [xs[n] for n, _ in leaves], allow_unused=True)
    else:
        hv = [None] * len(leaves)
    hv = [h if h is not None else torch.zeros_like(xs[n]) for h, (n, _) in zip(hv, leaves)]
    return y.item(), [g.detach() for g in grads], tangent, [h.detach() for h in hv]


def numbers(t):
    return " ".join("%.17g" % v for v in t.detach().clone().contiguous().flatten().tolist())


def main():
    rng = random.Random(20261207)
    nrng = np.random.default_rng(7)
    records = []
    for group, make, count, hvp_ids in GROUPS:
        gen = Gen(rng)
        cases = []
        while len(cases) < count:
            gen.start()
            root = make(gen)
            leaves = leaves_of(root, [])
            found = try_inputs(root, leaves, nrng)
            if found is None:
                continue
            env, _ = found
            value, grads, tangent, hv = reference(root, leaves, env, nrng)
            ident = "%s_%02d" % (group, len(cases))
            cases.append((ident, root, leaves))
            rec = ["expr %s %d" % (ident, len(leaves))]
            for (name, shape) in leaves:
                rec.append("leaf %s %d %s%d %s" % (name, len(shape), "".join("%d " % e for e in shape), size(shape),
                                                   numbers(env[name])))
            rec.append("value %.17g" % value)
            for (name, shape), g in zip(leaves, grads):
                rec.append("grad %s %d %s" % (name, size(shape), numbers(g)))
            for name, shape in leaves:
                rec.append("tangent %s %d %s" % (name, size(shape), numbers(tangent[name])))
            for (name, shape), h in zip(leaves, hv):
                rec.append("hvp %s %d %s" % (name, size(shape), numbers(h)))
            rec.append("end")
            records.append("\n".join(rec))
        write_group(group, cases, hvp_ids)
    with open(os.path.join(HERE, "random_ref.txt"), "w") as f:
        f.write("# Generated by test/ref/make_random_ref.py (torch %s, float64): do not edit.\n" % torch.__version__)
        f.write("\n".join(records) + "\n")


def write_group(group, cases, hvp_ids):
    out = ["// Generated by test/ref/make_random_ref.py: do not edit.",
           "// %d random expressions (group '%s'); their torch references are in random_ref.txt." % (len(cases), group),
           "// Included by test/random_expr_%s_test.cpp, after <leibniz/leibniz.hpp>, softmax.hpp," % group,
           "// log_softmax.hpp, <tuple>, `namespace lz = leibniz;` and `using namespace lz::literals;`.",
           "// clang-format off", "namespace random_%s {" % group, ""]
    for ident, root, leaves in cases:
        w = Writer(root)
        body = w.cpp(root, top=True)
        out.append("// %s" % text_of(root))
        out.append("namespace %s {" % ident)
        for name, shape in leaves:
            out.append('inline constexpr auto %s = lz::var<"%s", double, %s>;' % (name, name, shape_cpp(shape)))
        out += w.lines
        out.append("inline constexpr auto f = %s;" % body)
        out.append("}  // namespace %s" % ident)
        out.append("")
    out.append("// check(id, text, f, leaves, with_hvp): with_hvp is std::true_type for the expressions")
    out.append("// whose Hessian-vector product is checked too (each hvp is a heavy instantiation).")
    out.append("template <class Check>")
    out.append("void for_each_expression(Check&& check) {")
    for i, (ident, root, leaves) in enumerate(cases):
        hv = "std::true_type{}" if i in hvp_ids else "std::false_type{}"
        names = ", ".join("%s::%s" % (ident, n) for n, _ in leaves)
        call = '    check("%s", "%s", %s::f, std::tuple{%s}, %s);' % (ident, text_of(root), ident, names, hv)
        if ident in SKIPS:
            macro, why = SKIPS[ident]
            out += ["#if !%s  // %s" % (macro, why), call, "#else",
                    '    lzr::skipped("%s", "%s");' % (ident, macro), "#endif"]
        else:
            out.append(call)
    out.append("}")
    out.append("")
    out.append("}  // namespace random_%s" % group)
    out.append("// clang-format on")
    with open(os.path.join(HERE, "%s.inc" % group), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
