#!/usr/bin/python3
"""Reference values for test/nn_test.cpp and test/nn_mlp_test.cpp, from PyTorch.

    /usr/bin/python3 test/ref/make_nn_layers_ref.py > test/nn/nn_layers_ref.inc

Prints C++ initializers (namespace torch_ref in the tests); Debian's
python3-torch 1.13 made the committed file. Every case is computed in float64
(arrays d_*) and in float32 (arrays f_*, the float32 results widened to
double); the inputs are drawn once in float64 and rounded to float32 for the
float case, as the C++ test rounds them. Weights are written in PyTorch's
layout (Linear.weight [out, in]); the test maps them with lz::nn::torch_layout.
The loss of each layer case is sum(y * g) for a fixed random g, so the
gradients are those of y against the upstream adjoint g.

  - dense:        nn.Linear(5, 3), x [4, 5]; and bias=False
  - layer_norm:   nn.LayerNorm(6), x [4, 6], weight and bias random
  - batch_norm1d: nn.BatchNorm1d(5), weight and bias random; three training
                  steps on batches x1, x2, x3 [8, 5] (output, gradients and the
                  running statistics after each), then evaluation on xe [6, 5]
  - batch_norm1d on [N, C, L]: nn.BatchNorm1d(4) on x [5, 4, 3], the same
                  three training steps and evaluation (at the end of the file)
  - layer_norm over two axes: nn.LayerNorm((3, 4)) on x [2, 3, 4] (at the end)
  - mlp:          nn.Sequential(Linear(784, 128), ReLU(), Linear(128, 10)),
                  cross_entropy on integer labels, batch 64; the weights, the
                  data and the labels follow the formulas of mlp_weight/mlp_input
                  below (the C++ test computes the same), so only the loss,
                  gradient checksums and samples are written.
"""
import math

import torch

torch.manual_seed(20261207)
print("// Written by test/ref/make_nn_layers_ref.py (PyTorch " + torch.__version__ + "); do not edit.")


def arr(name, t):
    flat = t.detach().to(torch.float64).reshape(-1).tolist()
    print(f"inline constexpr double {name}[] = {{{', '.join(repr(float(v)) for v in flat)}}};")


def scalar(name, v):
    print(f"inline constexpr double {name} = {float(v)!r};")


def both(fn, inputs):
    """Runs fn on the inputs in float64 (prefix d_) and float32 (prefix f_)."""
    for prefix, dt in (("d_", torch.float64), ("f_", torch.float32)):
        fn(prefix, {k: v.to(dt) for k, v in inputs.items()}, dt)


# ---------------------------------------------------------------- inputs (float64, printed once)
dense_in = {"x": torch.randn(4, 5, dtype=torch.float64), "w": torch.randn(3, 5, dtype=torch.float64) * 0.5,
            "b": torch.randn(3, dtype=torch.float64), "g": torch.randn(4, 3, dtype=torch.float64)}
ln_in = {"x": torch.randn(4, 6, dtype=torch.float64) * 3 + 1, "w": torch.randn(6, dtype=torch.float64),
         "b": torch.randn(6, dtype=torch.float64), "g": torch.randn(4, 6, dtype=torch.float64)}
bn_in = {"w": torch.randn(5, dtype=torch.float64), "b": torch.randn(5, dtype=torch.float64),
         "xe": torch.randn(6, 5, dtype=torch.float64) * 2 + 0.5, "ge": torch.randn(6, 5, dtype=torch.float64)}
for k in range(3):
    bn_in[f"x{k}"] = torch.randn(8, 5, dtype=torch.float64) * (1 + k) + torch.arange(5, dtype=torch.float64) - 2
    bn_in[f"g{k}"] = torch.randn(8, 5, dtype=torch.float64)

print("// inputs")
for name, d in (("dense", dense_in), ("ln", ln_in), ("bn", bn_in)):
    for k, v in d.items():
        arr(f"{name}_{k}", v)


# ---------------------------------------------------------------- dense
def dense(p, t, dt):
    for bias in (True, False):
        lin = torch.nn.Linear(5, 3, bias=bias, dtype=dt)
        with torch.no_grad():
            lin.weight.copy_(t["w"])
            if bias:
                lin.bias.copy_(t["b"])
        x = t["x"].clone().requires_grad_()
        y = lin(x)
        (y * t["g"]).sum().backward()
        tag = "dense" if bias else "dense_nb"
        arr(f"{p}{tag}_y", y)
        arr(f"{p}{tag}_dx", x.grad)
        arr(f"{p}{tag}_dw", lin.weight.grad)
        if bias:
            arr(f"{p}{tag}_db", lin.bias.grad)


