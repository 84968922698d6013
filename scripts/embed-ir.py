#!/usr/bin/env python3
"""Embeds IR listings into markdown between marker comments, or checks them.

    scripts/embed-ir.py [--check] docs/lowering.md ...

A block `<!-- BEGIN path -->` ... `<!-- END path -->` gets the contents of
`path` (relative to the repository root) in an ```mlir fence. With --check,
exits 1 and names the stale blocks instead of writing.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(<!-- BEGIN (\S+) -->\n)(.*?)(<!-- END \2 -->)", re.S)


def render(text):
    def fill(match):
        with open(os.path.join(ROOT, match.group(2))) as f:
            body = f.read()
        return f"{match.group(1)}```mlir\n{body}```\n{match.group(4)}"
    return BLOCK.sub(fill, text)


def main():
    args = sys.argv[1:]
    check = "--check" in args
    files = [a for a in args if a != "--check"]
    stale = []
    for path in files:
        with open(path) as f:
            text = f.read()
        new = render(text)
        if new != text:
            if check:
                stale.append(path)
            else:
                with open(path, "w") as f:
                    f.write(new)
    if stale:
        print("stale IR listings in: " + ", ".join(stale) +
              " (run scripts/update-docs.sh)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
