#!/usr/bin/env bash
# Timing-model calibration against the Fused Mamba tutorial (FACTS.md §5), and
# the tutorial's qualitative findings, from one set of parameters:
#   1. predicted vs measured latency for the three measured kernels;
#   2. v1 at 4096 channels reloads delta/u, v2 does not (DMA bytes);
#   3. at seq_len 8192 (4096 channels) v2 spills and VectorE stalls on the
#      spill queue; v3 does not spill;
#   4. a seq_len sweep for v2 and v3 with scaling efficiency
#      latency(512) * (L / 512) / latency(L), also drawn as an SVG plot
#      ($PLOT, default build/out/sweep.svg).
# Uses nki-run --no-compute (the timing model alone). Extra arguments go to
# nki-run (e.g. --model-params FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
SWEEP=${SWEEP:-"512 1024 2048 4096 8192"}
SWEEP_CHANNELS=${SWEEP_CHANNELS:-4096}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# stream VERSION BATCH SEQ CHANNELS STATE -> path of the .nisa
stream() {
  local f="$work/$1_$2_$3_$4_$5.nisa"
  if [ ! -f "$f" ]; then
    python3 scripts/make-kernel.py --batch "$2" --seq-len "$3" --channels "$4" \
      --state "$5" | "$BUILD_DIR/bin/mamba-opt" --mamba-"$1" \
      | "$BUILD_DIR/bin/mamba-translate" --nki-to-nisa -o "$f"
  fi
  echo "$f"
}
# json FILE KEY -> a number from the profile JSON
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
profile() { "$BUILD_DIR/bin/nki-run" "$1" --no-compute --quiet --profile-json "$2" "${@:3}"; }

echo "== 1. Predicted vs measured (FACTS.md §5, one parameter set)"
printf '%-4s %-20s %14s %14s %8s\n' kern "(b, L, c, n)" "predicted us" "measured us" error
worst=0
for spec in "v1 1 512 256 16 172.93" "v1 1 512 4096 16 2340" "v2 1 512 4096 16 1610"; do
  set -- $spec
  f=$(stream "$1" "$2" "$3" "$4" "$5")
  profile "$f" "$work/p.json" "${@:7}"
  predicted=$(json "$work/p.json" total_us)
  awk -v k="$1" -v s="($2, $3, $4, $5)" -v p="$predicted" -v m="$6" 'BEGIN {
    printf "%-4s %-20s %14.2f %14.2f %+7.1f%%\n", k, s, p, m, 100 * (p - m) / m }'
done

echo
echo "== 2. Reloads at 4096 channels (seq_len 512): kernel DMA bytes"
for v in v1 v2; do
  profile "$(stream $v 1 512 4096 16)" "$work/p.json"
  printf '%-4s dma_bytes %12s\n' $v "$(json "$work/p.json" dma_bytes)"
done

echo
echo "== 3. seq_len 8192, 4096 channels: spills and what VectorE waits on"
for v in v2 v3; do
  profile "$(stream $v 1 8192 4096 16)" "$work/p.json"
  python3 - "$work/p.json" "$v" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
dve = [s for s in p["top_stalls"] if s["queue"] == "dve"]
top = ", ".join("%s %.0f us" % (s["waits_on"], s["us"]) for s in dve[:2]) or "none"
print("%-4s total %9.0f us  spill save %11d B  reload %11d B  VectorE active %5.1f%%  VectorE stalls: %s" % (
    sys.argv[2], p["total_us"], p["spill_save_bytes"], p["spill_reload_bytes"],
    p["engine_active_pct"]["dve"], top))
PY
done

echo
echo "== 4. seq_len sweep at $SWEEP_CHANNELS channels: latency and scaling efficiency"
printf '%8s %14s %8s %14s %8s\n' seq_len "v2 us" "v2 eff" "v3 us" "v3 eff"
base2=""; base3=""; points=()
for l in $SWEEP; do
  profile "$(stream v2 1 "$l" "$SWEEP_CHANNELS" 16)" "$work/p2.json"
  profile "$(stream v3 1 "$l" "$SWEEP_CHANNELS" 16)" "$work/p3.json"
  t2=$(json "$work/p2.json" total_us); t3=$(json "$work/p3.json" total_us)
  first=${SWEEP%% *}
  [ -z "$base2" ] && base2=$t2 && base3=$t3
  awk -v l="$l" -v f="$first" -v t2="$t2" -v t3="$t3" -v b2="$base2" -v b3="$base3" 'BEGIN {
    printf "%8d %14.1f %8.2f %14.1f %8.2f\n", l, t2, b2 * (l / f) / t2, t3, b3 * (l / f) / t3 }'
  points+=("$l $t2 $t3")
done
PLOT=${PLOT:-$BUILD_DIR/out/sweep.svg}
mkdir -p "$(dirname "$PLOT")"
python3 bench/plot_sweep.py "$PLOT" "${points[@]}"
echo "plot: $PLOT"
