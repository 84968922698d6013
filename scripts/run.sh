#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the
# main job on the example kernel. (Until the backend and interpreter land, the
# main job is: lower the example kernel to the tutorial's v1 kernel and print it.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
OUT_DIR=${OUT_DIR:-$BUILD_DIR/out}
mkdir -p "$OUT_DIR"

kernel=examples/mamba_b1_l512_c256_n16.mlir
echo "== mamba-opt --convert-mamba-to-nki $kernel (the tutorial's v1 kernel) =="
"$BUILD_DIR/bin/mamba-opt" --convert-mamba-to-nki "$kernel" -o "$OUT_DIR/kernel_v1.mlir"
cat "$OUT_DIR/kernel_v1.mlir"
echo "== wrote $OUT_DIR/kernel_v1.mlir =="
