#!/usr/bin/env python3
"""Checks --mamba-auto's report against the tools, independently of the
search (test/AutoSchedule/prices.test):

* every named pipeline's row (v1..v4) gives the latency that
  `mamba-opt --mamba-vN | mamba-translate --nki-to-nisa | nki-run
  --no-compute` prints for the same kernel (the same timing model);
* the chosen kernel (the pass's output) gives the chosen row's latency;
* the printed `--pass-pipeline`, run by hand on the v1 kernel, reproduces
  the pass's output exactly;
* the chosen latency is never above the best named pipeline's.

Prints one line per check; exits 1 on the first failure."""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("FAILED: %s\n%s" % (" ".join(cmd), r.stderr))
    return r.stdout


def nki_latency(tools, mlir, tmp):
    nisa = os.path.join(tmp, "k.nisa")
    run([os.path.join(tools, "mamba-translate"), "--nki-to-nisa", mlir, "-o",
         nisa])
    out = run([os.path.join(tools, "nki-run"), nisa, "--no-compute"])
    return re.search(r"predicted latency ([0-9.]+) us", out).group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("--tools-dir", required=True)
    ap.add_argument("--options", default="")
    a = ap.parse_args()
    opt = os.path.join(a.tools_dir, "mamba-opt")
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.txt")
        auto = os.path.join(tmp, "auto.mlir")
        opts = "report=%s %s" % (report, a.options)
        run([opt, a.kernel, "--pass-pipeline=builtin.module(mamba-auto{%s})"
             % opts.strip(), "-o", auto])
        text = open(report).read()
        rows = {}
        for line in text.splitlines():
            f = line.split()
            if len(f) >= 11 and f[0].isdigit() and f[3] in ("sim", "est"):
                for name in f[9].split("="):
                    if name != "-":
                        rows[name] = (f[2], f[3])
        best = None
        for v in ("v1", "v2", "v3", "v4"):
            if v not in rows:
                continue
            k = os.path.join(tmp, v + ".mlir")
            run([opt, a.kernel, "--mamba-" + v, "-o", k])
            got = nki_latency(a.tools_dir, k, tmp)
            lat, how = rows[v]
            ok = got == lat and how == "sim"
            print("%s: report %s us (%s), nki-run --no-compute %s us: %s" %
                  (v, lat, how, got, "same" if ok else "DIFFERENT"))
            if not ok:
                sys.exit(1)
            best = float(lat) if best is None else min(best, float(lat))
        chosen = re.search(r"^chosen: #\d+ .*, predicted ([0-9.]+) us$", text,
                           re.M).group(1)
        got = nki_latency(a.tools_dir, auto, tmp)
        print("chosen: report %s us, nki-run --no-compute %s us: %s" %
              (chosen, got, "same" if got == chosen else "DIFFERENT"))
        if got != chosen:
            sys.exit(1)
        if best is not None:
            ok = float(chosen) <= best
            print("chosen <= best named pipeline (%s us): %s" %
                  (best, "yes" if ok else "NO"))
            if not ok:
                sys.exit(1)
        pipeline = re.search(r"^rerun it: mamba-opt KERNEL.mlir "
                             r"--pass-pipeline='(.*)'$", text, re.M).group(1)
        v1 = os.path.join(tmp, "v1only.mlir")
        run([opt, a.kernel, "--convert-mamba-to-nki", "-o", v1])
        again = os.path.join(tmp, "again.mlir")
        run([opt, v1, "--pass-pipeline=" + pipeline, "-o", again])
        same = open(again).read() == open(auto).read()
        print("the printed pipeline reproduces the kernel: %s" %
              ("yes" if same else "NO"))
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
