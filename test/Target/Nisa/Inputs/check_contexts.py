"""Checks a .nisa stream's loop contexts without the project's parser:
every instruction line names a context (ctx=N) declared on an earlier
`ctx N ...` line, contexts are declared once each, numbered from 1 in
order, and each is used by the first instruction after its line.

    check_contexts.py FILE
"""
import re
import sys

declared = 0
instructions = 0
pending = None  # a context declared and not yet used
for number, line in enumerate(open(sys.argv[1]), 1):
    if line.startswith("ctx "):
        fields = line.split()
        n = int(fields[1])
        if n != declared + 1:
            sys.exit("line %d: context %d after %d" % (number, n, declared))
        if pending is not None:
            sys.exit("line %d: context %d was never used" % (number, pending))
        if len(fields) < 3 or not all(re.fullmatch(r"[A-Za-z_][\w.]*=\d+", f) for f in fields[2:]):
            sys.exit("line %d: malformed context" % number)
        declared = n
        pending = n
        continue
    if not re.match(r"\d+ ", line):
        continue
    instructions += 1
    m = re.search(r" ctx=(\d+)", line)
    if not m:
        sys.exit("line %d: an instruction without a context" % number)
    ctx = int(m.group(1))
    if ctx > declared:
        sys.exit("line %d: ctx=%d is not declared" % (number, ctx))
    if pending is not None and ctx != pending:
        sys.exit("line %d: context %d is not used first here" % (number, pending))
    pending = None
print("%d instructions in %d contexts; every context declared once, in order, before use"
      % (instructions, declared))
