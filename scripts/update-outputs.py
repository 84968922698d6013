#!/usr/bin/env python3
"""Runs the commands shown in the docs and writes their outputs after them.

A command block followed by an output block gets the command's output
(stdout, then stderr) between the output markers, in a ``` fence:

    ```sh
    build/bin/nki-run /tmp/k.nisa --no-compute --profile
    ```
    <!-- output -->
    ...written here...
    <!-- /output -->

`<!-- output exit=1 -->` expects that exit status (an error message shown
as the docs' example); any other status, or any nonzero status without
`exit=`, fails. Commands run with bash -eo pipefail from the repository
root. Each page gets its own fresh directory for `/tmp/` (the commands'
`/tmp/...` paths are rewritten to it, and back in the output; it is also
OUT_DIR, where scripts/kernel-table.sh and bench/calibrate.sh write their
artefacts), so pages do not depend on each other, a check writes nothing
into the build directory, and two checks can run at once.

    scripts/update-outputs.py [--check] [--bin DIR] [FILE...]

Without FILEs: every page under docs/ and README.md that has an output
block (`--exclude FILE` leaves one out). --bin (also --tools-dir) names
the directory of the tools under test: it replaces `build/bin/` in the
commands and is passed to scripts as MAMBA_TOOLS_DIR (BUILD_DIR is its
parent), so bench/ and scripts/ use the same tools. With --check, nothing
is written; it fails (naming the page and the command) when a command
fails or an output differs. scripts/update-docs.sh runs this (and the
other generators) in one go; test/tutorial.mlir and test/doc-outputs.test
run the check.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(
    r"(```sh\n(?P<command>(?:(?!```).)*?)```\n"
    r"<!-- output(?: exit=(?P<exit>\d+))? -->\n)(?P<out>.*?)(<!-- /output -->)",
    re.S)


def pages():
    found = sorted(glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True))
    found.append(os.path.join(ROOT, "README.md"))
    return [p for p in found if "<!-- output" in open(p).read()]


class Runner:
    def __init__(self, bindir):
        self.bindir = os.path.abspath(bindir) if bindir else ""

    def run(self, command, expected, tmp):
        shown = command
        command = command.replace("/tmp/", tmp + "/")
        if self.bindir:
            command = command.replace("build/bin/", self.bindir + "/")
        env = dict(os.environ)
        env["OUT_DIR"] = tmp
        if self.bindir:
            env["MAMBA_TOOLS_DIR"] = self.bindir
            env["BUILD_DIR"] = os.path.dirname(self.bindir)
        proc = subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=900)
        output = proc.stdout + proc.stderr
        if proc.returncode != expected:
            raise RuntimeError("command exited %d (expected %d):\n%s\n%s" %
                               (proc.returncode, expected, shown, output))
        if self.bindir:
            output = output.replace(self.bindir + "/", "build/bin/")
        output = output.replace(tmp + "/", "/tmp/")
        return output


def update(path, runner, check):
    """Returns the list of stale commands (all of them are refreshed unless check)."""
    text = open(path).read()
    stale = []
    tmp = tempfile.mkdtemp(prefix="mamba-docs-")
    try:
        def fill(match):
            command = match.group("command")
            expected = int(match.group("exit") or 0)
            output = runner.run(command, expected, tmp)
            new = "```\n" + output + ("" if output.endswith("\n") else "\n") + "```\n"
            if new != match.group("out"):
                stale.append(command.strip())
            return match.group(1) + new + match.group(5)
        updated = BLOCK.sub(fill, text)
        markers = len(re.findall(r"^[ \t]*<!-- output\b", text, re.M))
        if markers != len(BLOCK.findall(text)):
            raise RuntimeError("an <!-- output --> marker without a ```sh block right "
                               "before it, indented, or without its <!-- /output -->")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not check and updated != text:
        with open(path, "w") as f:
            f.write(updated)
    return stale


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--bin", "--tools-dir", dest="bin", default="")
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = [os.path.abspath(f) for f in args.files] or pages()
    excluded = {os.path.abspath(os.path.join(ROOT, e)) for e in args.exclude}
    excluded |= {os.path.abspath(e) for e in args.exclude}
    runner = Runner(args.bin)
    failed = False
    for path in files:
        if path in excluded:
            continue
        name = os.path.relpath(path, ROOT)
        try:
            stale = update(path, runner, args.check)
        except RuntimeError as e:
            print("%s: %s" % (name, e), file=sys.stderr)
            failed = True
            continue
        for command in stale:
            verb = "stale output" if args.check else "updated output"
            print("%s in %s for:\n  %s" % (verb, name, command.replace("\n", "\n  ")),
                  file=sys.stderr)
        if args.check and stale:
            failed = True
    if failed and args.check:
        print("(regenerate with scripts/update-docs.sh)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
