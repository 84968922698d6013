#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
cmake --build "${BUILD_DIR:-build}" -j "${JOBS:-2}" --target check-mamba
