#!/usr/bin/python3
"""Reference trajectories and learning-rate sequences for test/optim_test.cpp,
from torch.optim (Debian's python3-torch 1.13, float64).

    /usr/bin/python3 test/ref/make_optim_ref.py > test/optim/optim_ref.txt

The objective (written the same way in the C++ test, its gradient there from
lz::grad): four parameter tensors in store order W [3, 2], b [2], v [2, 1],
c [] and fixed data X [5, 3], y [5, 1],

    f = mean((tanh(X W + b) v + c - y)^2)

non-quadratic through the tanh. Each trajectory starts from the same recorded
parameters and takes 50 steps of torch.optim (the gradient from autograd);
rows are the 11 parameters (W row-major, b, v, c) after the steps listed in
`rows`. The notes' momentum forms and delta-bar-delta, which torch.optim does
not have, are written here in plain Python from their formulas (the rule's
comment in include/leibniz/optim/ says which), with torch's gradient.

Schedules: the lr after each scheduler.step() of torch.optim.lr_scheduler
(epoch 0 = construction), one group of base lr 0.1 unless said; one-cycle
also records the momentum (or beta1); reduce-on-plateau is fed the recorded
`metrics` sequence.

Format (whitespace-separated tokens): `data X ...`, `data y ...`, `init ...`,
`rows k i1 ... ik`, then `traj <name> <k·11 numbers>` and
`seq <name> <count> <numbers>` (also L-BFGS: the 11 parameters after each of
5 torch.optim.LBFGS.step(closure) calls, with and without strong Wolfe).
"""
import math

import numpy as np
import torch
from torch.optim import lr_scheduler as S

torch.manual_seed(20261207)
dt = torch.float64
X = torch.randn(5, 3, dtype=dt)
y = torch.randn(5, 1, dtype=dt)
init = [torch.randn(3, 2, dtype=dt) * 0.7, torch.randn(2, dtype=dt) * 0.5, torch.randn(2, 1, dtype=dt),
        torch.tensor(0.3, dtype=dt)]
STEPS = 50
ROWS = list(range(1, 11)) + list(range(15, STEPS + 1, 5))


def num(x):
    return repr(float(x))


def flat(ps):
    return [float(v) for p in ps for v in p.detach().reshape(-1).tolist()]


def objective(W, b, v, c):
    return torch.mean((torch.tanh(X @ W + b) @ v + c - y) ** 2)


def fresh():
    return [p.clone().requires_grad_() for p in init]


def grads_of(ps):
    for p in ps:
        p.grad = None
    loss = objective(*ps)
    loss.backward()
    return loss


out = []
out.append("# Written by test/ref/make_optim_ref.py (PyTorch " + torch.__version__ + ", float64); do not edit.")
out.append("data X " + " ".join(num(v) for v in X.reshape(-1).tolist()))
out.append("data y " + " ".join(num(v) for v in y.reshape(-1).tolist()))
out.append("init " + " ".join(num(v) for v in flat(init)))
out.append("rows " + str(len(ROWS)) + " " + " ".join(str(r) for r in ROWS))


def record(name, rows):
    assert len(rows) == len(ROWS)
    out.append("traj " + name + " " + " ".join(num(v) for r in rows for v in r))


def torch_run(name, make, schedule=None, clip=None):
    ps = fresh()
    opt = make(ps)
    sched = schedule(opt) if schedule else None
    rows = []
    for t in range(1, STEPS + 1):
        grads_of(ps)
        if clip == "norm":
            torch.nn.utils.clip_grad_norm_(ps, max_norm=0.5)
        elif clip == "value":
            torch.nn.utils.clip_grad_value_(ps, clip_value=0.05)
        opt.step()
        if sched:
            sched.step()
        if t in ROWS:
            rows.append(flat(ps))
    record(name, rows)


O = torch.optim
# SGD
torch_run("sgd", lambda p: O.SGD(p, lr=0.1))
torch_run("sgd_momentum", lambda p: O.SGD(p, lr=0.05, momentum=0.9))
torch_run("sgd_dampening", lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.3))
torch_run("sgd_nesterov", lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True))
torch_run("sgd_weight_decay", lambda p: O.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1))
torch_run("sgd_maximize", lambda p: O.SGD(p, lr=0.01, momentum=0.5, maximize=True))
# Adam, AdamW
torch_run("adam", lambda p: O.Adam(p, lr=0.01))
torch_run("adam_amsgrad", lambda p: O.Adam(p, lr=0.01, amsgrad=True))
torch_run("adam_weight_decay", lambda p: O.Adam(p, lr=0.01, weight_decay=0.1))
torch_run("adamw", lambda p: O.AdamW(p, lr=0.01))
torch_run("adamw_amsgrad", lambda p: O.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True, betas=(0.8, 0.99)))
# RMSprop
torch_run("rmsprop", lambda p: O.RMSprop(p, lr=0.01))
torch_run("rmsprop_centered", lambda p: O.RMSprop(p, lr=0.01, centered=True))
torch_run("rmsprop_momentum", lambda p: O.RMSprop(p, lr=0.01, momentum=0.9))
torch_run("rmsprop_centered_momentum_wd",
          lambda p: O.RMSprop(p, lr=0.005, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.05))
