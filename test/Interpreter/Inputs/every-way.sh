#!/usr/bin/env bash
# every-way.sh NKI_RUN K.nisa DIR: runs K.nisa with the nki-run at NKI_RUN
# on one set of random inputs every way it can compute it (each instruction
# set this processor has, windows or not, 1 or 3 threads) and prints, per
# way and output tensor, "same" or "DIFFERENT" against the plainest run
# (baseline, --no-windows, --jobs=1); last, that run again with --check
# (which keeps its own copy of the inputs, where the others hand them to
# the machine).
set -euo pipefail
nki_run=$1 k=$2 dir=$3
name=$(basename "$k" .nisa)
isas="baseline auto"
if grep -qw avx2 /proc/cpuinfo; then isas="$isas avx2"; fi
outputs=$(awk '$1 == "tensor" && $3 == "output" { print $2 }' "$k")
run() { # run TAG FLAGS...: outputs into $dir/$name-TAG-OUTPUT.npy
  local tag=$1
  shift
  local args=()
  for o in $outputs; do args+=(--output "$o=$dir/$name-$tag-$o.npy"); done
  "$nki_run" "$k" --quiet --no-race-check "${args[@]}" "$@"
}
run ref --random-inputs=5 --save-inputs="$dir/$name-in" \
  --vector-isa=baseline --no-windows --jobs=1
inputs=()
for f in "$dir/$name-in"/*.npy; do
  inputs+=(--input "$(basename "$f" .npy)=$f")
done
for isa in $isas; do
  for jobs in 1 3; do
    for win in windows no-windows; do
      flags=(--vector-isa="$isa" --jobs="$jobs")
      if [ "$win" = no-windows ]; then flags+=(--no-windows); fi
      run got "${inputs[@]}" "${flags[@]}"
      for o in $outputs; do
        if cmp -s "$dir/$name-ref-$o.npy" "$dir/$name-got-$o.npy"; then
          echo "$name $o $isa jobs=$jobs $win: same"
        else
          echo "$name $o $isa jobs=$jobs $win: DIFFERENT"
        fi
      done
    done
  done
done
run got "${inputs[@]}" --vector-isa=baseline --no-windows --jobs=1 --check \
  >/dev/null
for o in $outputs; do
  if cmp -s "$dir/$name-ref-$o.npy" "$dir/$name-got-$o.npy"; then
    echo "$name $o --check: same"
  else
    echo "$name $o --check: DIFFERENT"
  fi
done
