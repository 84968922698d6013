#!/usr/bin/env bash
# What --check and --random-inputs add to an nki-run run (issue 17): v3 at
# (1, 8192, 4096, 16) by default, default threads, no race check (it would
# run beside the input loading and hide it). Medians of RUNS runs, the
# variants taken in turn in each round, so that a busy machine slows them
# alike. Targets: --check adds at most 0.5x the run it checks; drawing the
# inputs is at most 10% of a --random-inputs run.
#
#   bash bench/interpreter-check.sh
#   SHAPE=1,2048,1024,16 RUNS=5 bash bench/interpreter-check.sh
#
# The drawing alone is timed as a run that stops after its inputs (their
# --save-inputs directory cannot be created: nki-run fails right after
# drawing them), less the same with --ones-inputs (reading the stream,
# filling the tensors).
source "$(dirname "$0")/lib.sh"
SHAPE=${SHAPE:-1,8192,4096,16}
RUNS=${RUNS:-3}
bench_work

bench_kernel v3 "$SHAPE" "$work/k.nisa"
"$BIN/nki-run" "$work/k.nisa" --random-inputs=0 \
  --save-inputs="$work/in" --no-race-check --quiet
inputs=()
for t in delta u A B C; do inputs+=(--input "$t=$work/in/$t.npy"); done

# One timed run: seconds on stdout. `fails` runs are expected to fail.
timed() {
  local expect=$1
  shift
  local status=0
  /usr/bin/time -f "%e" -o "$work/t" "$BIN/nki-run" "$work/k.nisa" \
    --quiet --no-race-check "$@" >"$work/out" 2>&1 || status=$?
  if [ "$expect" = ok ] && [ "$status" -ne 0 ]; then
    cat "$work/out" >&2
    exit 1
  fi
  if [ "$expect" = fails ] && ! grep -q "cannot create" "$work/out"; then
    echo "interpreter-check.sh: the run that stops after its inputs did not" \
      "stop there:" >&2
    cat "$work/out" >&2
    exit 1
  fi
  tail -n 1 "$work/t"
}

stop=/dev/null/inputs # not a directory: --save-inputs fails there
: >"$work/npy"
: >"$work/check"
: >"$work/random"
: >"$work/draw"
: >"$work/ones"
for _ in $(seq "$RUNS"); do
  timed ok "${inputs[@]}" >>"$work/npy"
  timed ok "${inputs[@]}" --check >>"$work/check"
  grep '^check:' "$work/out" | head -n 1 >"$work/check.line"
  timed ok --random-inputs=0 >>"$work/random"
  timed fails --random-inputs=0 --save-inputs="$stop" >>"$work/draw"
  timed fails --ones-inputs --save-inputs="$stop" >>"$work/ones"
done
npy=$(median <"$work/npy")
check=$(median <"$work/check")
random=$(median <"$work/random")
draw=$(median <"$work/draw")
ones=$(median <"$work/ones")

printf 'v3 at (b,L,c,n) = (%s), %s cores, medians of %s runs\n' "$SHAPE" \
  "$(nproc)" "$RUNS"
printf '%s\n' "$(cat "$work/check.line")"
printf '%-44s %8s %8s %8s\n' "" seconds ratio target
awk -v npy="$npy" -v check="$check" -v random="$random" -v draw="$draw" \
    -v ones="$ones" 'BEGIN {
  gen = draw - ones; if (gen < 0) gen = 0
  printf "%-44s %8.2f\n", "run, inputs from .npy", npy
  printf "%-44s %8.2f\n", "run, inputs from .npy, --check", check
  printf "%-44s %8.2f %8.2f %8s\n", "  --check overhead (of the run)", check - npy, (check - npy) / npy, "<= 0.5"
  printf "%-44s %8.2f\n", "run, --random-inputs=0", random
  printf "%-44s %8.2f %8.2f %8s\n", "  drawing the inputs (share of that run)", gen, gen / random, "<= 0.10"
  printf "%-44s %8.2f %8.2f\n", "  --random-inputs run - .npy run", random - npy, (random - npy) / random }'
