#!/usr/bin/python3
"""Checks that files written by leibniz load in NumPy and PyTorch with the right values.

    /usr/bin/python3 test/ref/check_io.py <path to the io_test binary>

Runs io_test's case writes_files_for_numpy_and_pytorch with LEIBNIZ_IO_CHECK_DIR
set to a fresh directory, then reads every file there: .npy with numpy.load,
IDX with numpy.frombuffer (big-endian dtypes), .safetensors by its specification
into torch tensors (torch.frombuffer; Debian has no `safetensors` package), and
compares with the formulas io_test used. F16 and BF16 are compared byte for byte
with PyTorch's own rounding of the same float32 values. Not run by CTest (CI
reads only the committed files); run it by hand after changing a writer.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch


def fv(n):
    return np.arange(n, dtype=np.float64) * 0.37 - 1.5


def expected():
    i = np.arange
    return {
        "f4": fv(6).astype(np.float32).reshape(2, 3),
        "f8": fv(4),
        "i4": (i(8, dtype=np.int64) * 1000003 - 4000000).astype(np.int32).reshape(2, 2, 2),
        "i8": (i(3, dtype=np.int64) - 2) * (1 << 40) + 3,
        "u1": ((i(10) * 37) % 256).astype(np.uint8).reshape(2, 5),
        "i1": (i(10) * 13 - 100).astype(np.int8),
        "i2": (i(4) * 1009 - 30000).astype(np.int16),
    }


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    failures = []

    def check(what, ok):
        print(("ok      " if ok else "FAILED  ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, LEIBNIZ_IO_CHECK_DIR=d)
        subprocess.run([sys.argv[1], "--run_test=writes_files_for_numpy_and_pytorch"], env=env, check=True)
        exp = expected()
        for name, want in exp.items():
            got = np.load(os.path.join(d, name + ".npy"))
            check(f"numpy.load({name}.npy): dtype {got.dtype}, shape {got.shape}", same(got, want))
            check(f"torch.from_numpy({name}.npy)", torch.equal(torch.from_numpy(got), torch.from_numpy(want)))

        def idx(name, dtype, want):
            raw = open(os.path.join(d, name), "rb").read()
            rank = raw[3]
            shape = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
            got = np.frombuffer(raw[4 + 4 * rank:], dtype=dtype).reshape(shape).astype(want.dtype)
            check(f"IDX {name}: shape {shape}", same(got, want))

        idx("u1.idx", ">u1", exp["u1"])
        idx("f4.idx", ">f4", exp["f4"].reshape(3, 2))
        idx("i2.idx", ">i2", exp["i2"])

        path = os.path.join(d, "set.safetensors")
        if os.path.exists(path):
            raw = open(path, "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            data = raw[8 + n:]
            check("safetensors __metadata__", header.pop("__metadata__") == {"writer": "leibniz io_test"})
            dt = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
                  "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
            t = {}
            end = 0
            for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
                b, f = e["data_offsets"]
                check(f"safetensors {name}: contiguous offsets", b == end)
                end = f
                t[name] = torch.frombuffer(bytearray(data[b:f]), dtype=dt[e["dtype"]]).reshape(e["shape"])
            check("safetensors: data ends where the last tensor does", end == len(data))
            big = torch.tensor(fv(13) * 1234.5678, dtype=torch.float64).float()
            check("safetensors f32", torch.equal(t["f32"], torch.from_numpy(exp["f4"])))
            check("safetensors f64", torch.equal(t["f64"], torch.from_numpy(exp["f8"])))
            check("safetensors f16 (PyTorch's rounding of the same floats)", torch.equal(t["f16"].view(torch.int16), big.half().view(torch.int16)))
            check("safetensors bf16 (PyTorch's rounding of the same floats)", torch.equal(t["bf16"].view(torch.int16), big.bfloat16().view(torch.int16)))
            check("safetensors i32", torch.equal(t["i32"], torch.from_numpy(exp["i4"].reshape(-1))))
            check("safetensors i64", torch.equal(t["i64"], torch.from_numpy(exp["i8"])))
            check("safetensors u8", torch.equal(t["u8"], torch.from_numpy(exp["u1"].reshape(-1))))
        else:
            check("set.safetensors written (io_test built without nlohmann/json?)", False)

    print(f"check_io.py: {'all passed' if not failures else str(len(failures)) + ' FAILED'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
