#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the
# Fused Mamba tutorial's story end to end with our tools: each kernel through
# --mamba-v1/v2/v3 and v4 (past the tutorial), the instruction stream, nki-run on random inputs with the
# accuracy check and the timing model, one table of the results, timelines
# and traces per run, and the calibration against the tutorial with its plot.
# The table is scripts/kernel-table.sh (CASES="b,L,c,n ..." picks the shapes),
# the calibration bench/calibrate.sh; BUILD_DIR (default build) is the build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
OUT_DIR=${OUT_DIR:-$BUILD_DIR/out}
mkdir -p "$OUT_DIR"

OUT_DIR="$OUT_DIR" BUILD_DIR="$BUILD_DIR" bash scripts/kernel-table.sh
echo
echo "== Calibration against the tutorial's measurements (bench/calibrate.sh)"
PLOT="$OUT_DIR/sweep.svg" BUILD_DIR="$BUILD_DIR" bash bench/calibrate.sh
echo
echo "Files in $OUT_DIR: kernels (*.mlir), IR per version (*_v{1,2,3,4}.mlir),"
echo "instruction streams (*.nisa), profiles (*.profile.json), outputs (*.out.npy),"
echo "timelines (*.timeline.svg; open in a browser), Perfetto traces (*.trace.json;"
echo "open at ui.perfetto.dev), and the seq_len sweep plot (sweep.svg)."
