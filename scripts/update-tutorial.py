#!/usr/bin/env python3
"""Runs the commands of docs/tutorial.md and writes their outputs after them.

A ```sh block followed by <!-- output --> ... <!-- /output --> gets the block's
output (stdout and stderr) between the markers, in a ``` fence. With --check,
fails (naming the command) when a command fails or an output differs.

    scripts/update-tutorial.py [--check] [--bin DIR] [FILE]

--bin replaces build/bin/ in the commands (the tests run another build).
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(```sh\n(.*?)```\n<!-- output -->\n)(.*?)(<!-- /output -->)", re.S)


def run(command, bindir):
    if bindir:
        command = command.replace("build/bin/", bindir.rstrip("/") + "/")
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError("command failed (exit %d):\n%s\n%s" %
                           (proc.returncode, command, proc.stdout + proc.stderr))
    return proc.stdout + proc.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--bin", default="")
    parser.add_argument("file", nargs="?",
                        default=os.path.join(ROOT, "docs", "tutorial.md"))
    args = parser.parse_args()
    text = open(args.file).read()
    stale = []

    def fill(match):
        output = run(match.group(2), args.bin)
        new = "```\n" + output + ("" if output.endswith("\n") else "\n") + "```\n"
        if new != match.group(3):
            stale.append(match.group(2).strip())
        return match.group(1) + new + match.group(4)

    try:
        updated = BLOCK.sub(fill, text)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    if args.check:
        for command in stale:
            print("stale output in %s for:\n  %s\n(run scripts/update-tutorial.py)" %
                  (args.file, command), file=sys.stderr)
        return 1 if stale else 0
    with open(args.file, "w") as f:
        f.write(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
