#!/usr/bin/env bash
# nki-run against native fused selective-scan loops on the same .npy inputs,
# v3 at (1, 8192, 4096, 16) by default (issues 6 and 17):
#  - native-loop: the straightforward -O3 -march=native -ffast-math -fopenmp
#    C loop (bench/native_loop.c); native-scan (bench/native_scan.cpp) must
#    be at least as fast; nki-run is compared with the faster of the two.
#    Targets: nki-run / native <= 3 (whole programs), nki-run peak RSS
#    <= 1.5 GB.
#  - default threads against --jobs=1, quiet and with one core busy
#    elsewhere: busy default <= 1.1x --jobs=1, quiet default faster.
#  - then bench/interpreter-check.sh (--check and --random-inputs overheads)
#    and bench/interpreter-memory.sh (timing-only memory, spill scratch),
#    when present.
#
#   bash bench/interpreter.sh
#   SHAPE=1,2048,1024,16 RUNS=5 bash bench/interpreter.sh
source "$(dirname "$0")/lib.sh"
SHAPE=${SHAPE:-1,8192,4096,16}
bench_work
busy=
bench_at_exit 'if [ -n "$busy" ]; then kill "$busy" 2>/dev/null || true; fi'

bench_kernel v3 "$SHAPE" "$work/k.nisa"
"$BIN/nki-run" "$work/k.nisa" --random-inputs=0 \
  --save-inputs="$work/in" --no-race-check --quiet
inputs=()
for t in delta u A B C; do inputs+=(--input "$t=$work/in/$t.npy"); done

# Whole programs, medians of RUNS, each tool's runs side by side in turn.
RUNS=${RUNS:-3}
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$work/t" "$BIN/native-loop" "$work/in" \
    >"$work/c"
  echo "$(cat "$work/t") $(cat "$work/c")" >>"$work/loop.times"
  /usr/bin/time -f "%e %M" -o "$work/t" "$BIN/native-scan" "$work/in" \
    >"$work/c"
  echo "$(cat "$work/t") $(cat "$work/c")" >>"$work/scan.times"
  /usr/bin/time -f "%e %M" -o "$work/t" "$BIN/nki-run" "$work/k.nisa" \
    "${inputs[@]}" --output out="$work/out.npy" --quiet
  cat "$work/t" >>"$work/run.times"
done
col() { awk -v c="$2" '{ print $c }' "$1" | median; }
loop_s=$(col "$work/loop.times" 1) loop_c=$(col "$work/loop.times" 3)
scan_s=$(col "$work/scan.times" 1) scan_c=$(col "$work/scan.times" 3)
scan_kb=$(col "$work/scan.times" 2)
run_s=$(col "$work/run.times" 1) run_kb=$(col "$work/run.times" 2)
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

printf 'v3 at (b,L,c,n) = (%s): %s instructions, %s cores, medians of %s\n' \
  "$SHAPE" "$instructions" "$(nproc)" "$RUNS"
printf '%-40s %10s %10s %10s\n' "" "whole s" "compute s" "peak MB"
awk -v ls="$loop_s" -v lc="$loop_c" -v ss="$scan_s" -v sc="$scan_c" \
    -v skb="$scan_kb" -v r="$run_s" -v rkb="$run_kb" -v diff="$maxdiff" 'BEGIN {
  printf "%-40s %10.2f %10.3f %10s\n", "native-loop (straightforward, OpenMP)", ls, lc, "-"
  printf "%-40s %10.2f %10.3f %10.0f\n", "native-scan (ours)", ss, sc, skb / 1024
  printf "%-40s %10.2f %10s %10.0f\n", "nki-run", r, "-", rkb / 1024
  best = ls < ss ? ls : ss
  printf "native-scan / native-loop: %.2f (compute), %.2f (whole; <= 1 wanted)\n", sc / lc, ss / ls
  printf "ratio nki-run / fastest native (whole programs): %.2f (target <= 3)\n", r / best
  printf "max |nki-run - native-scan| over all outputs: %s\n", diff }'

# Default threads against --jobs=1, on a quiet machine and with an unrelated
# busy loop holding one core (issue 17's target: busy default <= 1.1x
# --jobs=1; quiet default faster than --jobs=1). Medians of RUNS runs.
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

for part in interpreter-check interpreter-memory; do
  if [ -f "bench/$part.sh" ]; then
    echo
    BUILD_DIR=$BUILD_DIR SHAPE=$SHAPE RUNS=$RUNS bash "bench/$part.sh"
  fi
done
