"""Checks an nki-run --trace file as Chrome trace-event JSON (python's json
module parses it) against its .nisa stream: one slice per instruction,
named by opcode or DMA kind (load, store, spill_save, spill_reload, read
from the stream's text here), with its loop context; no two slices of one
row overlap; every stalled semaphore wait has a flow arrow from the slice
of the instruction that released it (the awaited queue's instruction of
that semaphore value) to the waiting slice; counter tracks for SBUF and
PSUM occupancy and DMA bandwidth.

    check_trace.py TRACE.json STREAM.nisa
"""
import collections
import json
import re
import sys

events = json.load(open(sys.argv[1]))["traceEvents"]
names = {}     # instruction id -> expected slice name
contexts = {}  # ctx id -> "a=1 b=2"
ctx_of = {}
waits = {}
queue_of = {}
by_queue = collections.defaultdict(list)
for line in open(sys.argv[2]):
    if line.startswith("ctx "):
        f = line.split()
        contexts[f[1]] = " ".join(f[2:])
        continue
    m = re.match(r"(\d+) (\S+) (\S+) (.*)", line)
    if not m:
        continue
    i, queue, opcode, rest = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    if opcode == "dma":
        on_chip = re.search(r"dst=(\S+)", rest).group(1).startswith(("sbuf", "psum"))
        if queue == "qSyncSpillReload0":
            opcode = "spill_reload" if on_chip else "spill_save"
        else:
            opcode = "load" if on_chip else "store"
    names[i] = opcode
    queue_of[i] = queue
    by_queue[queue].append(i)
    c = re.search(r" ctx=(\d+)", rest)
    ctx_of[i] = contexts[c.group(1)] if c else None
    w = re.search(r" wait=(\S+)", rest)
    waits[i] = dict((q, int(v)) for q, v in (x.split(":") for x in w.group(1).split(","))) if w else {}

rows = {e["tid"]: e["args"]["name"] for e in events if e.get("name") == "thread_name"}
slices = {e["args"]["id"]: e for e in events if e["ph"] == "X"}
assert sorted(slices) == sorted(names), "one slice per instruction"
for i, e in slices.items():
    assert e["name"] == names[i], (i, e["name"], names[i])
    assert rows[e["tid"]] == queue_of[i]
    assert e["args"].get("ctx") == ctx_of[i], (i, e["args"].get("ctx"), ctx_of[i])
print("slices", len(slices), "names", ",".join(sorted(set(names.values()))))

ns = lambda t: round(t * 1000)
overlaps = 0
per_row = collections.defaultdict(list)
for e in slices.values():
    per_row[e["tid"]].append((ns(e["ts"]), ns(e["ts"]) + ns(e["dur"])))
for r in per_row.values():
    r.sort()
    overlaps += sum(1 for a, b in zip(r, r[1:]) if b[0] < a[1])
print("overlapping slices on one row:", overlaps)

starts = {e["id"]: e for e in events if e["ph"] == "s"}
finishes = {e["id"]: e for e in events if e["ph"] == "f"}
assert sorted(starts) == sorted(finishes)
arrows = {}
for fid, f in finishes.items():
    s = starts[fid]
    waiting = [i for i, e in slices.items() if e["tid"] == f["tid"] and ns(e["ts"]) == ns(f["ts"])]
    releasing = [i for i, e in slices.items() if e["tid"] == s["tid"]
                 and ns(e["ts"]) <= ns(s["ts"]) <= ns(e["ts"]) + ns(e["dur"])]
    arrows[waiting[0]] = releasing
stalled = [i for i, e in slices.items()
           if "stalled_on" in e["args"] and not e["args"]["stalled_on"].startswith("port")]
for i in stalled:
    q = slices[i]["args"]["stalled_on"]
    released_by = by_queue[q][waits[i][q] - 1]
    assert released_by in arrows.get(i, []), (i, q, released_by, arrows.get(i))
    assert slices[i]["args"]["released_by"] == released_by
print("stalled semaphore waits:", len(stalled), "flow arrows:", len(finishes),
      "each from the releasing instruction")
assert len(stalled) == len(finishes)

counters = collections.Counter(e["name"] for e in events if e["ph"] == "C")
print("counters:", ", ".join("%s" % k for k in sorted(counters)))
peak = max(e["args"]["bytes per partition"] for e in events
           if e["ph"] == "C" and e["name"] == "SBUF occupancy")
# (Above the allocator's peak, which is over program order, when loads run
# ahead in time; never above the partition.)
target = next(l.split()[1] for l in open(sys.argv[2]) if l.startswith("target "))
assert 0 < peak <= {"trn1": 196608, "trn2": 229376}[target], peak
print("SBUF occupancy peak within the partition")
