#!/usr/bin/env bash
# v1, v2, v3 and v4 side by side under the timing model (nki-run
# --no-compute, trn1, fp32): predicted latency, ratio to v3, VectorE active
# % of the execution period, spill traffic, SBUF peak, and the scaling
# efficiency latency(first L) * (L / first L) / latency(L) along a seq_len
# sweep. A version whose kernel cannot be built (it cannot fit SBUF, or the
# backend gives up) says why in one word.
#
#   bash bench/versions.sh                       # the whole table (minutes)
#   SWEEP="512 1024" SHAPES="1,512,256,16" bash bench/versions.sh
#
# SWEEP: seq_lens at SWEEP_CHANNELS channels (default 4096), batch 1, 16
# states. SHAPES: further "b,L,c,n" shapes (default: the toy, a one-tile
# shape, the tutorial's 8192 case, and its "typical" (4, 16384, 4096, 16));
# SHAPES=none prints only the sweep.
# VERSIONS: which pipelines (default "v1 v2 v3 v4"). The tools come from
# $MAMBA_TOOLS_DIR, else $BUILD_DIR/bin, else build/bin.
source "$(dirname "$0")/lib.sh"
VERSIONS=${VERSIONS:-"v1 v2 v3 v4"}
SWEEP=${SWEEP:-"512 1024 2048 4096 8192 16384 24576 32768 49152 65536"}
SWEEP_CHANNELS=${SWEEP_CHANNELS:-4096}
SHAPES=${SHAPES:-"1,512,256,16 1,4096,128,16 1,8192,4096,16 4,16384,4096,16"}
bench_work

# measure VERSION B L C N -> "latency_us dve_pct save_bytes reload_bytes
# sbuf_peak" or "- reason"
measure() {
  local v=$1 b=$2 l=$3 c=$4 n=$5
  local k="$work/k.mlir" s="$work/k.nisa" j="$work/p.json" err="$work/err"
  python3 scripts/make-kernel.py --batch "$b" --seq-len "$l" --channels "$c" \
    --state "$n" -o "$k"
  if ! "$BIN/mamba-opt" "$k" --mamba-"$v" -o "$work/$v.mlir" 2>"$err"; then
    grep -q "bytes of SBUF per partition at once" "$err" &&
      echo "- does-not-fit" || echo "- mamba-opt-failed"
    return
  fi
  if ! "$BIN/mamba-translate" --nki-to-nisa "$work/$v.mlir" -o "$s" \
      --nisa-max-instructions=100000000 2>"$err"; then
    grep -q "does not fit in SBUF" "$err" && echo "- does-not-fit" ||
      echo "- backend-failed"
    return
  fi
  "$BIN/nki-run" "$s" --no-compute --quiet --profile-json "$j"
  python3 - "$j" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
print(p["total_us"], p["engine_active_pct_of_execution"]["dve"],
      p["spill_save_bytes"], p["spill_reload_bytes"], p["sbuf_peak_bytes"])
EOF
}

row() { # label b l c n -> rows; prints the table rows for every version
  local b=$1 l=$2 c=$3 n=$4
  declare -A lat
  for v in $VERSIONS; do
    read -r us dve save reload peak <<<"$(measure "$v" "$b" "$l" "$c" "$n")"
    local shape="($b, $l, $c, $n)"
    if [ "$us" = "-" ]; then
      printf '%-3s %-22s %12s\n' "$v" "$shape" "$dve"
      continue
    fi
    lat[$v]=$us
    local ratio="" eff=""
    [ -n "${V3[$shape]:-}" ] && ratio=$(python3 -c "print(f'{$us/${V3[$shape]}:.3f}')")
    if [ "$v" = v3 ]; then V3[$shape]=$us; ratio=1.000; fi
    if [ -n "${FIRST[$v]:-}" ] && [ "$c" = "$SWEEP_CHANNELS" ] && [ "$b" = 1 ]; then
      eff=$(python3 -c "f,fl=${FIRST[$v]}; print(f'{f*$l/fl/$us:.3f}')")
    fi
    printf '%-3s %-22s %12.1f %7s %7.1f %14d %14d %10d %6s\n' "$v" "$shape" \
      "$us" "$ratio" "$dve" "$save" "$reload" "$peak" "$eff"
    echo "$v $b $l $c $n $us" >>"$work/results"
  done
}

declare -A V3 FIRST
header() {
  printf '%-3s %-22s %12s %7s %7s %14s %14s %10s %6s\n' ver "(b, L, c, n)" \
    "latency us" "vs v3" "dve %" "spill save B" "spill load B" "sbuf peak" eff
}

echo "== seq_len sweep at $SWEEP_CHANNELS channels, 16 states (eff: against the first L)"
header
first=""
for l in $SWEEP; do
  # v3's latency first, so that every version's ratio is known on its row.
  if [[ " $VERSIONS " == *" v3 "* ]]; then
    read -r us _ <<<"$(measure v3 1 "$l" "$SWEEP_CHANNELS" 16)"
    [ "$us" != "-" ] && V3["(1, $l, $SWEEP_CHANNELS, 16)"]=$us
  fi
  row 1 "$l" "$SWEEP_CHANNELS" 16
  if [ -z "$first" ]; then
    first=$l
    while read -r v b ll c n us; do
      [ "$ll" = "$l" ] && FIRST[$v]="$us,$l"
    done <"$work/results"
  fi
done
[ "$SHAPES" = none ] && exit 0
echo
echo "== other shapes"
header
for shape in $SHAPES; do
  IFS=, read -r b l c n <<<"$shape"
  if [[ " $VERSIONS " == *" v3 "* ]]; then
    read -r us _ <<<"$(measure v3 "$b" "$l" "$c" "$n")"
    [ "$us" != "-" ] && V3["($b, $l, $c, $n)"]=$us
  fi
  row "$b" "$l" "$c" "$n"
done
