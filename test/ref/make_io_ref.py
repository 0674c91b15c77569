#!/usr/bin/python3
"""Writes leibniz's committed file-format references (issue 12), run from anywhere:

    /usr/bin/python3 test/ref/make_io_ref.py

test/io/npy/*.npy          written by NumPy (numpy.save, numpy.lib.format.write_array)
test/io/safetensors/*.safetensors
                           written here from PyTorch tensors by the safetensors
                           specification (8-byte little-endian header length, a JSON
                           header, raw little-endian data): Debian has no `safetensors`
                           Python package, so this script is the writer
test/io/idx/*              IDX files (MNIST's format) written with struct, big-endian
test/io/ref_values.txt     every tensor above as the writer holds it, one line each:
                           <file> <tensor or -> <dtype> <shape, comma-separated or -> <values...>
                           (floats as Python's shortest repr of the double, exact for f2/f4/bf16)
test/io/bad/<format>/*     malformed files, and test/io/bad/expected.txt: <file>\t<message substring>
"""
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
IO = os.path.normpath(os.path.join(HERE, "..", "io"))
values = []


def rel(path):
    return os.path.relpath(path, IO)


def record(path, name, dtype, arr):
    arr = np.asarray(arr)
    shape = ",".join(str(d) for d in arr.shape) or "-"
    flat = arr.reshape(-1)
    if arr.dtype.kind == "f":
        vals = [repr(float(v)) for v in flat]
    else:
        vals = [str(int(v)) for v in flat]
    values.append(" ".join([rel(path), name, dtype, shape] + vals))


def f_values(n, dtype):
    return (np.arange(n, dtype=np.float64) * 0.37 - 1.5).astype(dtype)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- npy (NumPy)
def npy(name, arr, version=None):
    path = os.path.join(IO, "npy", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if version is None:
        np.save(path, arr)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, arr, version=version)
    record(path, "-", arr.dtype.str[1:], arr.copy(order="C"))


npy("f4.npy", f_values(6, np.float32).reshape(2, 3))
npy("f8.npy", f_values(4, np.float64))
npy("i4.npy", (np.arange(8, dtype=np.int64) * 1000003 - 4000000).astype(np.int32).reshape(2, 2, 2))
npy("i8.npy", np.array([-(2**62), 5, 2**62 + 7], dtype=np.int64))
npy("u1.npy", (np.arange(10) * 25).astype(np.uint8).reshape(2, 5))
npy("i1.npy", np.array([-128, -1, 0, 127], dtype=np.int8))
npy("i2.npy", np.array([[-32768, 7], [300, 32767]], dtype=np.int16))
npy("f2.npy", f_values(5, np.float16))
npy("scalar_f8.npy", np.array(3.25))
npy("empty_u1.npy", np.zeros((0, 4), dtype=np.uint8))
npy("fortran_f8.npy", np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5))
npy("big_endian_f4.npy", f_values(4, np.float32).astype(">f4").reshape(2, 2))
npy("big_endian_i8.npy", np.array([1, -2, 2**40], dtype=">i8"))
npy("v2_f4.npy", f_values(3, np.float32), version=(2, 0))


