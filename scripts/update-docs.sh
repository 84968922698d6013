#!/usr/bin/env bash
# Regenerates everything in the docs that the build produces, in one go:
#  - the ODS dialect and pass references (docs/generated/);
#  - the IR listings (docs/ir/*.mlir) and their copies embedded in
#    docs/lowering.md and docs/passes.md (scripts/embed-ir.py);
#  - every command output shown in docs/ and README.md (the blocks between
#    <!-- output --> markers; scripts/update-outputs.py runs the commands).
# test/docs.mlir, test/tutorial.mlir and test/doc-outputs.test fail when any
# of them is stale. Uses the build in ${BUILD_DIR:-build} (builds the tools
# and the docs first).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" --target mamba-doc mamba-opt mamba-translate nki-run
cp "$BUILD_DIR"/docs/Dialects/*.md "$BUILD_DIR"/docs/Passes/*.md \
  "$BUILD_DIR"/docs/TransformOps/*.md docs/generated/
echo "updated: $(ls docs/generated)"

# IR listings quoted by the docs (test/docs.mlir checks they are current).
toy=examples/mamba_b1_l512_c256_n16.mlir
opt="$BUILD_DIR/bin/mamba-opt"
"$opt" --convert-mamba-to-nki "$toy" -o docs/ir/toy_v1.mlir
"$opt" --convert-mamba-to-nki --nki-reorder-loops "$toy" -o docs/ir/toy_reordered.mlir
"$opt" --convert-mamba-to-nki --nki-reorder-loops --nki-hoist-loads "$toy" -o docs/ir/toy_hoisted.mlir
"$opt" --mamba-v2 "$toy" -o docs/ir/toy_v2.mlir
"$opt" --pass-pipeline="builtin.module(mamba-v3{tile-size=256})" "$toy" -o docs/ir/toy_v3_t256.mlir
echo "updated: docs/ir/*.mlir"
python3 scripts/embed-ir.py docs/lowering.md docs/passes.md
echo "updated: IR listings embedded in docs/lowering.md docs/passes.md"

# Command outputs (test/tutorial.mlir, test/doc-outputs.test).
python3 scripts/update-outputs.py --bin "$BUILD_DIR/bin"
echo "updated: command outputs in docs/*.md and README.md"
