# calibration.test's check: for each (profile JSON, measured us, measured
# VectorE active %), the model's figures and whether they are in bounds.
import json, os, sys

args = sys.argv[1:]
for i in range(0, len(args), 3):
    p = json.load(open(args[i]))
    name = os.path.basename(args[i])[:-5]
    measured, active = float(args[i + 1]), float(args[i + 2])
    t = p["total_us"]
    a = p["engine_active_pct_of_execution"]["dve"]
    lat = "ok" if abs(t - measured) <= 0.15 * measured else "OUT OF BOUNDS"
    dve = "ok" if abs(a - active) <= 8 else "OUT OF BOUNDS"
    print("%s latency %.1f us (%.2f) VectorE %.1f%% (%.2f): latency %s, VectorE %s"
          % (name, t, measured, a, active, lat, dve))
