#!/usr/bin/env bash
# nki-run's exp against glibc's libmvec expf (SSE4.1), which it replaced,
# for all 2^32 inputs and every instruction set this processor has
# (lib/Interpreter/VectorKernels.inc; the test suite samples a million).
# A minute or two per set.
#
#   bash bench/exp-exhaustive.sh
source "$(dirname "$0")/lib.sh"
"$BUILD_DIR/unittests/MambaUnitTests" --gtest_also_run_disabled_tests \
  --gtest_filter='VectorMath.DISABLED_ExpMatchesLibmvecForEveryInput'
