#!/usr/bin/python3
"""Loads what examples/mnist_mlp saved into PyTorch and checks that PyTorch
predicts what leibniz predicted (issue 13: "a model saved as safetensors loads
in PyTorch with identical predictions").

    build/<dir>/examples/mnist_mlp            # writes mnist_mlp.safetensors, mnist_mlp_logits.npy
    examples/ref/check_mnist_torch.py build/<dir>/examples [data/mnist]

Debian 12 has no `safetensors` package, so the file is read by its
specification (8-byte little-endian header length, a JSON header, raw
little-endian data); the model is torch.nn.Sequential(Linear(784, 128), ReLU(),
Linear(128, 10)), loaded with load_state_dict(strict=True), and run on the
held-out digits (read from the IDX files with NumPy). Needs python3-torch.
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        a = np.frombuffer(raw[8 + n + begin : 8 + n + end], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


def read_idx(path):
    raw = Path(path).read_bytes()
    assert raw[:2] == b"\0\0" and raw[2] == 0x08, f"{path}: not a u8 IDX file"
    rank = raw[3]
    shape = struct.unpack(">" + "I" * rank, raw[4 : 4 + 4 * rank])
    return np.frombuffer(raw[4 + 4 * rank :], dtype=np.uint8).reshape(shape)


def main():
    run = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    data = Path(sys.argv[2] if len(sys.argv) > 2 else "data/mnist")
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    net.load_state_dict(read_safetensors(run / "mnist_mlp.safetensors"), strict=True)
    images = read_idx(data / "test-images.idx").reshape(-1, 784).astype(np.float32) / np.float32(255)
    labels = read_idx(data / "test-labels.idx").astype(np.int64)
    with torch.no_grad():
        torch_logits = net(torch.from_numpy(images)).numpy()
    ours = np.load(run / "mnist_mlp_logits.npy")
    assert ours.shape == torch_logits.shape, f"shapes {ours.shape} and {torch_logits.shape}"
    worst = float(np.max(np.abs(ours - torch_logits)) / max(1.0, float(np.max(np.abs(torch_logits)))))
    same = int(np.sum(ours.argmax(1) == torch_logits.argmax(1)))
    accuracy = float(np.mean(torch_logits.argmax(1) == labels))
    print(f"PyTorch {torch.__version__}: load_state_dict(strict=True) accepted the file; "
          f"{same} of {len(labels)} predicted classes equal leibniz's; "
          f"logits agree to {worst:.2e} (relative to the largest); PyTorch's accuracy {100 * accuracy:.2f}%")
    ok = same == len(labels) and worst < 1e-5
    print("identical predictions" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
