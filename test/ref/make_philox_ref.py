#!/usr/bin/python3
"""Writes test/random/philox_masks.inc: checksums of dropout-style masks that
every build of leibniz must reproduce bit for bit (issue 8: the SIMD build,
g++ -march=native, and the portable one, clang without -march, check the same
committed values, so they agree with each other and with this script).

    /usr/bin/python3 test/ref/make_philox_ref.py

An independent implementation, in plain Python integers, of what
leibniz::bernoulli<Name, S>(key, p) draws (kernels/philox.hpp, ops/bernoulli.hpp):
  - Philox4x32-10 (Salmon et al., SC'11), checked below against Random123's
    published known-answer vectors (tests/kat_vectors, philox4x32 10);
  - the op's stream: FNV-1a (32 bits) of its name;
  - element i of a stream: block i // k of counter (block lo, block hi, stream,
    step) under key (seed lo, seed hi), k = 4 floats (one word each, top 24
    bits · 2^-24) or 2 doubles (two words lo, hi: top 53 bits · 2^-53);
  - mask[i] = 1 if u[i] < p else 0, p rounded to the element type.
Each mask is summarised as its number of ones and the FNV-1a (64 bits) of its
elements as bytes (0 or 1) in row-major order.
"""
import os
import struct

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK32 = 0xFFFFFFFF


def philox4x32_10(c, k):
    c, k = list(c), list(k)
    for r in range(10):
        if r > 0:
            k = [(k[0] + W0) & MASK32, (k[1] + W1) & MASK32]
        p0 = M0 * c[0]
        p1 = M1 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & MASK32, p1 & MASK32, ((p0 >> 32) ^ c[3] ^ k[1]) & MASK32, p0 & MASK32]
    return c


# Random123's known answers
KAT = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([MASK32] * 4, [MASK32] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    ([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0],
     [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]),
]
for c, k, want in KAT:
    assert philox4x32_10(c, k) == want, "Philox4x32-10 does not match Random123's vectors"


def fnv1a32(name):
    h = 2166136261
    for ch in name.encode():
        h = ((h ^ ch) * 16777619) & MASK32
    return h


def fnv1a64(data):
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def mask(seed, step, name, n, dtype, p_num, p_den):
    stream = fnv1a32(name)
    key = [seed & MASK32, seed >> 32]
    per = 4 if dtype == "float" else 2
    # p rounded to the element type, as B(num) / B(den) is
    p = f32(f32(p_num) / f32(p_den)) if dtype == "float" else p_num / p_den
    out = bytearray(n)
    block, words = None, None
    for i in range(n):
        b = i // per
        if b != block:
            block = b
            words = philox4x32_10([b & MASK32, b >> 32, stream, step], key)
        j = i % per
        if dtype == "float":
            u = (words[j] >> 8) * 2.0**-24  # exact in binary64 and in binary32
        else:
            u = (((words[2 * j + 1] << 32) | words[2 * j]) >> 11) * 2.0**-53
        out[i] = 1 if u < p else 0
    return sum(out), fnv1a64(out)


# (seed, step, name, extents, type, p = num/den): odd extents, so SIMD loops have tails
CASES = [
    (0x0123456789ABCDEF, 7, "drop", (64, 33), "float", 3, 4),
    (0x0123456789ABCDEF, 7, "drop", (64, 33), "double", 3, 4),
    (42, 0, "mask", (1001,), "double", 1, 2),
    (42, 1, "mask", (1001,), "float", 1, 2),
    (2**64 - 1, 2**32 - 1, "h1.dropout", (5, 7, 3), "float", 9, 10),
]

HERE = os.path.dirname(os.path.abspath(__file__))
path = os.path.normpath(os.path.join(HERE, "..", "random", "philox_masks.inc"))
with open(path, "w") as f:
    f.write("// Written by test/ref/make_philox_ref.py (an independent Philox4x32-10, checked against\n")
    f.write("// Random123's vectors): {seed, step, name, extents..., type, p, ones, FNV-1a 64 of the mask bytes}.\n")
    for seed, step, name, ext, dtype, pn, pd in CASES:
        n = 1
        for e in ext:
            n *= e
        ones, h = mask(seed, step, name, n, dtype, pn, pd)
        f.write(f'MASK_CASE(0x{seed:016x}ull, {step}u, "{name}", ({", ".join(map(str, ext))}), {dtype}, {pn}, {pd}, '
                f"{ones}u, 0x{h:016x}ull)\n")
print(f"make_philox_ref.py: {len(CASES)} masks -> {path}")
