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

net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1), torch.nn.Sigmoid())
with torch.no_grad():
    # ours is [in, out] with element (i, o) = 0.5 * sin(3 + 2*i + 5*o); PyTorch's weight is [out, in]
    net[0].weight.copy_(torch.tensor([[0.5 * math.sin(3 + 2 * i + 5 * o) for i in range(2)] for o in range(4)]))
    net[0].bias.copy_(torch.tensor([0.1 * math.cos(o) for o in range(4)]))
    net[2].weight.copy_(torch.tensor([[0.5 * math.sin(1 + 3 * i) for i in range(4)]]))
    net[2].bias.copy_(torch.tensor([0.05]))

opt = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4, shuffle=False)
lines = []
for epoch in range(3):
    total, seen = 0.0, 0
    for xb, yb in loader:
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
        seen += len(xb)
    lines.append("epoch_loss %d %r" % (epoch, total / seen))
for name, p in net.state_dict().items():
    lines.append("param %s %s" % (name, " ".join(repr(float(v)) for v in p.reshape(-1))))
with torch.no_grad():
    out = net(x)
    lines.append("eval_loss %r" % torch.nn.functional.mse_loss(out, y).item())
    lines.append("pred %s" % " ".join(repr(float(v)) for v in out.reshape(-1)))
with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", OUT)
