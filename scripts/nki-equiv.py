#!/usr/bin/env python3
"""Semantic check of a transformation: run a kernel before and after it
through the backend and nki-run on the same inputs, and compare every output
tensor bit for bit.

  scripts/nki-equiv.py kernel.mlir --after="--nki-tile-free-dim=tile-size=16"
  scripts/nki-equiv.py kernel.mlir --before=--mamba-v1 --after=--mamba-v3

`--before` and `--after` are mamba-opt arguments (split on spaces unless
quoted, as a shell would); the default `--before` is none (the kernel as
written). Inputs are generated once (`nki-run --random-inputs=SEED
--save-inputs`) and fed to both runs, so that the comparison does not depend
on input generation. Prints one line per output tensor and exits 1 when any
tensor differs in any bit, or when a step fails. docs/passes.md describes it.
"""

import argparse
import os
import shlex
import struct
import sys
import tempfile

import nki_common
from nki_common import tensors


def run(cmd, what):
    return nki_common.run(cmd, what, "nki-equiv")


def npy_payload(path):
    """(header dict text, raw element bytes) of an .npy file nki-run wrote."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x93NUMPY"):
        sys.exit(f"nki-equiv: {path} is not an .npy file")
    if data[6] == 1:
        (hlen,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (hlen,) = struct.unpack("<I", data[8:12])
        start = 12
    return data[start:start + hlen], data[start + hlen:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kernel", help="the .mlir kernel")
    parser.add_argument("--before", default="",
                        help="mamba-opt arguments for the reference (default: none)")
    parser.add_argument("--after", required=True,
                        help="mamba-opt arguments for the transformed kernel")
    parser.add_argument("--function", default="",
                        help="the kernel function, when the file has several "
                             "(mamba-translate --nisa-function)")
    parser.add_argument("--seed", type=int, default=0,
                        help="nki-run --random-inputs seed (default 0)")
    parser.add_argument("--tools-dir", default="",
                        help="directory of mamba-opt, mamba-translate and nki-run")
    parser.add_argument("--keep", default="",
                        help="keep the intermediate files in this directory")
    args = parser.parse_args()
    if args.seed < 0:
        parser.error("--seed must be >= 0")

    def tool(name):
        return nki_common.tool_path(args.tools_dir, name)

    work = args.keep or tempfile.mkdtemp(prefix="nki-equiv.")
    os.makedirs(work, exist_ok=True)
    inputs_dir = os.path.join(work, "inputs")
    results = {}
    for side, opts in (("before", args.before), ("after", args.after)):
        mlir = os.path.join(work, side + ".mlir")
        nisa = os.path.join(work, side + ".nisa")
        with open(mlir, "w") as f:
            f.write(run([tool("mamba-opt"), args.kernel] + shlex.split(opts),
                        f"mamba-opt ({side})"))
        translate = [tool("mamba-translate"), "--nki-to-nisa", mlir, "-o", nisa]
        if args.function:
            translate.append("--nisa-function=" + args.function)
        run(translate, f"mamba-translate ({side})")
        decls = tensors(nisa)
        outputs = [name for name, role in decls if role in ("output", "inout")]
        if not outputs:
            sys.exit(f"nki-equiv: the {side} kernel writes no tensor")
        cmd = [tool("nki-run"), nisa, "--quiet"]
        if side == "before":
            cmd += [f"--random-inputs={args.seed}", "--save-inputs", inputs_dir]
        else:
            for name, role in decls:
                if role in ("input", "inout"):
                    path = os.path.join(inputs_dir, name + ".npy")
                    if not os.path.exists(path):
                        sys.exit(f"nki-equiv: the after kernel reads '{name}', "
                                 "which the before kernel does not")
                    cmd += ["--input", f"{name}={path}"]
        files = {}
        for name in outputs:
            files[name] = os.path.join(work, f"{side}.{name}.npy")
            cmd += ["--output", f"{name}={files[name]}"]
        run(cmd, f"nki-run ({side})")
        results[side] = files

    differ = False
    names = sorted(set(results["before"]) | set(results["after"]))
    for name in names:
        if name not in results["before"] or name not in results["after"]:
            print(f"{name}: written by only one of the kernels")
            differ = True
            continue
        ha, a = npy_payload(results["before"][name])
        hb, b = npy_payload(results["after"][name])
        if ha != hb or len(a) != len(b):
            print(f"{name}: different shapes or types")
            differ = True
            continue
        bad = [i for i in range(0, len(a), 4) if a[i:i + 4] != b[i:i + 4]]
        if bad:
            first = bad[0] // 4
            va = struct.unpack("<f", a[bad[0]:bad[0] + 4])[0]
            vb = struct.unpack("<f", b[bad[0]:bad[0] + 4])[0]
            print(f"{name}: DIFFERENT in {len(bad)} of {len(a) // 4} elements "
                  f"(first at flat index {first}: {va!r} before, {vb!r} after)")
            differ = True
        else:
            print(f"{name}: bit-identical ({len(a) // 4} elements)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
