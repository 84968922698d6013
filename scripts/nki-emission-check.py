#!/usr/bin/env python3
"""Check that a kernel's emitted NKI computes what nki-run computes:

  scripts/nki-emission-check.py kernel.mlir --pipeline=--mamba-v3

Runs the pipeline (mamba-opt arguments; none: the kernel as written), then
both back ends on the result: mamba-translate --nki-to-nisa and nki-run on
random inputs (nki-run --random-inputs=SEED, mamba_ssm's distributions,
saved), and mamba-translate --nki-to-python and scripts/nki-emulate.py on
the same inputs, and compares every output nki-run writes with the
emulation's, bit for bit (--max-ulp: within that many units in the last
place). Prints one line per output and exits 1 when any differs or a step
fails. --keep DIR keeps the files (the emitted .py among them).
docs/nki-emission.md describes it.
"""

import argparse
import os
import shlex
import subprocess
import sys
import tempfile

import nki_common
from nki_common import tensors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, what):
    return nki_common.run(cmd, what, "nki-emission-check", show_stdout=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kernel", help="the .mlir kernel")
    p.add_argument("--pipeline", default="",
                   help="mamba-opt arguments (default: none)")
    p.add_argument("--function", default="",
                   help="the kernel, when the file has several (nki-run's "
                        "--nisa-function, the emulation's --kernel)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-ulp", type=int, default=0)
    p.add_argument("--exp", choices=["nki-run", "numpy"], default="nki-run")
    p.add_argument("--tools-dir", default="")
    p.add_argument("--keep", default="")
    args = p.parse_args()
    if args.seed < 0:
        p.error("--seed must be >= 0")

    def tool(name):
        return nki_common.tool_path(args.tools_dir, name)

    work = args.keep or tempfile.mkdtemp(prefix="nki-emission.")
    os.makedirs(work, exist_ok=True)
    mlir = os.path.join(work, "kernel.mlir")
    nisa = os.path.join(work, "kernel.nisa")
    py = os.path.join(work, "kernel.py")
    with open(mlir, "w") as f:
        f.write(run([tool("mamba-opt"), args.kernel] +
                    shlex.split(args.pipeline), "mamba-opt"))
    translate = [tool("mamba-translate"), "--nki-to-nisa", mlir, "-o", nisa]
    if args.function:
        translate.append("--nisa-function=" + args.function)
    run(translate, "mamba-translate --nki-to-nisa")
    run([tool("mamba-translate"), "--nki-to-python", mlir, "-o", py],
        "mamba-translate --nki-to-python")
    decls = tensors(nisa)
    outs = [n for n, role in decls if role == "output"]
    ins = [n for n, role in decls if role == "input"]
    if not outs:
        sys.exit("nki-emission-check: the kernel writes no tensor")
    inputs = os.path.join(work, "inputs")
    cmd = [tool("nki-run"), nisa, "--quiet", f"--random-inputs={args.seed}",
           "--save-inputs", inputs]
    for n in outs:
        cmd += ["--output", f"{n}={os.path.join(work, 'nki-run.' + n + '.npy')}"]
    run(cmd, "nki-run")
    cmd = [sys.executable, os.path.join(ROOT, "scripts", "nki-emulate.py"), py,
           f"--max-ulp={args.max_ulp}", f"--exp={args.exp}"]
    if args.function:
        cmd.append("--kernel=" + args.function)
    for n in ins:
        cmd += ["--input", f"{n}={os.path.join(inputs, n + '.npy')}"]
    for n in outs:
        cmd += ["--expect", f"{n}={os.path.join(work, 'nki-run.' + n + '.npy')}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
