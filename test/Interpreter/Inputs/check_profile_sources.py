"""Checks nki-run's profile JSON against its .nisa stream and parameters,
independently of nki-run: the schema version and target, model_params
against `--print-model-params` output, and the instruction counts of
by_activity and by_source against counts made here from the stream's text
(queue, opcode or DMA kind, loc, and the loop names of the ctx line);
the busy times of each queue's rows add up to the queue's busy time.

    check_profile_sources.py PROFILE.json STREAM.nisa PARAMS.txt
"""
import collections
import json
import re
import sys

profile = json.load(open(sys.argv[1]))
print("schema_version", profile["schema_version"], "target", profile["target"])
params = {}
for line in open(sys.argv[3]):
    name, value = [x.strip() for x in line.split("=")]
    params[name] = float(value)
assert profile["model_params"] == params, (profile["model_params"], params)
print("model_params: %d, as --print-model-params" % len(params))

loops = {}
activity = collections.Counter()
source = collections.Counter()
for line in open(sys.argv[2]):
    if line.startswith("ctx "):
        f = line.split()
        loops[f[1]] = "/".join(x.split("=")[0] for x in f[2:])
        continue
    m = re.match(r"\d+ (\S+) (\S+) (.*)", line)
    if not m:
        continue
    queue, opcode, rest = m.groups()
    if opcode == "dma":
        dst = re.search(r"dst=(\S+)", rest).group(1)
        on_chip = dst.startswith(("sbuf", "psum"))
        if queue == "qSyncSpillReload0":
            opcode = "spill_reload" if on_chip else "spill_save"
        else:
            opcode = "load" if on_chip else "store"
    ctx = re.search(r" ctx=(\d+)", rest)
    loc = re.search(r' loc="([^"]*)"', rest)
    activity[(queue, opcode)] += 1
    source[(queue, opcode, loc.group(1) if loc else "",
            loops[ctx.group(1)] if ctx else "")] += 1

got_activity = {(r["queue"], r["activity"]): r["instructions"] for r in profile["by_activity"]}
got_source = {(r["queue"], r["activity"], r["source"], r["loops"]): r["instructions"]
              for r in profile["by_source"]}
assert got_activity == dict(activity), (got_activity, activity)
assert got_source == dict(source), (got_source, source)
print("by_activity: %d rows, by_source: %d rows, counts as in the stream"
      % (len(got_activity), len(got_source)))

busy = {q: profile["engine_active_pct"][q] * profile["total_us"] / 100
        for q in profile["engine_active_pct"]}
for key in ("by_activity", "by_source"):
    sums = collections.defaultdict(float)
    pct = collections.defaultdict(float)
    for r in profile[key]:
        sums[r["queue"]] += r["busy_us"]
        pct[r["queue"]] += r["pct_of_queue_busy"]
    for q in busy:
        assert abs(sums[q] - busy[q]) <= 1e-3 * max(1, busy[q]) + 0.01 * len(profile[key]), (key, q, sums[q], busy[q])
        assert abs(pct[q] - 100) < 0.01 * len(profile[key]), (key, q, pct[q])
print("busy times add up to each queue's")