# Adagrad
torch_run("adagrad", lambda p: O.Adagrad(p, lr=0.1))
torch_run("adagrad_lr_decay_initial", lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5))
# Two groups: W and v with the defaults, b and c with their own lr and no weight decay.
torch_run("sgd_two_groups", lambda p: O.SGD([{"params": [p[0], p[2]]}, {"params": [p[1], p[3]], "lr": 0.2,
                                                                            "weight_decay": 0.0}],
                                            lr=0.05, momentum=0.9, weight_decay=0.1))
torch_run("adam_two_groups", lambda p: O.Adam([{"params": [p[0], p[2]]}, {"params": [p[1], p[3]], "lr": 0.03,
                                                                              "weight_decay": 0.0}],
                                              lr=0.01, weight_decay=0.05))
# With a schedule (the lr steps after the optimizer) and with clipping.
torch_run("sgd_momentum_step_lr", lambda p: O.SGD(p, lr=0.1, momentum=0.9),
          schedule=lambda o: S.StepLR(o, step_size=10, gamma=0.5))
torch_run("adam_one_cycle", lambda p: O.Adam(p, lr=0.01),
          schedule=lambda o: S.OneCycleLR(o, max_lr=0.05, total_steps=STEPS))
torch_run("sgd_clip_norm", lambda p: O.SGD(p, lr=0.1, momentum=0.5), clip="norm")
torch_run("adam_clip_value", lambda p: O.Adam(p, lr=0.01), clip="value")


# The notes' forms, in plain Python with torch's gradient.
def python_run(name, update, lrs=None):
    ps = fresh()
    state = {}
    rows = []
    for t in range(1, STEPS + 1):
        grads_of(ps)
        lr = lrs(t) if lrs else None
        with torch.no_grad():
            for k, p in enumerate(ps):
                update(state, k, p, p.grad.clone(), t, lr)
        if t in ROWS:
            rows.append(flat(ps))
    record(name, rows)


def ema(state, k, p, g, t, lr):  # v = beta v + (1 - beta) g from v = 0; theta -= lr v
    v = state.get(k, torch.zeros_like(p))
    v = 0.9 * v + (1 - 0.9) * g
    state[k] = v
    p -= 0.1 * v


def heavy_ball(state, k, p, g, t, lr):  # theta' = theta - lr g + beta (theta - theta_prev)
    prev = state.get(k, p.clone())
    now = p.clone()
    p.copy_(now - 0.05 * g + 0.9 * (now - prev))
    state[k] = now


def velocity(state, k, p, g, t, lr):  # v = mu v - lr g; theta += v (lr inside the buffer)
    v = state.get(k, torch.zeros_like(p))
    v = 0.9 * v - lr * g
    state[k] = v
    p += v


def delta_bar_delta(state, k, p, g, t, lr):
    # Jacobs (1988): rate += kappa where bar·g > 0, rate *= (1 - phi) where < 0;
    # theta -= rate g; bar = (1 - theta_s) g + theta_s bar.
    kappa, phi, theta_s = 0.002, 0.2, 0.7
    rate = state.get(("rate", k), torch.full_like(p, 0.05))
    bar = state.get(("bar", k), torch.zeros_like(p))
    s = bar * g
    rate = torch.where(s > 0, rate + kappa, torch.where(s < 0, rate * (1 - phi), rate))
    p -= rate * g
    state[("rate", k)] = rate
    state[("bar", k)] = (1 - theta_s) * g + theta_s * bar


