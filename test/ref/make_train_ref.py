#!/usr/bin/python3
"""Writes test/train/fit_ref.txt, the reference of train_fit_test's batching case:

    /usr/bin/python3 test/ref/make_train_ref.py

PyTorch 1.13 trains nn.Sequential(Linear(2, 4), Sigmoid(), Linear(4, 1), Sigmoid())
with MSELoss, SGD(lr=0.5, momentum=0.9), on 10 samples in mini-batches of 4 taken
in order (DataLoader(shuffle=False): batches of 4, 4 and 2 — the last one partial,
nothing dropped), for 3 epochs, in float64. The initial weights and the data are
given by formulas the C++ test repeats. Recorded, one line each:
  epoch_loss <e> <mean of the batch losses weighted by batch size (Keras's epoch loss)>
  param <name> <values in PyTorch's layout, row-major>
  eval_loss <MSE over the 10 samples after training>
  pred <the 10 outputs after training>
and the same, prefixed "bn_", for Sequential(Linear(2, 4), BatchNorm1d(4), Sigmoid(),
Linear(4, 1), Sigmoid()) (BatchNorm1d's defaults; its running statistics among the
params; evaluation in eval mode, with them).
"""
import math
import os

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "train", "fit_ref.txt"))

N = 10
x = torch.tensor([[math.sin(1.0 + i), math.cos(0.5 * i)] for i in range(N)])
y = torch.tensor([[1.0 if (x[i, 0] > 0) != (x[i, 1] > 0) else 0.0] for i in range(N)])



def make(bn):
    layers = [torch.nn.Linear(2, 4)] + ([torch.nn.BatchNorm1d(4)] if bn else []) + \
             [torch.nn.Sigmoid(), torch.nn.Linear(4, 1), torch.nn.Sigmoid()]
    net = torch.nn.Sequential(*layers)
    first, second = net[0], net[len(layers) - 2]
    with torch.no_grad():
        # ours is [in, out] with element (i, o) = 0.5 * sin(3 + 2*i + 5*o); PyTorch's weight is [out, in]
        first.weight.copy_(torch.tensor([[0.5 * math.sin(3 + 2 * i + 5 * o) for i in range(2)] for o in range(4)]))
        first.bias.copy_(torch.tensor([0.1 * math.cos(o) for o in range(4)]))
        second.weight.copy_(torch.tensor([[0.5 * math.sin(1 + 3 * i) for i in range(4)]]))
        second.bias.copy_(torch.tensor([0.05]))
    return net


lines = []
for prefix, bn in (("", False), ("bn_", True)):
    net = make(bn)
    opt = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4, shuffle=False)
    net.train()
    for epoch in range(3):
        total, seen = 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(net(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            seen += len(xb)
        lines.append("%sepoch_loss %d %r" % (prefix, epoch, total / seen))
    for name, p in net.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        lines.append("%sparam %s %s" % (prefix, name, " ".join(repr(float(v)) for v in p.reshape(-1))))
    net.eval()
    with torch.no_grad():
        out = net(x)
        lines.append("%seval_loss %r" % (prefix, torch.nn.functional.mse_loss(out, y).item()))
        lines.append("%spred %s" % (prefix, " ".join(repr(float(v)) for v in out.reshape(-1))))
with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", OUT)
