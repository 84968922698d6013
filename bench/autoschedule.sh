#!/usr/bin/env bash
# The auto-scheduler (--mamba-auto, docs/autoschedule.md) against the named
# pipelines under the timing model (nki-run --no-compute, trn1, fp32): per
# shape, v1-v4's predicted latency with their defaults, the schedule
# --mamba-auto chose and its latency (as the search predicted it and as
# nki-run --no-compute reports it for the emitted kernel), its ratio to the
# best named pipeline, and the search's wall-clock and CPU seconds. With
# MEASURE=1 it runs the search again with measure-extrapolation=true and
# prints, per shape, how many candidates were extrapolated and the largest
# error of an extrapolated latency against the full simulation.
#
#   bash bench/autoschedule.sh                   # the issue's shape set
#   SHAPES="1,512,256,16" MEASURE=1 bash bench/autoschedule.sh
#
# A version whose kernel cannot be built says why in one word. The tools
# come from $MAMBA_TOOLS_DIR, else $BUILD_DIR/bin, else build/bin.
source "$(dirname "$0")/lib.sh"
SHAPES=${SHAPES:-"1,512,256,16 1,512,4096,16 1,8192,4096,16 4,16384,4096,16 1,65536,4096,16 2,3000,200,8 1,1024,128,64"}
MEASURE=${MEASURE:-0}
bench_work

# latency FILE.mlir -> nki-run --no-compute's predicted latency, or "-"
latency() {
  if ! "$BIN/mamba-translate" --nki-to-nisa "$1" -o "$work/k.nisa" \
      --nisa-max-instructions=100000000 2>"$work/err"; then
    echo "backend-failed"
    return
  fi
  "$BIN/nki-run" "$work/k.nisa" --no-compute |
    sed -n 's/^predicted latency \([0-9.]*\) us.*/\1/p'
}

printf '%-22s %10s %10s %10s %10s %10s %10s %7s %8s %7s  %s\n' "(b, L, c, n)" \
  "v1 us" "v2 us" "v3 us" "v4 us" "auto us" "nki-run" "/best" "search s" \
  "cpu s" "chosen schedule"
for shape in $SHAPES; do
  IFS=, read -r b l c n <<<"$shape"
  k="$work/k.mlir"
  python3 scripts/make-kernel.py --batch "$b" --seq-len "$l" --channels "$c" \
    --state "$n" -o "$k"
  declare -A lat=()
  best=""
  for v in v1 v2 v3 v4; do
    if ! "$BIN/mamba-opt" "$k" --mamba-"$v" -o "$work/$v.mlir" 2>"$work/err"; then
      lat[$v]="no-fit"
      continue
    fi
    us=$(latency "$work/$v.mlir")
    lat[$v]=$us
    if [[ "$us" =~ ^[0-9.]+$ ]]; then
      if [ -z "$best" ] || python3 -c "import sys; sys.exit(not $us < $best)"; then
        best=$us
      fi
    fi
  done
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$BIN/mamba-opt" "$k" \
    --pass-pipeline="builtin.module(mamba-auto{report=$work/report.txt})" \
    -o "$work/auto.mlir" 2>"$work/remark"
  read -r wall user sys <"$work/time"
  cpu=$(python3 -c "print(f'{$user + $sys:.1f}')")
  predicted=$(sed -n 's/^chosen: #[0-9]* .*, predicted \([0-9.]*\) us$/\1/p' \
    "$work/report.txt")
  chosen=$(sed -n 's/^chosen: #[0-9]* \(.*\), predicted .*/\1/p' \
    "$work/report.txt")
  measured=$(latency "$work/auto.mlir")
  ratio=$(python3 -c "print(f'{$measured / $best:.4f}')")
  printf '%-22s %10s %10s %10s %10s %10s %10s %7s %8s %7s  %s\n' \
    "($b, $l, $c, $n)" "${lat[v1]}" "${lat[v2]}" "${lat[v3]}" "${lat[v4]}" \
    "$predicted" "$measured" "$ratio" "$wall" "$cpu" "$chosen"
  if [ "$MEASURE" = 1 ]; then
    "$BIN/mamba-opt" "$k" -o /dev/null 2>/dev/null --pass-pipeline="builtin.module(convert-mamba-to-nki,nki-auto-schedule{measure-extrapolation=true report=$work/measure.txt})"
    python3 - "$work/measure.txt" "($b, $l, $c, $n)" <<'EOF'
import sys
rows, worst, measured = 0, 0.0, False
for line in open(sys.argv[1]):
    f = line.split()
    if line.startswith("rank") and "err %" in line:
        measured = True
    if measured and len(f) > 11 and f[3] in ("sim", "est") and f[9] != "-":
        rows += 1
        worst = max(worst, abs(float(f[10])))
print(f"    extrapolation {sys.argv[2]}: {rows} candidates extrapolated, "
      f"largest error against the full simulation {worst:.3f}%")
EOF
  fi
done
