#!/usr/bin/env bash
# Installs what is missing, builds flowfit and runs the whole test suite:
#   * a CPU-only build (FLOWFIT_CUDA=OFF), always;
#   * a CUDA build (FLOWFIT_CUDA=ON) where nvcc exists; its GPU tests skip without a device.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

run_suite() {  # name, extra cmake args...
  local dir="build-$1"; shift
  echo "=== configure $dir ($*)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; exit 1; }
  echo "=== build $dir"
  cmake --build "$dir" -j"$jobs"
  echo "=== test $dir"
  (cd "$dir" && ctest --output-on-failure -j"$jobs")
}

run_suite cpu -DFLOWFIT_CUDA=OFF -DFLOWFIT_BUILD_BENCH=OFF
if command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]]; then
  run_suite cuda -DFLOWFIT_CUDA=ON -DFLOWFIT_BUILD_BENCH=OFF
else
  echo "=== no nvcc: CUDA build skipped"
fi