# ---------------------------------------------------------------- safetensors (by the specification)
ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.int32: "I32", torch.int64: "I64", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def safetensors_bytes(tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def safetensors(path, tensors, metadata=None):
    write(path, safetensors_bytes(tensors, metadata))


st_path = os.path.join(IO, "safetensors", "ref.safetensors")
base = torch.tensor(f_values(6, np.float64))
# float32 values that round when stored as f16 / bf16: ordinary ones, subnormals,
# ties (to even), overflow to infinity
F16_SOURCE = torch.cat([(base[:5] * 1234.5678).float(),
                        torch.tensor([1e-6, 3e-5, -6e-8, 65519.0, 65520.0, 1e-8, 1.00048828125, 2049.0])])
BF16_SOURCE = torch.cat([(base[:4] * 3).float(),
                         torch.tensor([1e-40, 3.4e38, 1.00390625, 1.01171875, -0.0, float("inf")])])
st = {
    "w_f32": base.float().reshape(2, 3),
    "w_f64": base[:4].double(),
    "w_f16": F16_SOURCE.half(),
    "w_bf16": BF16_SOURCE.bfloat16().reshape(2, 5),
    "w_i32": torch.tensor([-2147483648, 0, 2147483647], dtype=torch.int32),
    "w_i64": torch.tensor([-(2**62), 2**62 + 7], dtype=torch.int64),
    "scalar": torch.tensor(2.5, dtype=torch.float32),
}
safetensors(st_path, st, {"format": "pt", "made_by": "test/ref/make_io_ref.py"})
for name, t in st.items():
    dt = ST_DTYPES[t.dtype]
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        record(st_path, name, dt, t.double().numpy())
    else:
        record(st_path, name, dt, t.numpy())
# The unrounded inputs of w_f16 and w_bf16, as float32, so a test can check that
# leibniz rounds float to f16/bf16 as PyTorch does (same bytes).
record(st_path, "w_f16.source", "F32", F16_SOURCE.double().numpy())
record(st_path, "w_bf16.source", "F32", BF16_SOURCE.double().numpy())

# A parameter store's file (issue 12, item 4): the state_dict of a small two-layer
# PyTorch model, Linear(3, 4) - ReLU - Linear(4, 2): weights [out, in] as PyTorch
# keeps them. io_test loads it into a leibniz store whose dense weights are
# [in, out], through a name map that transposes them. model_mixed.safetensors
# holds the same tensors in four dtypes (F64, F16, BF16, F32), converted on load.
torch.manual_seed(12)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
state = {k: v.detach().clone() for k, v in model.state_dict().items()}
model_path = os.path.join(IO, "safetensors", "model.safetensors")
safetensors(model_path, state, {"format": "pt"})
for name, t in state.items():
    record(model_path, name, "F32", t.double().numpy())
mixed = {"0.weight": state["0.weight"].double(), "0.bias": state["0.bias"].half(),
         "2.weight": state["2.weight"].bfloat16(), "2.bias": state["2.bias"]}
mixed_path = os.path.join(IO, "safetensors", "model_mixed.safetensors")
safetensors(mixed_path, mixed)
for name, t in mixed.items():
    record(mixed_path, name, ST_DTYPES[t.dtype], t.double().numpy())


# ---------------------------------------------------------------- idx
IDX_CODES = {"u1": (0x08, ">u1"), "i1": (0x09, ">i1"), "i2": (0x0B, ">i2"), "i4": (0x0C, ">i4"),
             "f4": (0x0D, ">f4"), "f8": (0x0E, ">f8")}


def idx_bytes(arr, code):
    c, be = IDX_CODES[code]
    head = bytes([0, 0, c, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(be).tobytes()


def idx(name, arr, code):
    path = os.path.join(IO, "idx", name)
    write(path, idx_bytes(arr, code))
    record(path, "-", code, arr)


idx("images_u1.idx", ((np.arange(60) * 37) % 256).astype(np.uint8).reshape(3, 4, 5), "u1")
idx("labels_u1.idx", np.array([7, 2, 1], dtype=np.uint8), "u1")
idx("i1.idx", np.array([-128, -1, 0, 127], dtype=np.int8), "i1")
idx("i2.idx", np.array([[-32768, 7, 300], [1, -2, 32767]], dtype=np.int16), "i2")
idx("i4.idx", np.array([-2147483648, 0, 1, 2147483647], dtype=np.int32), "i4")
idx("f4.idx", f_values(4, np.float32).reshape(2, 2), "f4")
idx("f8.idx", f_values(3, np.float64), "f8")

with open(os.path.join(IO, "ref_values.txt"), "w") as f:
    f.write("# written by test/ref/make_io_ref.py: <file> <tensor or -> <dtype> <shape or -> <values...>\n")
    f.write("\n".join(values) + "\n")


# ---------------------------------------------------------------- malformed files
bad = []


def badfile(fmt, name, data, expect):
    path = os.path.join(IO, "bad", fmt, name)
    write(path, data if isinstance(data, bytes) else data.encode())
    bad.append(f"{fmt}/{name}\t{expect}")


good_idx = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3), "u1")
badfile("idx", "empty.idx", b"", "truncated: an IDX file starts with 4 bytes")
badfile("idx", "bad_magic.idx", b"\x01\x00" + good_idx[2:], "bad magic")
badfile("idx", "unknown_type.idx", b"\x00\x00\x0a" + good_idx[3:], "unknown element type code 0x0A")
badfile("idx", "zero_dims.idx", b"\x00\x00\x08\x00", "the number of dimensions is 0")
badfile("idx", "truncated_header.idx", good_idx[:9], "truncated: the header of 2 dimensions needs 12 bytes")
badfile("idx", "truncated_data.idx", good_idx[:-1], "need 6 bytes of data, the file has 5")
badfile("idx", "trailing.idx", good_idx + b"\x00\x00", "2 bytes after the data")
badfile("idx", "overflow.idx", b"\x00\x00\x0e\x03" + b"\xff\xff\xff\xff" * 3, "overflow the element count")
badfile("idx", "absurd.idx", b"\x00\x00\x08\x02" + b"\xff\xff\xff\xff" * 2 + b"\x00", "truncated: dimensions [4294967295, 4294967295]")


def npy_raw(header, data=b"", version=1):
    h = header.encode("latin1")
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h)) + h + data


