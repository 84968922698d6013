#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
cmake --build "${BUILD_DIR:-build}" -j "${JOBS:-2}" --target check-mamba

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer (skip
# with SANITIZERS=0). allow_user_poisoning=0: LLVM's allocator headers poison
# memory in our instrumented code that Debian's uninstrumented MLIR libraries
# then touch, a known false positive of mixing the two.
if [ "${SANITIZERS:-1}" != 0 ]; then
  echo "== sanitizer build (ASan + UBSan)"
  BUILD_DIR=${ASAN_BUILD_DIR:-build-asan} bash scripts/build.sh \
    -DMAMBA_ENABLE_SANITIZERS=ON
  ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    cmake --build "${ASAN_BUILD_DIR:-build-asan}" -j "${JOBS:-2}" \
      --target check-mamba
fi
