#!/usr/bin/env python3
"""A selective scan computed in plain Python, for nki-run --check's tests
(test/Interpreter/check-variants.test).

  scan_reference.py DIR [--batch B --channels C --seq-len L --state N]
      [--D] [--z] [--delta-bias] [--delta-softplus] [--initial-state]
      [--final-state] [--B-form variable|grouped|constant] [--C-form ...]
      [--groups G] [--dtype f32|bf16] [--out-dtype f32|bf16]
      [--kernel-line auto|none|0|1]
      [--perturb NAME] [--unrounded]

writes into DIR the inputs of every operand as .npy (drawn from a seeded
Python generator), the outputs mamba_ssm's selective_scan_ref gives on them
(computed here, in double precision, straight from its definition: delta
plus bias, softplus, the recurrence per time step over the whole state
vector, y = C . x, the D skip and the silu(z) gate), and k.nisa: a stream
declaring the kernel's tensors under their mamba_ssm names that copies
`expected_out` (and `expected_final_state`) into `out` (and
`final_state`). nki-run --check then compares what Python computed with
the interpreter's reference. DIR/args holds nki-run's --input flags.

--dtype is that of delta, u, z, B, C and out (--out-dtype: out's alone). A
bf16 tensor's values are rounded to bf16 before they are used, as the
kernel sees them. --perturb NAME adds 1 to the first expected element of
output NAME (so that the check must fail). --kernel-line none leaves the
line out even with --delta-softplus (the expected values still apply it).
--unrounded computes the expected values from the inputs before their
rounding to bf16 (so that a check which compares with what the kernel saw
must fail).
"""
import argparse
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nisa_values import bf16, f32, write_npy  # noqa: E402


def softplus(x):
    return x if x > 20.0 else math.log1p(math.exp(x))