def hdr(descr="'<f4'", order="False", shape="(2,)"):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }\n" % (descr, order, shape)


f4x2 = struct.pack("<2f", 1.0, 2.0)
badfile("npy", "empty.npy", b"", "truncated: a .npy file starts with 8 bytes")
badfile("npy", "bad_magic.npy", b"\x93NUMPX\x01\x00" + npy_raw(hdr(), f4x2)[8:], "bad magic")
badfile("npy", "version.npy", b"\x93NUMPY\x09\x00" + npy_raw(hdr(), f4x2)[8:], "unsupported format version 9.0")
badfile("npy", "header_length.npy", b"\x93NUMPY\x01\x00\xff\x7f{}", "the header length 32767 runs past the end of the file")
badfile("npy", "no_length.npy", b"\x93NUMPY\x02\x00\x01", "the header length is cut off")
badfile("npy", "not_a_dict.npy", npy_raw("[1, 2]\n", f4x2), "expected '{' opening the header dict")
badfile("npy", "missing_shape.npy", npy_raw("{'descr': '<f4', 'fortran_order': False}\n", f4x2), "the key 'shape' is missing")
badfile("npy", "unknown_key.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", f4x2), "unknown key 'x'")
badfile("npy", "dup_key.npy", npy_raw("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n", f4x2), "duplicate key 'descr'")
badfile("npy", "complex.npy", npy_raw(hdr(descr="'<c8'"), f4x2), "unsupported dtype '<c8'")
badfile("npy", "structured.npy", npy_raw(hdr(descr="[('a', '<f4')]"), f4x2), "structured dtypes")
badfile("npy", "bool_order.npy", npy_raw(hdr(order="0"), f4x2), "'fortran_order' must be True or False")
badfile("npy", "negative_shape.npy", npy_raw(hdr(shape="(-1,)"), f4x2), "expected a non-negative integer in 'shape'")
badfile("npy", "tuple_comma.npy", npy_raw(hdr(shape="(2)"), f4x2), "a one-element 'shape' tuple needs a trailing comma")
badfile("npy", "extent_overflow.npy", npy_raw(hdr(shape="(99999999999999999999,)"), f4x2), "an extent in 'shape' overflows")
badfile("npy", "shape_overflow.npy", npy_raw(hdr(shape="(1099511627776, 1099511627776)"), f4x2), "overflows the size in bytes")
badfile("npy", "truncated_data.npy", npy_raw(hdr(shape="(3,)"), f4x2), "needs 12 bytes of data, the file has 8")
badfile("npy", "trailing.npy", npy_raw(hdr(), f4x2 + b"\x00"), "1 bytes after the data")
badfile("npy", "unterminated.npy", npy_raw("{'descr': '<f4"), "unterminated string")
badfile("npy", "v2_truncated.npy", npy_raw(hdr(), b"", version=2), "needs 8 bytes of data, the file has 0")


def st_raw(header, data=b"", length=None):
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h) if length is None else length) + h + data


