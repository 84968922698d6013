"""References for the nki-dialect example kernels (examples/nki_*.mlir),
computed here independently of nki-run from the inputs it saved
(--save-inputs) and compared with its output bit for bit
(test/examples-nki.test):

  nki_examples.py matmul DIR       w, x, out .npy files in DIR
  nki_examples.py elementwise DIR  x, y, out

fp32 arithmetic: every operation's exact (double) result rounded to fp32,
a vector at a time (array('f') rounds each element to nearest).
"""
import os
import sys
from array import array

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nisa_values import check, read_npy  # noqa: E402


def rows(values, n):
    return [values[i:i + n] for i in range(0, len(values), n)]


def matmul(d):
    # out[m, n] = sum over k of w[k, m] * x[k, n]: per 128-row tile of K,
    # the products summed in order from the first (TensorE), then added to
    # what the PSUM tile held (accumulate; it starts at 0).
    K, M, N, TILE = 256, 64, 512, 128
    w = rows(read_npy(os.path.join(d, "w.npy")), M)
    x = rows(read_npy(os.path.join(d, "x.npy")), N)
    out = []
    for m in range(M):
        acc = array("f", [0.0] * N)
        for k0 in range(0, K, TILE):
            s = None
            for k in range(k0, k0 + TILE):
                a = w[k][m]
                p = array("f", [a * v for v in x[k]])
                s = p if s is None else array("f", [u + v for u, v in zip(s, p)])
            acc = array("f", [u + v for u, v in zip(acc, s)])
        out.extend(acc)
    check("matmul", read_npy(os.path.join(d, "out.npy")), out)


def elementwise(d):
    # out = max(x * 2 + 1, 0) * y, each operation rounded to fp32.
    x = read_npy(os.path.join(d, "x.npy"))
    y = read_npy(os.path.join(d, "y.npy"))
    scaled = array("f", [v * 2.0 for v in x])
    affine = array("f", [v + 1.0 for v in scaled])
    relu = [0.0 if v < 0.0 else v for v in affine]
    out = array("f", [u * v for u, v in zip(relu, y)])
    check("elementwise", read_npy(os.path.join(d, "out.npy")), list(out))


{"matmul": matmul, "elementwise": elementwise}[sys.argv[1]](sys.argv[2])
