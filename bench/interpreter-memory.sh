#!/usr/bin/env bash
# nki-run's memory (issue 17): the timing model alone (--no-compute) on v3
# at (1, 8192, 4096, 16) and (4, 16384, 4096, 16), seconds and peak RSS per
# instruction; the spill scratch v2 asks for against its tensors at
# (1, 16384, 4096, 16) and (4, 16384, 4096, 16); and a full run of the
# second under the default memory limit (--max-memory-gib), inputs from
# --random-inputs=0. Targets: <= 200 bytes of peak RSS per instruction,
# <= 0.2 s at (1, 8192, 4096, 16); scratch <= 2x the tensor bytes.
#
#   bash bench/interpreter-memory.sh
#   RUNS=5 FULL_RUN=0 bash bench/interpreter-memory.sh
#
# Bytes per instruction are the whole process's peak RSS over the stream's
# instructions, nothing subtracted (the process alone, on a toy stream, is
# printed beside it: about 51 MB, most of it libLLVM.so's pages). Times are
# medians of RUNS runs with the race check on, as nki-run runs by default.
# FULL_RUN=0 skips the full run (about a minute, 5.5 GB).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
FULL_RUN=${FULL_RUN:-1}
bench_work

instructions() { awk '$1 == "instructions" { print $2; exit }' "$1"; }
# timed FILE ARGS...: "seconds KB" of one nki-run.
timed() {
  local file=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$BIN/nki-run" "$file" "$@" \
    >/dev/null
  cat "$work/t"
}
# medians FILE ARGS...: "seconds KB", each the median of RUNS runs.
medians() {
  for _ in $(seq "$RUNS"); do timed "$@"; done >"$work/runs"
  echo "$(cut -d' ' -f1 "$work/runs" | median) $(cut -d' ' -f2 "$work/runs" | median)"
}

bench_kernel v3 1,64,128,4 "$work/toy.nisa"
read -r _ toy_kb < <(medians "$work/toy.nisa" --no-compute --quiet)
toy_n=$(instructions "$work/toy.nisa")

printf 'timing model alone (nki-run --no-compute), medians of %s\n' "$RUNS"
printf '%-22s %12s %9s %9s %10s %10s %12s\n' "v3 (b,L,c,n)" instructions \
  seconds "no-race" "peak MB" "B/instr" "B/instr>toy"
awk -v n="$toy_n" -v kb="$toy_kb" 'BEGIN {
  printf "%-22s %12d %9s %9s %10.1f %10s %12s\n", "toy (process alone)", n,
    "-", "-", kb / 1024, "-", "-" }'
for shape in 1,8192,4096,16 4,16384,4096,16; do
  bench_kernel v3 "$shape" "$work/v3.nisa"
  n=$(instructions "$work/v3.nisa")
  read -r s kb < <(medians "$work/v3.nisa" --no-compute --quiet)
  read -r s1 _ < <(medians "$work/v3.nisa" --no-compute --quiet \
    --no-race-check)
  awk -v shape="($shape)" -v n="$n" -v s="$s" -v s1="$s1" -v kb="$kb" \
      -v tkb="$toy_kb" 'BEGIN {
    printf "%-22s %12d %9.2f %9.2f %10.1f %10.0f %12.0f\n", shape, n, s, s1,
      kb / 1024, kb * 1024 / n, (kb - tkb) * 1024 / n }'
  rm -f "$work/v3.nisa"
done
echo "targets: <= 200 B/instr (whole process), <= 0.2 s at (1,8192,4096,16)"

echo
printf 'spill scratch of v2 against its tensors (the stream header)\n'
printf '%-22s %12s %14s %14s %8s\n' "v2 (b,L,c,n)" instructions \
  "scratch bytes" "tensor bytes" ratio
for shape in 1,16384,4096,16 4,16384,4096,16; do
  bench_kernel v2 "$shape" "$work/v2.nisa"
  awk -v shape="($shape)" '
    $1 == "tensor" {
      e = 1; split($5, d, "x"); for (i in d) e *= d[i]
      bytes += e * ($4 == "bf16" ? 2 : 4) }
    $1 == "scratch" { scratch = $2 }
    $1 == "instructions" {
      printf "%-22s %12d %14.0f %14.0f %8.3f\n", shape, $2, scratch, bytes,
        scratch / bytes
      exit }' "$work/v2.nisa"
  if [ "$shape" != 4,16384,4096,16 ]; then rm -f "$work/v2.nisa"; fi
done
echo "target: scratch <= 2x the tensor bytes"

if [ "$FULL_RUN" != 0 ]; then
  echo
  read -r s kb < <(timed "$work/v2.nisa" --random-inputs=0 --quiet)
  printf 'v2 at (4,16384,4096,16), full nki-run (--random-inputs=0, default --max-memory-gib): %.1f s, peak RSS %.0f MB\n' \
    "$s" "$(awk -v kb="$kb" 'BEGIN { print kb / 1024 }')"
fi
