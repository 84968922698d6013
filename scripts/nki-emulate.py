#!/usr/bin/env python3
"""Run an NKI kernel on the NumPy execution of NKI's API (python/neuronxcc,
docs/nki-emission.md), without a device:

  scripts/nki-emulate.py k.py --input delta=delta.npy ... --output out=y.npy
  scripts/nki-emulate.py k.py --kernel mamba_v1 --input ... --expect out=y.npy

FILE.py imports neuronxcc.nki as NKI kernels do; this script puts the
emulation first on the import path, so the file runs unchanged. Inputs are
bound to the kernel's parameters by name (float32 .npy files, C order, as
nki-run reads them); a parameter the kernel's docstring declares
`:param NAME: (...) bfloat16` (what --nki-to-python writes), or named with
--bf16, is an HBM bfloat16 tensor: its values are rounded to bfloat16 as
nki-run rounds them. Outputs are the kernel's returned tensors, by the
name they were created with (nl.ndarray(..., name="out")). --expect
compares an output with an .npy file (nki-run --output's) and fails unless
they are bit-identical, or within --max-ulp units in the last place.

Exit status 0 on success; 1 on any error: a bad flag or file, a missing
input, and anything NKI rejects that the kernel does (reported as
FILE:LINE: error: ... at the kernel's line).
"""

import argparse
import importlib.util
import os
import re
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

try:
    import numpy as np
