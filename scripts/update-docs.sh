#!/usr/bin/env bash
# Regenerates the ODS dialect docs and copies them into docs/generated/.
# test/docs.mlir fails when the committed copies are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" --target mamba-doc
cp "$BUILD_DIR"/docs/Dialects/*.md docs/generated/
echo "updated: $(ls docs/generated)"
