"""What scripts/nki-equiv.py and scripts/nki-emission-check.py share: running
the tools, and reading a .nisa file's tensor declarations.

Imported as `nki_common`: Python puts a script's own directory first on
sys.path when it runs the script by its path, which is how the tests
(test/lit.cfg.py's %equiv, the RUN lines) and the docs run them.
"""

import os
import shlex
import subprocess
import sys


def run(cmd, what, prog, show_stdout=False):
    """`cmd`'s standard output; on a non-zero exit, its standard error (and
    with `show_stdout` its standard output) and "PROG: WHAT failed (exit N):
    CMD", exit 1."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        if show_stdout:
            sys.stderr.write(proc.stdout)
        sys.exit(f"{prog}: {what} failed (exit {proc.returncode}): "
                 f"{' '.join(shlex.quote(c) for c in cmd)}")
    return proc.stdout


def tensors(nisa_path):
    """(name, role) of every tensor the .nisa header declares."""
    found = []
    with open(nisa_path) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "instructions":
                break
            if parts and parts[0] == "tensor":
                found.append((parts[1].strip('"'), parts[2]))
    return found


def tool_path(tools_dir, name):
    """`name` in `tools_dir`, or `name` (looked up on PATH) without one."""
    return os.path.join(tools_dir, name) if tools_dir else name
