#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the
# main job on the example kernel. (Until the backend and interpreter land, the
# main job is: verify the example kernel and print it with mamba-opt.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
OUT_DIR=${OUT_DIR:-$BUILD_DIR/out}
mkdir -p "$OUT_DIR"

kernel=examples/mamba_b1_l512_c256_n16.mlir
echo "== mamba-opt $kernel (parse + verify) =="
"$BUILD_DIR/bin/mamba-opt" "$kernel" -o "$OUT_DIR/kernel.mlir"
cat "$OUT_DIR/kernel.mlir"
echo "== wrote $OUT_DIR/kernel.mlir =="
