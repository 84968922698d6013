#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the
# main job on the example kernel. (Until the backend and interpreter land, the
# main job is: compile the example kernel to the tutorial's v1, v2 and v3 kernels.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
OUT_DIR=${OUT_DIR:-$BUILD_DIR/out}
mkdir -p "$OUT_DIR"

kernel=examples/mamba_b1_l512_c256_n16.mlir
for v in v1 v2 v3; do
  "$BUILD_DIR/bin/mamba-opt" --mamba-$v "$kernel" -o "$OUT_DIR/kernel_$v.mlir"
done
echo "== the tutorial's v3 kernel (mamba-opt --mamba-v3 $kernel) =="
cat "$OUT_DIR/kernel_v3.mlir"
echo "== wrote $OUT_DIR/kernel_v1.mlir, kernel_v2.mlir, kernel_v3.mlir =="
