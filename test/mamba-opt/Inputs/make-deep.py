#!/usr/bin/env python3
"""Deep but well-formed MLIR for the nesting tests (test/mamba-opt/nesting.test).

  make-deep.py loops N       N nested scf.for in a func (N + 1 braces deep)
  make-deep.py arrays N      an attribute [[...[1]...]] N brackets deep, in a
                             func's attribute dict (N + 1 deep)
  make-deep.py quoted N      N + 1 braces deep, plus 5000 '{' in a string and
                             in a comment (neither counts)
  make-deep.py aliases N     #a1 = [#a0], ..., #aN = [#aN-1]: nesting no
                             bracket shows (the printer recurses per level)
  make-deep.py sum N         an affine map of N terms (the parser recurses
                             per term)
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
out = []
if kind in ("loops", "quoted"):
    if kind == "quoted":
        out += ['func.func private @g() attributes {s = "' + "{" * 5000 + '"}',
                "// " + "{" * 5000]
    out += ["func.func @f() {",
            "  %c0 = arith.constant 0 : index",
            "  %c1 = arith.constant 1 : index"]
    out += ["scf.for %%i%d = %%c0 to %%c1 step %%c1 {" % i for i in range(n)]
    out += ["}"] * n
    out += ["  return", "}"]
elif kind == "arrays":
    out += ["func.func @f() attributes {x = " + "[" * n + "1" + "]" * n + "} {",
            "  return", "}"]
elif kind == "aliases":
    out += ["#a0 = [1]"]
    out += ["#a%d = [#a%d]" % (i, i - 1) for i in range(1, n + 1)]
    out += ["func.func @f() attributes {x = #a%d} {" % n, "  return", "}"]
elif kind == "sum":
    out += ["func.func @f(%a: memref<4xf32, affine_map<(d0) -> (" +
            " + ".join(["d0"] * n) + ")>>) {", "  return", "}"]
else:
    sys.exit("unknown kind " + kind)
print("\n".join(out))
