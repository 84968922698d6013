#!/usr/bin/env python3
"""Runs the commands of README.md's "Using it" block in a scratch copy of the
repository root and fails unless each succeeds and every file they write is
under build/.

  readme_commands.py SRC_ROOT TOOLS_DIR SCRATCH

SCRATCH gets examples/, scripts/ and test/ as links to SRC_ROOT's and
build/bin as a link to TOOLS_DIR (the build under test); the commands run
there, from the top, as a user would from the repository root."""

import os
import re
import shutil
import subprocess
import sys


def block(readme):
    text = open(readme).read()
    section = text.split("## Using it", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    return [line for line in match.group(1).splitlines() if line.strip()]


def files_under(root):
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        # The links' targets are not ours to list.
        dirnames[:] = [d for d in dirnames
                       if not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                found.add(os.path.relpath(path, root))
    return found


def main():
    src, tools, scratch = sys.argv[1:4]
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(os.path.join(scratch, "build"))
    for name in ("examples", "scripts", "test"):
        os.symlink(os.path.join(src, name), os.path.join(scratch, name))
    os.symlink(tools, os.path.join(scratch, "build", "bin"))
    commands = block(os.path.join(src, "README.md"))
    if len(commands) < 5:
        sys.exit("README.md's 'Using it' block has %d commands" % len(commands))
    for command in commands:
        run = subprocess.run(["bash", "-o", "pipefail", "-c", command],
                             cwd=scratch, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit("failed (exit %d): %s\n%s" % (run.returncode, command,
                                                   run.stderr))
        print("ok:", command)
    written = files_under(scratch)
    outside = sorted(f for f in written if not f.startswith("build" + os.sep))
    if outside:
        sys.exit("written outside build/: " + ", ".join(outside))
    for name in sorted(written):
        print("wrote:", name)


main()
