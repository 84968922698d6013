#!/usr/bin/env python3
"""SVG plot of a seq_len sweep: latency and scaling efficiency vs seq_len.

    plot_sweep.py OUT.svg "L t2 t3" "L t2 t3" ...

Each argument is one seq_len with the v2 and v3 latencies in microseconds.
Efficiency is latency(first) * (L / first) / latency(L). No dependencies.
"""
import math
import sys


def main():
    out, rows = sys.argv[1], [list(map(float, a.split())) for a in sys.argv[2:]]
    if not rows:
        sys.exit("plot_sweep.py: no data")
    ls = [r[0] for r in rows]
    series = {"v2": [r[1] for r in rows], "v3": [r[2] for r in rows]}
    colors = {"v2": "#e45756", "v3": "#4c78a8"}
    eff = {k: [v[0] * (l / ls[0]) / t for l, t in zip(ls, v)] for k, v in series.items()}
    W, H, m = 1000, 420, dict(l=80, r=20, t=50, b=60)
    pw = (W - 3 * m["l"]) / 2
    ph = H - m["t"] - m["b"]
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           'font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>']

    def x_of(l, x0):
        lo, hi = math.log2(ls[0]), math.log2(ls[-1])
        return x0 + (math.log2(l) - lo) / max(hi - lo, 1e-9) * pw

    def panel(x0, title, ylabel, data, ymin, ymax, log):
        def y_of(v):
            if log:
                f = (math.log10(v) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin))
            else:
                f = (v - ymin) / (ymax - ymin)
            return m["t"] + ph - f * ph
        svg.append(f'<text x="{x0 + pw / 2}" y="30" text-anchor="middle" font-size="15">{title}</text>')
        svg.append(f'<rect x="{x0}" y="{m["t"]}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
        for l in ls:
            x = x_of(l, x0)
            svg.append(f'<line x1="{x}" y1="{m["t"] + ph}" x2="{x}" y2="{m["t"] + ph + 5}" stroke="black"/>')
            svg.append(f'<text x="{x}" y="{m["t"] + ph + 18}" text-anchor="middle">{int(l)}</text>')
        svg.append(f'<text x="{x0 + pw / 2}" y="{H - 15}" text-anchor="middle">seq_len</text>')
        ticks = ([10 ** e for e in range(math.floor(math.log10(ymin)), math.ceil(math.log10(ymax)) + 1)]
                 if log else [ymin + i * (ymax - ymin) / 5 for i in range(6)])
        for v in ticks:
            if ymin <= v <= ymax:
                y = y_of(v)
                svg.append(f'<line x1="{x0 - 5}" y1="{y}" x2="{x0 + pw}" y2="{y}" stroke="#e5e5e5"/>')
                svg.append(f'<text x="{x0 - 8}" y="{y + 4}" text-anchor="end">{v:g}</text>')
        svg.append(f'<text transform="translate({x0 - 60},{m["t"] + ph / 2}) rotate(-90)" '
                   f'text-anchor="middle">{ylabel}</text>')
        for k, vals in data.items():
            pts = " ".join(f"{x_of(l, x0):.1f},{y_of(v):.1f}" for l, v in zip(ls, vals))
            svg.append(f'<polyline points="{pts}" fill="none" stroke="{colors[k]}" stroke-width="2.5"/>')
            for l, v in zip(ls, vals):
                svg.append(f'<circle cx="{x_of(l, x0):.1f}" cy="{y_of(v):.1f}" r="4" fill="{colors[k]}"/>')
        for i, k in enumerate(data):
            ly = m["t"] + 14 + 18 * i
            svg.append(f'<rect x="{x0 + 12}" y="{ly - 10}" width="14" height="4" fill="{colors[k]}"/>')
            svg.append(f'<text x="{x0 + 32}" y="{ly - 4}">{k}</text>')

    lat = [v for vals in series.values() for v in vals]
    panel(m["l"], "Predicted latency", "latency (us, log scale)", series,
          10 ** math.floor(math.log10(min(lat))), 10 ** math.ceil(math.log10(max(lat))), True)
    panel(2 * m["l"] + pw + 20, "Scaling efficiency", "latency(first) x (L/first) / latency(L)",
          eff, 0.0, 1.2, False)
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
