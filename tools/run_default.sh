#!/usr/bin/env bash
# Installs what is missing, builds flowfit (CUDA when nvcc is present) and runs the main job on
# the bundled real data.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFLOWFIT_BUILD_TESTS=OFF -DFLOWFIT_BUILD_BENCH=OFF \
  >build.configure.log 2>&1 || { cat build.configure.log; exit 1; }
cmake --build build -j"$jobs" --target flowfit

# County-level harmonization of the real IRS 2017-18 county flows to PEP county populations.
build/flowfit demo --output out/demo/irs_county_flows_2017_2018_harmonized.csv
