#!/usr/bin/env bash
# Installs every Debian package mamba-nki needs to build and test. Idempotent:
# does nothing (and needs no network) when everything is already installed.
set -euo pipefail

PACKAGES=(
  # MLIR/LLVM 19: static libraries, headers, mlir-tblgen, FileCheck, lit, not
  libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools
  # build
  cmake ninja-build g++ ccache
  # scripts/check-format.sh (the test command fails on unformatted C++)
  clang-format
  # lit runs on python3; unit tests use GoogleTest
  python3 libgtest-dev
  # bench/ measures peak memory with GNU time
  time
  # the NumPy execution of emitted NKI kernels (python/neuronxcc, docs/nki-emission.md)
  python3-numpy
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