def silu(x):
    return x / (1.0 + math.exp(-x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--channels", type=int, default=4)
    p.add_argument("--seq-len", type=int, default=6)
    p.add_argument("--state", type=int, default=3)
    for flag in ["--D", "--z", "--delta-bias", "--delta-softplus",
                 "--initial-state", "--final-state"]:
        p.add_argument(flag, action="store_true")
    p.add_argument("--B-form", default="variable",
                   choices=["variable", "grouped", "constant"])
    p.add_argument("--C-form", default="variable",
                   choices=["variable", "grouped", "constant"])
    p.add_argument("--groups", type=int, default=2)
    p.add_argument("--dtype", default="f32", choices=["f32", "bf16"])
    p.add_argument("--out-dtype", default=None, choices=["f32", "bf16"])
    p.add_argument("--kernel-line", default="auto",
                   choices=["auto", "none", "0", "1"])
    p.add_argument("--perturb", default=None)
    p.add_argument("--unrounded", action="store_true")
    # The stream also overwrites this input (f32 [batch, channels, seq_len]:
    # delta, u or z) with `out`'s values, after the run has read it: the
    # check must use the values given, not what the tensor holds after.
    p.add_argument("--clobber", default=None, choices=["delta", "u", "z"])
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    Bn, Cn, L, N, G = a.batch, a.channels, a.seq_len, a.state, a.groups
    rng = random.Random(a.seed)

    def proj_shape(form):
        return {"variable": [Bn, N, L], "grouped": [Bn, G, N, L],
                "constant": [Cn, N]}[form]

    # name: (shape, dtype, draw)
    uniform = rng.random
    normal = lambda: rng.gauss(0.0, 1.0)  # noqa: E731
    io = a.dtype
    tensors = [("delta", [Bn, Cn, L], io, lambda: 0.5 * uniform()),
               ("u", [Bn, Cn, L], io, normal),
               ("A", [Cn, N], "f32", lambda: -0.5 * uniform()),
               ("B", proj_shape(a.B_form), io, normal),
               ("C", proj_shape(a.C_form), io, normal)]
    if a.D:
        tensors.append(("D", [Cn], "f32", normal))
    if a.z:
        tensors.append(("z", [Bn, Cn, L], io, normal))
    if a.delta_bias:
        tensors.append(("delta_bias", [Cn], "f32", lambda: 0.5 * uniform()))
    if a.initial_state:
        tensors.append(("initial_state", [Bn, Cn, N], "f32", normal))

    os.makedirs(a.dir, exist_ok=True)
    values, args = {}, []
    for name, shape, dtype, draw in tensors:
        v = [f32(draw()) for _ in range(math.prod(shape))]
        if name == "delta" and a.delta_softplus:
            v[0] = 21.5  # softplus(x) = x above 20
            v[1] = -3.0
        path = os.path.join(a.dir, name + ".npy")
        write_npy(path, shape, v)
        args.append("--input %s=%s" % (name, path))
        rounded = dtype == "bf16" and not a.unrounded
        values[name] = [bf16(x) for x in v] if rounded else v

    delta, u, A = values["delta"], values["u"], values["A"]
    B, C = values["B"], values["C"]

    def proj(vals, form, b, c, n, t):
        if form == "variable":
            return vals[(b * N + n) * L + t]
        if form == "grouped":
            g = c // (Cn // G)
            return vals[((b * G + g) * N + n) * L + t]
        return vals[c * N + n]

    out = [0.0] * (Bn * Cn * L)
    final = [0.0] * (Bn * Cn * N)
    for b in range(Bn):
        for c in range(Cn):
            bc = b * Cn + c
            if a.initial_state:
                x = [values["initial_state"][bc * N + n] for n in range(N)]
            else:
                x = [0.0] * N
            for t in range(L):
                d = delta[bc * L + t]
                if a.delta_bias:
                    d += values["delta_bias"][c]
                if a.delta_softplus:
                    d = softplus(d)
                ut = u[bc * L + t]
                y = 0.0
                for n in range(N):
                    x[n] = (math.exp(d * A[c * N + n]) * x[n] +
                            d * proj(B, a.B_form, b, c, n, t) * ut)
                    y += proj(C, a.C_form, b, c, n, t) * x[n]
                if a.D:
                    y += values["D"][c] * ut
                if a.z:
                    y *= silu(values["z"][bc * L + t])
                out[bc * L + t] = f32(y)
            for n in range(N):
                final[bc * N + n] = f32(x[n])

    outputs = [("out", [Bn, Cn, L], a.out_dtype or io, out)]
    if a.final_state:
        outputs.append(("final_state", [Bn, Cn, N], "f32", final))
    for name, shape, dtype, v in outputs:
        if a.perturb == name:
            v[0] += 1.0
        path = os.path.join(a.dir, "expected_" + name + ".npy")
        write_npy(path, shape, v)
        args.append("--input expected_%s=%s" % (name, path))

    # The stream: declarations, then one load and one store per output.
    kernel = a.kernel_line
    if kernel == "auto":
        kernel = "1" if a.delta_softplus else "none"
    lines = ["nisa 1", "target trn1"]
    if kernel != "none":
        lines.append("kernel selective_scan delta_softplus=" + kernel)
    for name, shape, dtype, _ in tensors:
        role = "inout" if name == a.clobber else "input"
        lines.append("tensor %s %s %s %s" %
                     (name, role, dtype, "x".join(map(str, shape))))
    for name, shape, dtype, _ in outputs:
        dims = "x".join(map(str, shape))
        lines.append("tensor expected_%s input %s %s" % (name, dtype, dims))
        lines.append("tensor %s output %s %s" % (name, dtype, dims))
    lines += ["scratch 0", "sbuf_peak 2048", "psum_peak 0",
              "instructions %d" % (2 * len(outputs) + bool(a.clobber))]
    for i, (name, shape, dtype, _) in enumerate(outputs):
        rows, cols = shape[0] * shape[1], shape[2]
        on_chip = "sbuf[0+%d]@0x%x{%d}.%s" % (rows, 1024 * i, cols, dtype)
        lines.append("%d qSyncIO%d dma dst=%s src=hbm.expected_%s[%d*%d]@0"
                     "{%d}.%s sig=1" % (2 * i, 2 * i, on_chip, name, rows,
                                        cols, cols, dtype))
        lines.append("%d qSyncIO%d dma dst=hbm.%s[%d*%d]@0{%d}.%s src=%s "
                     "wait=qSyncIO%d:1 sig=1" % (2 * i + 1, 2 * i + 1, name,
                                                 rows, cols, cols, dtype,
                                                 on_chip, 2 * i))
    if a.clobber:
        name, shape, dtype, _ = outputs[0]
        rows, cols = shape[0] * shape[1], shape[2]
        n = 2 * len(outputs)
        assert dtype == io, "--clobber copies out's values: same dtype"
        lines.append("%d qSyncIO1 dma dst=hbm.%s[%d*%d]@0{%d}.%s "
                     "src=sbuf[0+%d]@0x0{%d}.%s wait=qSyncIO0:1 sig=2"
                     % (n, a.clobber, rows, cols, cols, dtype, rows, cols,
                        dtype))
    lines.append("end")
    with open(os.path.join(a.dir, "k.nisa"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(a.dir, "args"), "w") as f:
        f.write(" ".join(args) + "\n")


if __name__ == "__main__":
    main()
