#!/usr/bin/env bash
# Configures (once) and builds mamba-nki into ${BUILD_DIR:-build}.
# Extra arguments are passed to the first cmake configure.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}

launcher=()
# Paths relative to the checkout, so that fresh clones (CI) share the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py \
    "${launcher[@]}" "$@"
fi
# TARGET may name several targets, separated by spaces.
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "$JOBS" --target ${TARGET:-all}
