#!/usr/bin/python3
"""Reference values for test/tensor_gather_test.cpp, from PyTorch (float64).

    /usr/bin/python3 test/ref/make_gather_ref.py > test/gather/gather_ref.inc

Prints C++ initializers, which the test includes in its namespace torch_ref
(Debian's python3-torch 1.13 made the committed file):
  - cross-entropy on integer labels: logits [6, 5], labels [6] (one repeated,
    the first and last class present); torch.nn.functional.cross_entropy
    (mean over the batch) and its gradient with respect to the logits;
  - torch.gather(x, 1, idx) for x [4, 5], idx [4, 3] (a repeated index in a
    row), and the gradient of sum(w * gather(x, 1, idx)) with respect to x
    (a scatter-add of w).
Run it again only if the cases change; the test compares against the
committed numbers.
"""
import torch

torch.manual_seed(20261207)
print("// Written by test/ref/make_gather_ref.py (PyTorch " + torch.__version__ + ", float64); do not edit.")
dt = torch.float64


def arr(name, t, ctype="double"):
    flat = t.detach().reshape(-1).tolist()
    if ctype == "double":
        body = ", ".join(repr(float(v)) for v in flat)
    else:
        body = ", ".join(str(int(v)) for v in flat)
    print(f"inline constexpr {ctype} {name}[] = {{{body}}};")


# Cross-entropy.
logits = (torch.randn(6, 5, dtype=dt) * 2.0).requires_grad_()
labels = torch.tensor([0, 3, 4, 1, 3, 2], dtype=torch.int64)
loss = torch.nn.functional.cross_entropy(logits, labels)
loss.backward()
print("// cross_entropy(logits [6, 5], labels [6]), mean over the batch")
arr("ce_logits", logits)
arr("ce_labels", labels, "long long")
print(f"inline constexpr double ce_loss = {float(loss)!r};")
arr("ce_grad", logits.grad)

# gather along axis 1.
x = torch.randn(4, 5, dtype=dt).requires_grad_()
idx = torch.tensor([[0, 4, 0], [2, 2, 1], [4, 3, 2], [1, 0, 3]], dtype=torch.int64)
w = torch.randn(4, 3, dtype=dt)
g = torch.gather(x, 1, idx)
(w * g).sum().backward()
print("// torch.gather(x [4, 5], 1, idx [4, 3]); d/dx of sum(w * gather)")
arr("gather_x", x)
arr("gather_idx", idx, "long long")
arr("gather_w", w)
arr("gather_y", g)
arr("gather_grad", x.grad)
