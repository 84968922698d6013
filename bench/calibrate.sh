#!/usr/bin/env bash
# Timing-model calibration against the Fused Mamba tutorial's measurements
# (docs/hardware.md §5), and the tutorial's findings, from one parameter set:
#   1. predicted vs measured latency, and VectorE active % of the execution
#      period, for the three kernels the parameters are calibrated on;
#   2. v1 at 4096 channels reloads delta/u, v2 does not (DMA bytes);
#   3. at seq_len 8192 (4096 channels) v2 spills and VectorE stalls on the
#      spill queue; v3 does not spill (with the tutorial's measurements,
#      which the calibration does not use);
#   4. a seq_len sweep for v2 and v3 with scaling efficiency
#      latency(512) * (L / 512) / latency(L), beside the tutorial's measured
#      latencies (not used by the calibration either), also drawn as an SVG
#      plot ($PLOT, default $OUT_DIR/sweep.svg; OUT_DIR defaults to
#      $BUILD_DIR/out).
# Uses nki-run --no-compute (the timing model alone). Extra arguments go to
# nki-run (e.g. --model-params FILE). SECTIONS="1 3" runs only those.
# The tools: $MAMBA_TOOLS_DIR, default $BUILD_DIR/bin (BUILD_DIR: build).
source "$(dirname "$0")/lib.sh"
SECTIONS=${SECTIONS:-"1 2 3 4"}
SWEEP=${SWEEP:-"512 1024 2048 4096 8192"}
SWEEP_CHANNELS=${SWEEP_CHANNELS:-4096}
bench_work

# stream VERSION BATCH SEQ CHANNELS STATE -> path of the .nisa
stream() {
  local f="$work/$1_$2_$3_$4_$5.nisa"
  if [ ! -f "$f" ]; then
    # mamba-opt's remarks (a transformation declining at this shape) go to
    # a file, shown only if it fails.
    python3 scripts/make-kernel.py --batch "$2" --seq-len "$3" --channels "$4" \
      --state "$5" | "$BIN/mamba-opt" --mamba-"$1" 2>"$f.opt.txt" \
      | "$BIN/mamba-translate" --nki-to-nisa -o "$f" \
      || { cat "$f.opt.txt" >&2; return 1; }
  fi
  echo "$f"
}
# json FILE KEY -> a number from the profile JSON
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
extra=("$@")
profile() { "$BIN/nki-run" "$1" --no-compute --quiet --profile-json "$2" ${extra[@]+"${extra[@]}"}; }
section() { [[ " $SECTIONS " == *" $1 "* ]]; }

# The tutorial's measurements (docs/hardware.md §5).
# Calibration points: kernel, b, L, c, n, latency in us, VectorE active %
# of the execution period.
CALIBRATION=("v1 1 512 256 16 172.93 98.71" "v1 1 512 4096 16 2340 92.16"
  "v2 1 512 4096 16 1610 99.63")
# Held out: at (1, 8192, 4096, 16), latency in us and VectorE active %.
declare -A HELD_OUT=([v2]="53330 58.93" [v3]="27800 94.85")
# Held out: the seq_len sweep at 4096 channels, ms with one decimal.
declare -A SWEEP_V2=([512]=1.6 [1024]=4.4 [2048]=8.9 [3072]=13.1 [4096]=17.6
  [5120]=23.7 [6144]=27.5 [7168]=41.3 [8192]=52.2)
declare -A SWEEP_V3=([512]=1.6 [1024]=3.3 [2048]=6.6 [3072]=10.1 [4096]=13.3
  [5120]=17.3 [6144]=19.6 [7168]=24.2 [8192]=27.8)

sep=""
if section 1; then
  echo "== 1. Predicted vs measured: the calibration points (one parameter set)"
  printf '%-4s %-20s %14s %14s %8s %10s %10s %7s\n' kern "(b, L, c, n)" "predicted us" \
    "measured us" error "VectorE %" "measured" points
  for spec in "${CALIBRATION[@]}"; do
    read -r k b l c n measured active <<<"$spec"
    profile "$(stream "$k" "$b" "$l" "$c" "$n")" "$work/p.json"
    python3 - "$work/p.json" "$k" "($b, $l, $c, $n)" "$measured" "$active" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
