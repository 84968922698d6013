#!/usr/bin/env bash
# nki-run against a native fused selective-scan loop (issue 6's benchmark):
# v3 at (1, 8192, 4096, 16) by default, both on the same .npy inputs.
# Target: nki-run / native <= 3, nki-run peak RSS <= 1.5 GB. Then default
# threads against --jobs=1, quiet and with one core busy elsewhere.
#
#   bash bench/interpreter.sh
#   SHAPE=1,2048,1024,16 bash bench/interpreter.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# The tools under test: $MAMBA_TOOLS_DIR, default $BUILD_DIR/bin.
BIN=${MAMBA_TOOLS_DIR:-$BUILD_DIR/bin}
SHAPE=${SHAPE:-1,8192,4096,16}
IFS=, read -r b l c n <<<"$SHAPE"
work=$(mktemp -d)
busy=
trap 'rm -rf "$work"; if [ -n "$busy" ]; then kill "$busy" 2>/dev/null || true; fi' EXIT

python3 scripts/make-kernel.py --batch "$b" --seq-len "$l" --channels "$c" \
  --state "$n" | "$BIN/mamba-opt" --mamba-v3 \
  | "$BIN/mamba-translate" --nki-to-nisa -o "$work/k.nisa"
"$BIN/nki-run" "$work/k.nisa" --random-inputs=0 \
  --save-inputs="$work/in" --no-race-check --quiet
inputs=()
for t in delta u A B C; do inputs+=(--input "$t=$work/in/$t.npy"); done

/usr/bin/time -f "%e %M" -o "$work/native.time" \
  "$BIN/native-scan" "$work/in" >"$work/native.compute"
/usr/bin/time -f "%e %M" -o "$work/run.time" \
  "$BIN/nki-run" "$work/k.nisa" "${inputs[@]}" \
  --output out="$work/out.npy" --quiet
read -r native_s native_kb <"$work/native.time"
read -r native_compute <"$work/native.compute"
read -r run_s run_kb <"$work/run.time"
instructions=$(awk '$1 == "instructions" { print $2; exit }' "$work/k.nisa")
maxdiff=$(python3 - "$work/out.npy" "$work/in/out_native.npy" <<'PY'
import array, struct, sys
def load(path):
    b = open(path, "rb").read()
    n = struct.unpack("<H", b[8:10])[0]
    a = array.array("f")
    a.frombytes(b[10 + n:])
    return a
x, y = load(sys.argv[1]), load(sys.argv[2])
print("%.3g" % max(abs(p - q) for p, q in zip(x, y)))
PY
)

printf 'v3 at (b,L,c,n) = (%s): %s instructions, %s cores\n' "$SHAPE" \
  "$instructions" "$(nproc)"
printf '%-34s %10s %10s\n' "" seconds "peak MB"
awk -v s="$native_s" -v c="$native_compute" -v kb="$native_kb" -v r="$run_s" \
    -v rkb="$run_kb" -v diff="$maxdiff" 'BEGIN {
  printf "%-34s %10.2f %10.0f\n", "native fused loop (whole program)", s, kb / 1024
  printf "%-34s %10.2f %10s\n", "native fused loop (compute only)", c, "-"
  printf "%-34s %10.2f %10.0f\n", "nki-run (whole program)", r, rkb / 1024
  printf "ratio nki-run / native: %.2f (whole programs), %.2f (vs compute only)\n", r / s, r / c
  printf "max |nki-run - native| over all outputs: %s\n", diff }'

# Default threads against --jobs=1, on a quiet machine and with an unrelated
# busy loop holding one core (issue 17's target: busy default <= 1.1x
# --jobs=1; quiet default faster than --jobs=1). Medians of RUNS runs.
RUNS=${RUNS:-3}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timed() {
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e" -o "$work/t" "$BIN/nki-run" "$work/k.nisa" \
      "${inputs[@]}" --quiet --no-race-check "$@" >/dev/null
    cat "$work/t"
  done | median
}
quiet_default=$(timed)
quiet_one=$(timed --jobs=1)
(while :; do :; done) &
busy=$!
busy_default=$(timed)
busy_one=$(timed --jobs=1)
kill "$busy"
busy=
printf '%-34s %10s %10s %10s\n' "threads (median of $RUNS)" default jobs=1 ratio
awk -v qd="$quiet_default" -v q1="$quiet_one" -v bd="$busy_default" \
    -v b1="$busy_one" 'BEGIN {
  printf "%-34s %10.2f %10.2f %10.2f\n", "quiet machine", qd, q1, qd / q1
  printf "%-34s %10.2f %10.2f %10.2f\n", "one core busy elsewhere", bd, b1, bd / b1 }'
