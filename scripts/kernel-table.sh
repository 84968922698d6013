#!/usr/bin/env bash
# The main job's table (scripts/run.sh runs it after setup and build; it
# builds nothing): for each shape in CASES, each kernel through
# --mamba-v1/v2/v3 (the tutorial's) and --mamba-v4 (past it), the instruction
# stream, nki-run on random inputs with the accuracy check and the timing
# model; one row per run (predicted latency, VectorE activity, spill
# traffic, accuracy) and whether the versions' outputs are bit-identical. Every artefact goes to OUT_DIR: the
# kernel, the IR per version, the .nisa, the profile JSON, the output, the
# timeline SVG and the Perfetto trace.
#
#   CASES="1,512,256,16 1,8192,128,16" bash scripts/kernel-table.sh
#
# CASES: "b,L,c,n ..." (default: the toy shape and the tutorial's 4096-channel
# and 8192-seq_len cases). The tools: $MAMBA_TOOLS_DIR, default
# $BUILD_DIR/bin (BUILD_DIR defaults to build). OUT_DIR defaults to
# $BUILD_DIR/out.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
bin=${MAMBA_TOOLS_DIR:-$BUILD_DIR/bin}
OUT_DIR=${OUT_DIR:-$BUILD_DIR/out}
mkdir -p "$OUT_DIR"

# kernel shapes: (batch, seq_len, channels, state)
CASES=${CASES:-"1,512,256,16 1,512,4096,16 1,8192,4096,16"}

printf '%-7s %-20s %14s %10s %16s %16s  %s\n' kernel "(b, L, c, n)" \
  "latency us" "VectorE %" "spill save B" "spill reload B" accuracy
for shape in $CASES; do
  IFS=, read -r b l c n <<<"$shape"
  name="b${b}_l${l}_c${c}_n${n}"
  python3 scripts/make-kernel.py --batch "$b" --seq-len "$l" --channels "$c" \
    --state "$n" -o "$OUT_DIR/$name.mlir"
  for v in v1 v2 v3 v4; do
    base="$OUT_DIR/${name}_$v"
    # Its remarks (e.g. a transformation that declines at this shape) go to
    # $base.opt.txt; shown only if it fails.
    "$bin/mamba-opt" --mamba-$v --mlir-print-debuginfo "$OUT_DIR/$name.mlir" \
      -o "$base.mlir" 2>"$base.opt.txt" || { cat "$base.opt.txt" >&2; exit 1; }
    "$bin/mamba-translate" --nki-to-nisa "$base.mlir" -o "$base.nisa"
    if "$bin/nki-run" "$base.nisa" --random-inputs=0 --check \
        --profile-json "$base.profile.json" --output out="$base.out.npy" \
        --timeline "$base.timeline.svg" --trace "$base.trace.json" \
        >"$base.run.txt" 2>&1; then
      verdict=$(sed -nE 's/^check: (PASS) \(.*max_abs_err=([^,]*),.*/\1 max_abs_err=\2/p' "$base.run.txt" | head -n 1)
    else
      verdict="FAIL (see $base.run.txt)"
    fi
    python3 - "$base.profile.json" "$v" "($b, $l, $c, $n)" "$verdict" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
print("%-7s %-20s %14.1f %10.1f %16d %16d  %s" % (
    sys.argv[2], sys.argv[3], p["total_us"], p["engine_active_pct"].get("dve", 0),
    p["spill_save_bytes"], p["spill_reload_bytes"], sys.argv[4]))
PY
  done
  if cmp -s "$OUT_DIR/${name}_v1.out.npy" "$OUT_DIR/${name}_v2.out.npy" &&
     cmp -s "$OUT_DIR/${name}_v1.out.npy" "$OUT_DIR/${name}_v3.out.npy" &&
     cmp -s "$OUT_DIR/${name}_v1.out.npy" "$OUT_DIR/${name}_v4.out.npy"; then
    echo "        v1, v2, v3 and v4 outputs are bit-identical"
  else
    echo "        v1, v2, v3 and v4 outputs DIFFER"
  fi
done