except ImportError:
    # A python3 first on PATH without NumPy (a pyenv, a venv): the system's
    # has it when scripts/setup.sh ran.
    system = "/usr/bin/python3"
    if (os.path.exists(system) and not os.environ.get("NKI_EMULATE_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(system)):
        os.environ["NKI_EMULATE_REEXEC"] = "1"
        os.execv(system, [system] + sys.argv)
    sys.exit("nki-emulate: NumPy is missing (scripts/setup.sh installs "
             "python3-numpy)")

import neuronxcc.nki as nki                     # noqa: E402
from neuronxcc.nki import _core                 # noqa: E402


def error(message):
    sys.stderr.write(f"nki-emulate: error: {message}\n")
    sys.exit(1)


def pairs(values, flag):
    out = {}
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            error(f"{flag} takes NAME=FILE.npy, got '{v}'")
        if name in out:
            error(f"{flag} {name} given twice")
        out[name] = path
    return out


def read_npy(path, flag):
    try:
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        error(f"{flag}: cannot read '{path}': {e}")
    if a.dtype != np.float32:
        error(f"{flag}: '{path}' holds {a.dtype}, not float32")
    return a


def bf16_params(kernel):
    doc = kernel.fn.__doc__ or ""
    return set(re.findall(r":param (\w+): \([^)]*\) bfloat16", doc))


def kernel_line(path, exc):
    """The innermost frame of the kernel's file: where the error is."""
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            where = frame
    return where


def ulps(a, b):
    """Distance in units in the last place between float32 arrays."""
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)
    ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
    return np.abs(ia - ib)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file", help="a Python file of @nki.jit kernels")
    p.add_argument("--kernel", default="",
                   help="the kernel to run (default: the file's only one)")
    p.add_argument("--input", action="append", default=[],
                   metavar="NAME=FILE.npy")
    p.add_argument("--output", action="append", default=[],
                   metavar="NAME=FILE.npy")
    p.add_argument("--expect", action="append", default=[],
                   metavar="NAME=FILE.npy",
                   help="fail unless output NAME equals this file's values")
    p.add_argument("--max-ulp", type=int, default=0,
                   help="--expect's tolerance in units in the last place "
                        "(default 0: bit for bit)")
    p.add_argument("--bf16", action="append", default=[], metavar="NAME",
                   help="parameter NAME is a bfloat16 HBM tensor")
    p.add_argument("--exp", choices=["nki-run", "numpy"], default="nki-run",
                   help="exp's algorithm: nki-run's (default, same bits) or "
                        "np.exp")
    args = p.parse_args()
    if args.max_ulp < 0:
        error("--max-ulp must be >= 0")
    _core.EXP_MODE = args.exp

    inputs = pairs(args.input, "--input")
    outputs = pairs(args.output, "--output")
    expects = pairs(args.expect, "--expect")

    if not os.path.isfile(args.file):
        error(f"cannot read '{args.file}'")
    spec = importlib.util.spec_from_file_location("nki_kernel_file",
                                                  args.file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        error(f"{args.file}:{e.lineno}: {e.msg}")
    except Exception as e:                      # noqa: BLE001
        error(f"{args.file}: importing it failed: {type(e).__name__}: {e}")
    kernels = {n: k for n, k in vars(module).items()
               if isinstance(k, nki.Kernel)}
    if not kernels:
        error(f"{args.file} defines no @nki.jit kernel")
    if args.kernel:
        if args.kernel not in kernels:
            error(f"no kernel '{args.kernel}' in {args.file} (it has "
                  f"{', '.join(sorted(kernels))})")
        kernel = kernels[args.kernel]
    elif len(kernels) == 1:
        kernel = next(iter(kernels.values()))
    else:
        error(f"{args.file} has several kernels ({', '.join(sorted(kernels))})"
              ": pick one with --kernel")

    params = kernel.parameters()
    unknown = sorted(set(inputs) - set(params))
    if unknown:
        error(f"--input {unknown[0]}: the kernel has no parameter of that name "
              f"(it takes {', '.join(params) or 'none'})")
    missing = [n for n in params if n not in inputs]
    if missing:
        error(f"no --input for parameter '{missing[0]}'")
    for n in args.bf16:
        if n not in params:
            error(f"--bf16 {n}: the kernel has no parameter of that name")
    bf16 = bf16_params(kernel) | set(args.bf16)
    tensors = []
    for n in params:
        dt = _core.bfloat16 if n in bf16 else _core.float32
        tensors.append(_core.hbm_tensor(read_npy(inputs[n], "--input"), n, dt))

    try:
        result = kernel.emulate(*tensors)
    except Exception as e:                      # noqa: BLE001
        where = kernel_line(args.file, e)
        loc = f"{args.file}:{where.lineno}: " if where else ""
        if isinstance(e, _core.NkiEmulationError):
            text = str(e)
        elif isinstance(e, AssertionError):
            text = str(e) or "assertion failed"
        elif isinstance(e, AttributeError) and where:
            text = f"{e} (not part of what the emulation covers)"
        else:
            if not where:
                raise
            text = f"{type(e).__name__}: {e}"
        sys.stderr.write(f"{loc}error: {text}\n")
        if where and where.line:
            sys.stderr.write(f"    {where.line}\n")
        return 1
    results = result if isinstance(result, tuple) else (result,)
    named = {}
    for r in results:
        if isinstance(r, _core.Tensor) and r.name:
            named[r.name] = r
    for n, t in zip(params, tensors):
        named.setdefault(n, t)

    for flag, table in (("--output", outputs), ("--expect", expects)):
        for n in table:
            if n not in named:
                error(f"{flag} {n}: the kernel returns no tensor of that name "
                      f"(it returns {', '.join(r.name for r in results if isinstance(r, _core.Tensor)) or 'nothing named'})")
    for n, path in outputs.items():
        try:
            np.save(path, np.ascontiguousarray(named[n].array, np.float32))
        except OSError as e:
            error(f"--output {n}: cannot write '{path}': {e}")
    status = 0
    for n, path in expects.items():
        want = read_npy(path, "--expect")
        got = np.ascontiguousarray(named[n].array, np.float32)
        if want.shape != got.shape:
            print(f"{n}: shape {got.shape}, expected {want.shape}")
            status = 1
            continue
        d = ulps(got, want)
        # NaN equals NaN here; whether their payloads agree is reported.
        same_nan = np.isnan(got) & np.isnan(want)
        payloads = int(np.count_nonzero(same_nan & (got.view(np.uint32) !=
                                                    want.view(np.uint32))))
        d[same_nan] = 0
        bad = int(np.count_nonzero(d > args.max_ulp))
        worst = int(d.max()) if d.size else 0
        nans = (f", {int(np.count_nonzero(same_nan))} NaN" +
                (f", {payloads} with another payload" if payloads else "")
                if same_nan.any() else "")
        if bad:
            first = int(np.flatnonzero(d > args.max_ulp)[0])
            with np.errstate(all="ignore"):
                absdiff = np.abs(got.astype(np.float64) - want)
            absdiff = float(np.nanmax(absdiff)) if absdiff.size else 0.0
            print(f"{n}: DIFFERENT in {bad} of {d.size} elements (max "
                  f"{worst} ulp, max abs difference {absdiff:.3g}; first at "
                  f"flat index {first}: "
                  f"{got.reshape(-1)[first]!r} here, "
                  f"{want.reshape(-1)[first]!r} expected)")
            status = 1
        elif worst == 0 and not payloads:
            print(f"{n}: bit-identical ({d.size} elements{nans})")
        elif worst == 0:
            print(f"{n}: equal ({d.size} elements{nans})")
        else:
            with np.errstate(all="ignore"):
                absdiff = np.abs(got.astype(np.float64) - want)
            absdiff = float(np.nanmax(absdiff)) if absdiff.size else 0.0
            print(f"{n}: within {args.max_ulp} ulp ({d.size} elements, "
                  f"{int(np.count_nonzero(d))} differ, max {worst} ulp, max "
                  f"abs difference {absdiff:.3g}{nans})")
    return status


if __name__ == "__main__":
    sys.exit(main())
