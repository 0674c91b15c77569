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


ST_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
             "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}


def read_safetensors(path):
    """(metadata, {name: torch tensor}, [offset problems]) by the format's specification."""
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", None)
    tensors, problems, end = {}, [], 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, f = e["data_offsets"]
        if b != end:
            problems.append(f"{name}: offsets not contiguous")
        end = f
        tensors[name] = torch.frombuffer(bytearray(data[b:f]), dtype=ST_DTYPES[e["dtype"]]).reshape(e["shape"])
    if end != len(data):
        problems.append("the data does not end where the last tensor does")
    return metadata, tensors, problems


def two_layer_model():
    """The network of test/io/safetensors/model.safetensors (make_io_ref.py)."""
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


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
            metadata, t, problems = read_safetensors(path)
            check("safetensors __metadata__", metadata == {"writer": "leibniz io_test"})
            check("safetensors: contiguous offsets, data ends where the last tensor does " + str(problems), not problems)
            big = torch.tensor(fv(13) * 1234.5678, dtype=torch.float64).float()
            check("safetensors f32", torch.equal(t["f32"], torch.from_numpy(exp["f4"])))
            check("safetensors f64", torch.equal(t["f64"], torch.from_numpy(exp["f8"])))
            check("safetensors f16 (PyTorch's rounding of the same floats)", torch.equal(t["f16"].view(torch.int16), big.half().view(torch.int16)))
            check("safetensors bf16 (PyTorch's rounding of the same floats)", torch.equal(t["bf16"].view(torch.int16), big.bfloat16().view(torch.int16)))
            check("safetensors i32", torch.equal(t["i32"], torch.from_numpy(exp["i4"].reshape(-1))))
            check("safetensors i64", torch.equal(t["i64"], torch.from_numpy(exp["i8"])))
            check("safetensors u8", torch.equal(t["u8"], torch.from_numpy(exp["u1"].reshape(-1))))

            # a parameter store saved in PyTorch's layout: load_state_dict (strict) into the
            # two-layer model; leibniz's [in, out] weights arrive as PyTorch's [out, in]
            _, sd, problems = read_safetensors(os.path.join(d, "store.safetensors"))
            check("store.safetensors: contiguous " + str(problems), not problems)
            model = two_layer_model()
            result = model.load_state_dict(sd, strict=True)
            check("store.safetensors: load_state_dict(strict=True), no missing or unexpected keys",
                  not result.missing_keys and not result.unexpected_keys)
            flat = torch.tensor(fv(26)).float()
            check("store.safetensors: 0.weight is the transpose of leibniz's l1.w [3, 4]",
                  torch.equal(model[0].weight.data, flat[0:12].reshape(3, 4).T))
            check("store.safetensors: 0.bias", torch.equal(model[0].bias.data, flat[12:16]))
            check("store.safetensors: 2.weight is the transpose of leibniz's l2.w [4, 2]",
                  torch.equal(model[2].weight.data, flat[16:24].reshape(4, 2).T))
            check("store.safetensors: 2.bias", torch.equal(model[2].bias.data, flat[24:26]))

            # PyTorch's committed state_dict, loaded into a leibniz store and saved again
            here = os.path.dirname(os.path.abspath(__file__))
            _, ref, _ = read_safetensors(os.path.join(here, "..", "io", "safetensors", "model.safetensors"))
            meta, again, problems = read_safetensors(os.path.join(d, "model_again.safetensors"))
            check("model_again.safetensors: __metadata__ and offsets " + str(problems), meta == {"format": "pt"} and not problems)
            check("model_again.safetensors: the same names, dtypes and values as PyTorch's",
                  ref.keys() == again.keys() and all(again[k].dtype == ref[k].dtype and torch.equal(again[k], ref[k]) for k in ref))
            m1, m2 = two_layer_model(), two_layer_model()
            m1.load_state_dict(ref, strict=True)
            m2.load_state_dict(again, strict=True)
            x = torch.linspace(-2, 2, 15).reshape(5, 3)
            check("model_again.safetensors: the same outputs as the original model", torch.equal(m1(x), m2(x)))
        else:
            check("set.safetensors written (io_test built without nlohmann/json?)", False)

    print(f"check_io.py: {'all passed' if not failures else str(len(failures)) + ' FAILED'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