f32x2 = struct.pack("<2f", 1.0, 2.0)
ok = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
badfile("safetensors", "empty.safetensors", b"", "truncated: a safetensors file starts with an 8-byte header length")
badfile("safetensors", "header_length.safetensors", st_raw(ok, f32x2, length=2**63), "the header length 9223372036854775808 runs past the end")
badfile("safetensors", "bad_json.safetensors", st_raw(b'{"a": {"dtype": "F32",', f32x2), "bad JSON header")
badfile("safetensors", "not_object.safetensors", st_raw([1, 2], f32x2), "the JSON header is not an object")
badfile("safetensors", "entry_not_object.safetensors", st_raw({"a": 3}, f32x2), "the entry is not an object")
badfile("safetensors", "dtype.safetensors", st_raw({"a": {"dtype": "C64", "shape": [2], "data_offsets": [0, 8]}}, f32x2), "unsupported dtype 'C64'")
badfile("safetensors", "missing_dtype.safetensors", st_raw({"a": {"shape": [2], "data_offsets": [0, 8]}}, f32x2), "'dtype' is missing")
badfile("safetensors", "unknown_key.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "x": 1}}, f32x2), "unknown key 'x'")
badfile("safetensors", "negative_offset.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}, f32x2), "a data offset must be a non-negative integer")
badfile("safetensors", "float_extent.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, f32x2), "an extent in 'shape' must be a non-negative integer")
badfile("safetensors", "out_of_range.safetensors", st_raw({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, f32x2), "are out of range: the data section has 8 bytes")
badfile("safetensors", "reversed.safetensors", st_raw({"a": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}, f32x2), "end before they begin")
badfile("safetensors", "size_mismatch.safetensors", st_raw({"a": {"dtype": "F64", "shape": [2], "data_offsets": [0, 8]}}, f32x2), "span 8 bytes, shape [2] of F64 needs 16")
badfile("safetensors", "overlap.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                     "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, f32x2), "the data of tensors 'a' and 'b' overlap")
badfile("safetensors", "shape_overflow.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2**32, 2**32], "data_offsets": [0, 8]}}, f32x2), "overflows the size in bytes")
badfile("safetensors", "metadata.safetensors", st_raw({"__metadata__": {"k": 1}, **ok}, f32x2), "the value of 'k' is not a string")
badfile("safetensors", "offsets_arity.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, f32x2), "'data_offsets' is missing or not an array of two integers")

# Well-formed files that do not fit the store of io_errors_test (leaves l1.w [3, 4],
# l1.b [4], l2.w [4, 2], l2.b [2], stored as PyTorch's 0.weight (transposed),
# 0.bias, 2.weight (transposed), 2.bias): a strict load refuses each.
badfile("store", "missing.safetensors", safetensors_bytes({k: v for k, v in state.items() if k != "2.bias"}),
        "tensor '2.bias': missing: the file has no tensor for parameter 'l2.b' [2] (stored as '2.bias')")
badfile("store", "extra.safetensors", safetensors_bytes({**state, "4.weight": torch.zeros(1, 2)}),
        "tensor '4.weight': unexpected: the tensor [1, 2] is not a parameter of the store")
badfile("store", "untransposed.safetensors", safetensors_bytes({**state, "0.weight": state["0.weight"].T.contiguous()}),
        "tensor '0.weight': the file's shape [3, 4] does not match parameter 'l1.w' [3, 4] (stored as '0.weight', transposed), which the file holds as [4, 3]")
badfile("store", "bias_shape.safetensors", safetensors_bytes({**state, "2.bias": torch.zeros(3)}),
        "tensor '2.bias': the file's shape [3] does not match parameter 'l2.b' [2] (stored as '2.bias')")
badfile("store", "scalar_shape.safetensors", safetensors_bytes({**state, "0.bias": torch.tensor(1.0)}),
        "tensor '0.bias': the file's shape [] does not match parameter 'l1.b' [4] (stored as '0.bias')")

badfile("csv", "empty.csv", "", "empty file: a header line is expected")
badfile("csv", "missing_value.csv", "x,y,label\n1,2,a\n3,,b\n", "line 3, column 2 ('y'): missing value")
badfile("csv", "not_a_number.csv", "x,y,label\n1,2,a\n3,4x,b\n", "line 3, column 2 ('y'): '4x' is not a number")
badfile("csv", "field_count.csv", "x,y,label\n1,2,a\n3,4\n", "line 3: 2 fields, the header has 3 columns")
badfile("csv", "unterminated.csv", "x,y,label\n1,2,\"a\n3,4,b\n", "line 2, column 3: unterminated quoted field")
badfile("csv", "quote_inside.csv", "x,y,label\n1,2,a\"b\n", "a '\"' inside an unquoted field")
badfile("csv", "after_quote.csv", "x,y,label\n1,2,\"a\"b\n", "unexpected character 'b' after a closing quote")
badfile("csv", "no_label.csv", "x,y,class\n1,2,a\n", "no label column named 'label'")
badfile("csv", "duplicate.csv", "x,x,label\n1,2,a\n", "duplicate column name 'x'")
badfile("csv", "missing_label.csv", "x,y,label\n1,2,a\n3,4, \n", "line 3, column 3 ('label'): missing label")

with open(os.path.join(IO, "bad", "expected.txt"), "w") as f:
    f.write("# written by test/ref/make_io_ref.py: <file under test/io/bad>\\t<substring of the io_error message>\n")
    f.write("# (csv files are read with label = \"label\"; store files are loaded into io_errors_test's store)\n")
    f.write("\n".join(bad) + "\n")
print(f"make_io_ref.py: {len(values)} reference tensors, {len(bad)} malformed files under {IO}")
