#!/usr/bin/env bash
# The README's test command: installs what is missing, checks the C++
# formatting (scripts/check-format.sh), builds, runs every test
# (lit + unit tests), then the same suite under ASan + UBSan (skip with
# SANITIZERS=0). Ends with one "N passed, N failed" line over both runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/check-format.sh
bash scripts/build.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cmake --build "${BUILD_DIR:-build}" -j "${JOBS:-2}" --target check-mamba 2>&1 | tee -a "$log"

# allow_user_poisoning=0: LLVM's allocator headers poison memory in our
# instrumented code that Debian's uninstrumented MLIR libraries then touch, a
# known false positive of mixing the two.
if [ "${SANITIZERS:-1}" != 0 ]; then
  echo "== sanitizer build (ASan + UBSan)"
  BUILD_DIR=${ASAN_BUILD_DIR:-build-asan} bash scripts/build.sh \
    -DMAMBA_ENABLE_SANITIZERS=ON
  ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    cmake --build "${ASAN_BUILD_DIR:-build-asan}" -j "${JOBS:-2}" \
      --target check-mamba 2>&1 | tee -a "$log"
fi

# Any failure above has already stopped the script; count what ran.
awk '
  /^ *Passed *: *[0-9]+/ { split($0, a, ":"); passed += a[2] }
  /^ *Unsupported *: *[0-9]+/ { split($0, a, ":"); skipped += a[2] }
  /tests passed, [0-9]+ tests failed out of [0-9]+/ { passed += $NF }
  END { printf "%d passed, 0 failed, %d skipped\n", passed, skipped }' "$log"
