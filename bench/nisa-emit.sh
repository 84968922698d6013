#!/usr/bin/env bash
# Emission speed of mamba-translate --nki-to-nisa (issue 5's benchmark):
# instructions per second and peak memory per instruction for v3 kernels.
# Target: >= 1 M instructions/s, <= 300 bytes of peak RSS per instruction.
#
#   bash bench/nisa-emit.sh            # the two shapes of the issue
#   SHAPES="1,2048,512,16" bash bench/nisa-emit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
SHAPES=${SHAPES:-"1,8192,4096,16 4,16384,4096,16"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-18s %-4s %12s %9s %14s %10s %12s\n' \
  "shape (b,L,c,n)" pipe instructions seconds "instructions/s" "peak MB" "bytes/instr"
for shape in $SHAPES; do
  IFS=, read -r b l c n <<<"$shape"
  python3 scripts/make-kernel.py --batch "$b" --seq-len "$l" --channels "$c" \
    --state "$n" | "$BUILD_DIR/bin/mamba-opt" --mamba-v3 -o "$work/k.mlir"
  /usr/bin/time -f "%e %M" -o "$work/time" \
    "$BUILD_DIR/bin/mamba-translate" --nki-to-nisa "$work/k.mlir" -o "$work/k.nisa"
  read -r secs kb <"$work/time"
  count=$(awk '$1 == "instructions" { print $2; exit }' "$work/k.nisa")
  awk -v s="$shape" -v c="$count" -v t="$secs" -v kb="$kb" 'BEGIN {
    if (t < 0.01) t = 0.01
    printf "%-18s %-4s %12d %9.2f %14.0f %10.1f %12.0f\n",
      s, "v3", c, t, c / t, kb / 1024, kb * 1024 / c }'
done