t, m = p["total_us"], float(sys.argv[4])
a, ma = p["engine_active_pct_of_execution"]["dve"], float(sys.argv[5])
print("%-4s %-20s %14.2f %14.2f %+7.1f%% %9.2f%% %9.2f%% %+7.1f" % (
    sys.argv[2], sys.argv[3], t, m, 100 * (t - m) / m, a, ma, a - ma))
PY
  done
  echo "(VectorE %: active % of the execution period, as neuron-profile's; bounds: latency +-15%, VectorE +-8 points)"
  sep=1
fi

if section 2; then
  [ -n "$sep" ] && echo
  echo "== 2. Reloads at 4096 channels (seq_len 512): kernel DMA bytes"
  for v in v1 v2; do
    profile "$(stream $v 1 512 4096 16)" "$work/p.json"
    printf '%-4s dma_bytes %12s\n' $v "$(json "$work/p.json" dma_bytes)"
  done
  sep=1
fi

if section 3; then
  [ -n "$sep" ] && echo
  echo "== 3. seq_len 8192, 4096 channels: spills and what VectorE waits on"
  for v in v2 v3; do
    profile "$(stream $v 1 8192 4096 16)" "$work/p.json"
    python3 - "$work/p.json" "$v" ${HELD_OUT[$v]} <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
dve = [s for s in p["top_stalls"] if s["queue"] == "dve"]
top = ", ".join("%s %.0f us" % (s["waits_on"], s["us"]) for s in dve[:2]) or "none"
line = "%-4s total %9.0f us  spill save %11d B  reload %11d B  VectorE active %5.1f%%" % (
    sys.argv[2], p["total_us"], p["spill_save_bytes"], p["spill_reload_bytes"],
    p["engine_active_pct_of_execution"]["dve"])
print(line + "  VectorE stalls: " + top)
measured, active = float(sys.argv[3]), float(sys.argv[4])
head = "     measured %5.0f us (model %+.1f%%)" % (measured, 100 * (p["total_us"] - measured) / measured)
print(head.ljust(line.index("VectorE active")) + "VectorE active %5.2f%%" % active)
PY
  done
  sep=1
fi

if section 4; then
  [ -n "$sep" ] && echo
  echo "== 4. seq_len sweep at $SWEEP_CHANNELS channels: latency and scaling efficiency"
  printf '%8s %12s %8s %10s %12s %8s %10s\n' seq_len "v2 us" "v2 eff" "v2 meas" \
    "v3 us" "v3 eff" "v3 meas"
  base2=""; base3=""; points=()
  first=${SWEEP%% *}
  for l in $SWEEP; do
    profile "$(stream v2 1 "$l" "$SWEEP_CHANNELS" 16)" "$work/p2.json"
    profile "$(stream v3 1 "$l" "$SWEEP_CHANNELS" 16)" "$work/p3.json"
    t2=$(json "$work/p2.json" total_us); t3=$(json "$work/p3.json" total_us)
    [ -z "$base2" ] && base2=$t2 && base3=$t3
    m2=-; m3=-
    if [ "$SWEEP_CHANNELS" = 4096 ] && [ -n "${SWEEP_V2[$l]:-}" ]; then
      m2=$(awk -v m="${SWEEP_V2[$l]}" 'BEGIN { printf "%.0f", m * 1000 }')
      m3=$(awk -v m="${SWEEP_V3[$l]}" 'BEGIN { printf "%.0f", m * 1000 }')
    fi
    awk -v l="$l" -v f="$first" -v t2="$t2" -v t3="$t3" -v b2="$base2" -v b3="$base3" \
        -v m2="$m2" -v m3="$m3" 'BEGIN {
      printf "%8d %12.1f %8.2f %10s %12.1f %8.2f %10s\n", l, t2, b2 * (l / f) / t2, m2,
        t3, b3 * (l / f) / t3, m3 }'
    points+=("$l $t2 $t3")
  done
  echo "(meas: the tutorial's measured latency, to 0.1 ms; not used by the calibration)"
  PLOT=${PLOT:-${OUT_DIR:-$BUILD_DIR/out}/sweep.svg}
  mkdir -p "$(dirname "$PLOT")"
  python3 bench/plot_sweep.py "$PLOT" "${points[@]}"
  echo "plot: $PLOT"
fi
