"""Checks the distributions of the inputs nki-run --random-inputs drew
(test/Interpreter/random-inputs.test): uniform ranges exactly, normal ones by their moments."""
import math
import os
import sys

sys.path.insert(0, sys.argv[2])
from nisa_values import read_npy  # noqa: E402

directory = sys.argv[1]
# name: (low, high, how the range is written)
uniform = {"A": (-0.5, 0.0, "(-0.5, 0]"), "delta": (0.0, 0.5, "[0, 0.5)"),
           "delta_bias": (0.0, 0.5, "[0, 0.5)")}
for name in ["A", "delta", "delta_bias", "u", "B", "C", "D", "z",
             "initial_state"]:
    v = read_npy(os.path.join(directory, name + ".npy"))
    n = len(v)
    if name in uniform:
        lo, hi, text = uniform[name]
        # Within the range (its ends as float32 may round onto it), and
        # spread over most of it.
        ok = all(lo <= x <= hi for x in v) and max(v) - min(v) > 0.9 * (hi - lo)
        print("%s %s: %d in %s" % ("PASS" if ok else "FAIL", name, n, text))
    else:
        mean = sum(v) / n
        var = sum((x - mean) ** 2 for x in v) / n
        # Five standard errors either way.
        ok = (abs(mean) < 5 / math.sqrt(n) and
              abs(var - 1) < 5 * math.sqrt(2 / n) and min(v) < 0 < max(v))
        print("%s %s: %d normal (mean %.3f, variance %.3f)" %
              ("PASS" if ok else "FAIL", name, n, mean, var))
