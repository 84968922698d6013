"""Helpers for the per-opcode interpreter tests (test/Interpreter/ops-*.test).

The tests write .npy inputs, run nki-run on a hand-written .nisa stream, and
compare what it wrote with values computed here, independently of the
interpreter: fp32 arithmetic is emulated by rounding every operation's exact
(double) result to fp32, bf16 by rounding fp32 to nearest even, and the
transcendental functions come from Python's math module.
"""
import math
import struct


def f32(x):
    """x rounded to the nearest float32 (one IEEE operation's rounding)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def bf16(x):
    """float32 x rounded to bfloat16, to nearest even, as a float."""
    (bits,) = struct.unpack("<I", struct.pack("<f", f32(x)))
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def alu(op, x, y):
    """One ALU operation on fp32 values, as nisa.md defines it."""
    if op == "bypass":
        return x
    if op == "add":
        return f32(x + y)
    if op == "subtract":
        return f32(x - y)
    if op == "multiply":
        return f32(x * y)
    if op == "divide":
        return f32(x / y)
    if op == "max":
        return y if x < y else x
    if op == "min":
        return y if y < x else x
    raise ValueError(op)


ALU_OPS = ["bypass", "add", "subtract", "multiply", "divide", "max", "min"]


def write_npy(path, shape, values):
    """A version 1.0 little-endian float32 .npy file in C order."""
    assert len(values) == math.prod(shape)
    dims = ", ".join("%d" % d for d in shape) + ("," if len(shape) == 1 else "")
    header = ("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" %
              dims).encode()
    header += b" " * ((64 - (10 + len(header) + 1) % 64) % 64) + b"\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header)
        f.write(struct.pack("<%df" % len(values), *values))


def read_npy(path):
    """The values of a float32 .npy file written by nki-run, flattened."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x93NUMPY\x01\x00", path
    (length,) = struct.unpack("<H", data[8:10])
    body = data[10 + length:]
    return list(struct.unpack("<%df" % (len(body) // 4), body))


def check(name, got, expected, rel=0.0):
    """Prints 'PASS name' when every element matches (exactly, or within
    `rel` relative error), else the first mismatch."""
    assert len(got) == len(expected), (name, len(got), len(expected))
    for i, (g, e) in enumerate(zip(got, expected)):
        if math.isnan(g) or math.isnan(e):
            same = math.isnan(g) and math.isnan(e)
        elif rel == 0.0:
            same = g == e
        else:
            same = abs(g - e) <= rel * abs(e)
        if not same:
            print("FAIL %s: element %d is %r, expected %r" % (name, i, g, e))
            return
    print("PASS %s" % name)
