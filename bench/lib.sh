# What the bench scripts share. Each script sources it first:
#
#   source "$(dirname "$0")/lib.sh"
#
# which sets strict mode (set -euo pipefail), makes the checkout's root the
# working directory (the scripts name files relative to it), and defines:
#
#   BUILD_DIR          the build ($BUILD_DIR, default build)
#   BIN                the tools under test: $MAMBA_TOOLS_DIR, default
#                      $BUILD_DIR/bin (the lit tests pass the build's)
#   bench_work [DIR]   sets $work to a fresh directory (in DIR, default
#                      $TMPDIR or /tmp), removed when the script exits;
#                      call it in the script's own shell, not in $(...)
#   bench_at_exit CMD  evaluates CMD when the script exits (before $work
#                      is removed), e.g. to stop a helper process
#   median             the median of the numbers on stdin, one a line
#   bench_kernel VARIANT B,L,C,N FILE
#                      the selective scan of that shape (scripts/
#                      make-kernel.py) through mamba-opt --mamba-VARIANT and
#                      mamba-translate into the .nisa FILE; the tools'
#                      remarks go to FILE.log, shown only when one fails
#
# The script keeps its own EXIT trap free: lib.sh's runs the above.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN=${MAMBA_TOOLS_DIR:-$BUILD_DIR/bin}

work=
_bench_at_exit=()
bench_at_exit() { _bench_at_exit+=("$1"); }
_bench_exit() {
  local cmd
  for cmd in ${_bench_at_exit[@]+"${_bench_at_exit[@]}"}; do
    eval "$cmd" || true
  done
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap _bench_exit EXIT

bench_work() {
  work=$(mktemp -d "${1:-${TMPDIR:-/tmp}}/$(basename "$0" .sh).XXXXXX")
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

bench_kernel() {
  local b l c n
  IFS=, read -r b l c n <<<"$2"
  if ! python3 scripts/make-kernel.py --batch "$b" --seq-len "$l" \
    --channels "$c" --state "$n" | "$BIN/mamba-opt" "--mamba-$1" 2>"$3.log" \
    | "$BIN/mamba-translate" --nki-to-nisa -o "$3" 2>>"$3.log"; then
    cat "$3.log" >&2
    return 1
  fi
}