python_run("sgd_ema", ema)
python_run("sgd_heavy_ball", heavy_ball)
# StepLR(step_size=10, gamma=0.5) from lr 0.1 in its closed form, steps after the update.
python_run("sgd_velocity_step_lr", velocity, lrs=lambda t: 0.1 * 0.5 ** ((t - 1) // 10))
python_run("delta_bar_delta", delta_bar_delta)


def nesterov_lookahead(name, lr, mu):
    # The notes' Nesterov: g at theta + mu v; v = mu v - lr g; theta += v.
    ps = fresh()
    vel = [torch.zeros_like(p) for p in ps]
    rows = []
    for t in range(1, STEPS + 1):
        ahead = [(p + mu * v).detach().requires_grad_() for p, v in zip(ps, vel)]
        objective(*ahead).backward()
        with torch.no_grad():
            for k, p in enumerate(ps):
                vel[k] = mu * vel[k] - lr * ahead[k].grad
                p += vel[k]
        if t in ROWS:
            rows.append(flat(ps))
    record(name, rows)


nesterov_lookahead("nesterov_lookahead", 0.05, 0.9)


# L-BFGS: the parameters after each of 5 optimizer.step(closure) calls (as `seq <name> 55 ...`).
def lbfgs_run(name, **kw):
    ps = fresh()
    opt = O.LBFGS(ps, **kw)

    def closure():
        opt.zero_grad()
        loss = objective(*ps)
        loss.backward()
        return loss

    rows = []
    for _ in range(5):
        opt.step(closure)
        rows.extend(flat(ps))
    out.append("seq " + name + " " + str(len(rows)) + " " + " ".join(num(v) for v in rows))


lbfgs_run("lbfgs_strong_wolfe", lr=1, max_iter=20, history_size=10, line_search_fn="strong_wolfe")
lbfgs_run("lbfgs_plain", lr=0.5, max_iter=10, history_size=5)


# Learning-rate sequences.
def lr_sequence(name, make, epochs=STEPS, base=(0.1,), momentum=False, optim="sgd", metrics=None):
    params = [torch.zeros(1, dtype=dt, requires_grad=True) for _ in base]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, base)]
    opt = O.SGD(groups, lr=base[0], momentum=0.9) if optim == "sgd" else O.Adam(groups, lr=base[0])
    sched = make(opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [opt.param_groups[0]["momentum" if optim == "sgd" else "betas"]]
    for e in range(1, epochs + 1):
        opt.step()
        if metrics is not None:
            sched.step(metrics[e - 1])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(opt.param_groups[0]["momentum" if optim == "sgd" else "betas"])
    for gi in range(len(base)):
        seq = [r[gi] for r in lrs]
        out.append("seq " + name + ("" if len(base) == 1 else "." + str(gi)) + " " + str(len(seq)) + " " +
                   " ".join(num(v) for v in seq))
    if momentum:
        seq = [m if optim == "sgd" else m[0] for m in moms]
        out.append("seq " + name + ".momentum " + str(len(seq)) + " " + " ".join(num(v) for v in seq))


lr_sequence("step", lambda o: S.StepLR(o, step_size=7, gamma=0.5), base=(0.1, 0.03))
lr_sequence("multi_step", lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3))
lr_sequence("exponential", lambda o: S.ExponentialLR(o, gamma=0.93))
lr_sequence("inverse_time", lambda o: S.LambdaLR(o, lambda e: 1.0 / (1.0 + 0.2 * e)))
lr_sequence("cosine", lambda o: S.CosineAnnealingLR(o, T_max=12, eta_min=0.005))
lr_sequence("linear_default", lambda o: S.LinearLR(o))
lr_sequence("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8))
lr_sequence("warmup_cosine", lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                         S.CosineAnnealingLR(o, T_max=20, eta_min=0.001)],
                                                      milestones=[5]))
lr_sequence("sequential_exp_step", lambda o: S.SequentialLR(o, [S.ExponentialLR(o, gamma=0.9),
                                                               S.StepLR(o, step_size=4, gamma=0.5)],
                                                            milestones=[10]))
lr_sequence("one_cycle", lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=STEPS), momentum=True)
lr_sequence("one_cycle_three_phase_linear",
            lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=40, pct_start=0.25, anneal_strategy="linear",
                                   three_phase=True, base_momentum=0.8, max_momentum=0.9, div_factor=10,
                                   final_div_factor=100),
            epochs=40, momentum=True, optim="adam")

rng = np.random.default_rng(20261207)
metrics = [1.0 / (1 + 0.3 * min(e, 12)) + (0.02 if e > 20 else 0.0) * np.sin(e) + 0.01 * rng.standard_normal()
           for e in range(STEPS)]
out.append("seq metrics " + str(len(metrics)) + " " + " ".join(num(v) for v in metrics))
lr_sequence("plateau_min_rel", lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=3, cooldown=2, min_lr=0.01),
            metrics=metrics)
lr_sequence("plateau_max_abs",
            lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=2, threshold=0.01,
                                          threshold_mode="abs", min_lr=0.001, eps=1e-3),
            metrics=metrics)
lr_sequence("plateau_defaults", lambda o: S.ReduceLROnPlateau(o), metrics=metrics)

print("\n".join(out))
