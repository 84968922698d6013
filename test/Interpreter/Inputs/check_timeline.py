"""Checks nki-run --timeline pictures (parsed with xml.etree) against the
trace of the same run and the stream: the zoomed picture has the same rows
as the full one; the title states the window and how many instructions
run in it (counted here from the trace's slices); every bar has a <title>
naming an instruction of its row with the loop context of its ctx line;
every wait tick names an instruction that the trace says stalled on a
semaphore, at its start.

    check_timeline.py FULL.svg ZOOM.svg FROM_US TO_US TRACE.json STREAM.nisa
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

NS = {"s": "http://www.w3.org/2000/svg"}
full, zoom = (ET.parse(f).getroot() for f in sys.argv[1:3])
lo, hi = float(sys.argv[3]) * 1000, float(sys.argv[4]) * 1000
trace = json.load(open(sys.argv[5]))["traceEvents"]
rows = {e["tid"]: e["args"]["name"] for e in trace if e.get("name") == "thread_name"}
slices = {e["args"]["id"]: e for e in trace if e["ph"] == "X"}
contexts, ctx_of = {}, {}
for line in open(sys.argv[6]):
    if line.startswith("ctx "):
        f = line.split()
        contexts[f[1]] = " ".join(f[2:])
    m = re.match(r"(\d+) \S+ \S+ .* ctx=(\d+)", line)
    if m:
        ctx_of[int(m.group(1))] = contexts[m.group(2)]


def labels(svg):
    texts = [t.text for t in svg.findall("s:text", NS)]
    return [t for t in texts if t and (t.endswith(")") and "E (" in t or t.startswith("qSync"))]


assert labels(full) == labels(zoom), (labels(full), labels(zoom))
print("rows:", ", ".join(labels(zoom)))
ns = lambda t: t * 1000
inside = [i for i, e in slices.items()
          if (ns(e["ts"]) < hi and ns(e["ts"]) + ns(e["dur"]) > lo) or lo <= ns(e["ts"]) < hi]
title = zoom.find("s:text", NS).text
want = "%.1f to %.1f us, %d of the stream's %d instructions in this window" % (
    lo / 1000, hi / 1000, len(inside), len(slices))
assert title.endswith(want), (title, want)
print("title:", title)

bars = ticks = 0
for rect in zoom.iter("{http://www.w3.org/2000/svg}rect"):
    t = rect.find("s:title", NS)
    if t is None:
        continue
    text = t.text or ""
    wait = text.startswith("wait: ")
    m = re.search(r"(?:^|; longest: |^wait: )(\d+) (\S+) (\S+)", text)
    assert m, text
    i = int(m.group(1))
    assert rows[slices[i]["tid"]] == m.group(2), text
    assert "[" + ctx_of[i] + "]" in text, (text, ctx_of[i])
    if wait:
        ticks += 1
        assert not slices[i]["args"]["stalled_on"].startswith("port"), text
        assert "waited" in text
    else:
        bars += 1
print("bars with titles:", bars > 0, "wait ticks:", ticks > 0)