# ---------------------------------------------------------------- layer_norm
def layer_norm(p, t, dt):
    ln = torch.nn.LayerNorm(6, dtype=dt)
    with torch.no_grad():
        ln.weight.copy_(t["w"])
        ln.bias.copy_(t["b"])
    x = t["x"].clone().requires_grad_()
    y = ln(x)
    (y * t["g"]).sum().backward()
    arr(f"{p}ln_y", y)
    arr(f"{p}ln_dx", x.grad)
    arr(f"{p}ln_dw", ln.weight.grad)
    arr(f"{p}ln_db", ln.bias.grad)


# ---------------------------------------------------------------- batch_norm1d
def batch_norm(p, t, dt):
    bn = torch.nn.BatchNorm1d(5, dtype=dt)
    with torch.no_grad():
        bn.weight.copy_(t["w"])
        bn.bias.copy_(t["b"])
    bn.train()
    for k in range(3):
        bn.zero_grad()
        x = t[f"x{k}"].clone().requires_grad_()
        y = bn(x)
        (y * t[f"g{k}"]).sum().backward()
        arr(f"{p}bn_y{k}", y)
        arr(f"{p}bn_dx{k}", x.grad)
        arr(f"{p}bn_dw{k}", bn.weight.grad)
        arr(f"{p}bn_db{k}", bn.bias.grad)
        arr(f"{p}bn_running_mean{k}", bn.running_mean)
        arr(f"{p}bn_running_var{k}", bn.running_var)
    bn.eval()
    bn.zero_grad()
    x = t["xe"].clone().requires_grad_()
    y = bn(x)
    (y * t["ge"]).sum().backward()
    arr(f"{p}bn_ye", y)
    arr(f"{p}bn_dxe", x.grad)
    arr(f"{p}bn_dwe", bn.weight.grad)
    arr(f"{p}bn_dbe", bn.bias.grad)


print("// outputs and gradients")
both(dense, dense_in)
both(layer_norm, ln_in)
both(batch_norm, bn_in)


# ---------------------------------------------------------------- the 784-128-10 MLP
# Element formulas (in float64, rounded to the parameter type), written the
# same way in test/nn_mlp_test.cpp. W1 and W2 in the library's [in, out] layout:
# PyTorch's Linear.weight[j, i] is our W[i, j].
def mlp_weight(layer, i, j):
    return (0.08 if layer == 1 else 1.5) * math.sin(0.37 * i + 0.11 * j + 0.3 * layer)


def mlp_bias(layer, j):
    return 0.5 * math.cos(0.9 * j + layer)


def mlp_input(n, k):
    return math.cos(0.013 * n * k + 0.7 * k) * (0.5 + 0.5 * math.sin(0.05 * n))


def mlp_label(n):
    return (7 * n + 3) % 10


