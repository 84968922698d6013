#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang-19, ASan + UBSan) and runs each for
# SECONDS (default 60), in parallel, seeded from the test suite. Prints
# executions and findings per harness; crashes land in build-fuzz/findings/.
#
#   bash scripts/fuzz.sh 1800        # 30 minutes each
#   HARNESSES=fuzz_nisa bash scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
bash scripts/setup.sh
if ! command -v clang++-19 >/dev/null || [ ! -f /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
  echo "fuzz: needs clang-19 and libclang-rt-19-dev (apt-get install clang-19 libclang-rt-19-dev)" >&2
  exit 1
fi
CC=clang-19 CXX=clang++-19 BUILD_DIR="$BUILD_DIR" TARGET="fuzz_mlir fuzz_nisa fuzz_npy mamba-opt mamba-translate nki-run" \
  bash scripts/build.sh -DMAMBA_ENABLE_FUZZERS=ON -DMAMBA_ENABLE_SANITIZERS=ON \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null

corpus="$BUILD_DIR/corpus"
mkdir -p "$corpus"/{mlir,nisa,npy} "$BUILD_DIR/findings"
# (A finding stops its harness; fix it, add a regression test, run again.)
# MLIR seeds: every test input, split at "// -----".
i=0
for f in $(find test examples -name '*.mlir'); do
  awk -v dir="$corpus/mlir" -v base="$i" '
    /^\/\/ -----/ { n++; next } { print > (dir "/" base "_" n ".mlir") }' "$f"
  i=$((i + 1))
done
# .nisa seeds: small kernels under each pipeline, and the hand-written ones.
export ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=0
for v in v1 v2 v3; do
  python3 scripts/make-kernel.py --seq-len 64 --channels 200 --state 2 \
    | build/bin/mamba-opt --mamba-$v | build/bin/mamba-translate --nki-to-nisa \
      -o "$corpus/nisa/small_$v.nisa"
done
for f in test/Target/Nisa/format.test test/Interpreter/races.test; do
  awk -v dir="$corpus/nisa" -v base="$(basename "$f")" '
    /^#--- / { out = dir "/" base "_" $2; next } out { print > out }' "$f"
done
# .npy seeds.
build/bin/nki-run "$corpus/nisa/small_v1.nisa" --random-inputs=0 \
  --save-inputs="$corpus/npy" --no-race-check --quiet

run() {
  local name=$1 dir=$2
  local log="$BUILD_DIR/$name.log"
  (cd "$BUILD_DIR/findings" && ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=0 \
    "../bin/$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 \
    -timeout=30 -max_len=16384 -print_final_stats=1 "../corpus/$dir" \
    >"../$name.log" 2>&1) || true
  local execs crashes
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  crashes=$(ls "$BUILD_DIR/findings" | grep -c "^\(crash\|leak\|timeout\|oom\)" || true)
  printf '%-10s %8ss %12s executions   findings so far: %s\n' "$name" \
    "$SECONDS_EACH" "$execs" "$crashes"
}
HARNESSES=${HARNESSES:-"fuzz_mlir fuzz_nisa fuzz_npy"}
for h in $HARNESSES; do
  run "$h" "${h#fuzz_}" &
done
wait
ls -la "$BUILD_DIR/findings"
