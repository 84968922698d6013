#!/usr/bin/env bash
# Regenerates the ODS dialect docs and copies them into docs/generated/.
# test/docs.mlir fails when the committed copies are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" --target mamba-doc
cp "$BUILD_DIR"/docs/Dialects/*.md "$BUILD_DIR"/docs/Passes/*.md docs/generated/
echo "updated: $(ls docs/generated)"

# IR listings quoted by the docs (test/docs.mlir checks they are current).
"$BUILD_DIR/bin/mamba-opt" --convert-mamba-to-nki examples/mamba_b1_l512_c256_n16.mlir \
  -o docs/ir/toy_v1.mlir
echo "updated: docs/ir/toy_v1.mlir"
python3 scripts/embed-ir.py docs/lowering.md
echo "updated: IR listings embedded in docs/lowering.md"