def mlp(dt, p):
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).to(dt)
    with torch.no_grad():
        for layer, lin, (fan_in, fan_out) in ((1, net[0], (784, 128)), (2, net[2], (128, 10))):
            w = torch.tensor([[mlp_weight(layer, i, j) for i in range(fan_in)] for j in range(fan_out)],
                             dtype=torch.float64)
            lin.weight.copy_(w.to(dt))
            lin.bias.copy_(torch.tensor([mlp_bias(layer, j) for j in range(fan_out)], dtype=torch.float64).to(dt))
    x = torch.tensor([[mlp_input(n, k) for k in range(784)] for n in range(64)], dtype=torch.float64).to(dt)
    y = torch.tensor([mlp_label(n) for n in range(64)], dtype=torch.int64)
    loss = torch.nn.functional.cross_entropy(net(x), y)
    loss.backward()
    scalar(f"{p}mlp_loss", loss)
    if p == "f_":
        print("// the state dict: names and shapes, in order")
        names = ", ".join('"' + k + '"' for k in net.state_dict().keys())
        print(f"inline constexpr const char* mlp_state_names[] = {{{names}}};")
        shapes = ", ".join("{" + ", ".join(str(d) for d in v.shape) + (", 0" if v.dim() == 1 else "") + "}"
                           for v in net.state_dict().values())
        print(f"inline constexpr std::size_t mlp_state_shapes[][2] = {{{shapes}}};")
    for name, param in net.named_parameters():
        g = param.grad.to(torch.float64)
        if g.dim() == 2:
            g = g.t()  # our [in, out] layout
        flat = g.reshape(-1)
        tag = name.replace(".", "_")
        scalar(f"{p}mlp_{tag}_sum", flat.sum())
        scalar(f"{p}mlp_{tag}_abs", flat.abs().sum())
        idx = torch.arange(flat.numel(), dtype=torch.float64)
        scalar(f"{p}mlp_{tag}_dot", (flat * torch.sin(0.01 * idx)).sum())  # checksum weights sin(0.01·i)
        step = max(1, flat.numel() // 16)
        arr(f"{p}mlp_{tag}_sample", flat[::step])  # elements 0, step, 2·step, ... of our layout


print("// the MLP")
mlp(torch.float64, "d_")
mlp(torch.float32, "f_")


# ---------------------------------------------------------------- batch_norm1d on [N, C, L]
# nn.BatchNorm1d(4) on x [5, 4, 3]: the statistics of each channel over N and
# L (15 values); three training steps, then evaluation on xe [2, 4, 3]. Drawn
# after everything above (its own seed), so the arrays above stay as they were.
torch.manual_seed(3)
bn3_in = {"w": torch.randn(4, dtype=torch.float64), "b": torch.randn(4, dtype=torch.float64),
          "xe": torch.randn(2, 4, 3, dtype=torch.float64) * 2 + 0.5, "ge": torch.randn(2, 4, 3, dtype=torch.float64)}
for k in range(3):
    bn3_in[f"x{k}"] = (torch.randn(5, 4, 3, dtype=torch.float64) * (1 + k)
                       + torch.arange(4, dtype=torch.float64).reshape(4, 1) - 1.5)
    bn3_in[f"g{k}"] = torch.randn(5, 4, 3, dtype=torch.float64)
print("// batch_norm1d on [N, C, L]: inputs")
for k, v in bn3_in.items():
    arr(f"bn3_{k}", v)


def batch_norm3(p, t, dt):
    bn = torch.nn.BatchNorm1d(4, dtype=dt)
    with torch.no_grad():
        bn.weight.copy_(t["w"])
        bn.bias.copy_(t["b"])
    bn.train()
    for k in range(3):
        bn.zero_grad()
        x = t[f"x{k}"].clone().requires_grad_()
        y = bn(x)
        (y * t[f"g{k}"]).sum().backward()
        arr(f"{p}bn3_y{k}", y)
        arr(f"{p}bn3_dx{k}", x.grad)
        arr(f"{p}bn3_dw{k}", bn.weight.grad)
        arr(f"{p}bn3_db{k}", bn.bias.grad)
        arr(f"{p}bn3_running_mean{k}", bn.running_mean)
        arr(f"{p}bn3_running_var{k}", bn.running_var)
    bn.eval()
    bn.zero_grad()
    x = t["xe"].clone().requires_grad_()
    y = bn(x)
    (y * t["ge"]).sum().backward()
    arr(f"{p}bn3_ye", y)
    arr(f"{p}bn3_dxe", x.grad)
    arr(f"{p}bn3_dwe", bn.weight.grad)
    arr(f"{p}bn3_dbe", bn.bias.grad)


print("// batch_norm1d on [N, C, L]: outputs, gradients, running statistics")
both(batch_norm3, bn3_in)


# ---------------------------------------------------------------- layer_norm over two axes
# nn.LayerNorm((3, 4)) on x [2, 3, 4]: each sample's 12 values together;
# weight and bias [3, 4] random. Its own seed, after everything above.
torch.manual_seed(4)
ln2_in = {"x": torch.randn(2, 3, 4, dtype=torch.float64) * 2 + 0.5, "w": torch.randn(3, 4, dtype=torch.float64),
          "b": torch.randn(3, 4, dtype=torch.float64), "g": torch.randn(2, 3, 4, dtype=torch.float64)}
print("// layer_norm over two axes: inputs")
for k, v in ln2_in.items():
    arr(f"ln2_{k}", v)


def layer_norm2(p, t, dt):
    ln = torch.nn.LayerNorm((3, 4), dtype=dt)
    with torch.no_grad():
        ln.weight.copy_(t["w"])
        ln.bias.copy_(t["b"])
    x = t["x"].clone().requires_grad_()
    y = ln(x)
    (y * t["g"]).sum().backward()
    arr(f"{p}ln2_y", y)
    arr(f"{p}ln2_dx", x.grad)
    arr(f"{p}ln2_dw", ln.weight.grad)
    arr(f"{p}ln2_db", ln.bias.grad)


print("// layer_norm over two axes: outputs and gradients")
both(layer_norm2, ln2_in)
