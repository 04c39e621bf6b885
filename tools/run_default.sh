#!/usr/bin/env bash
# Installs what is missing, builds flowfit (with CUDA when nvcc is present) and runs the main job:
# one national year harmonized through the full MIGRATE pipeline on the best available backend.
#
# No public CBG-to-CBG matrix exists, so the observed matrix is synthetic (~1e7 nonzeros, built by
# `flowfit synth` on the real 217,740-CBG geography, shaped by the real IRS county flows); the
# targets are the real 2018 PEP and ACS tables bundled in data/census.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# The same build directory as tools/run_tests.sh: running both compiles the library once.
# FLOWFIT_CUDA=AUTO: the CUDA backend too where nvcc exists (on PATH or /usr/local/cuda/bin).
build_start=$SECONDS
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFLOWFIT_CUDA=AUTO -DFLOWFIT_BUILD_BENCH=OFF \
  >build.configure.log 2>&1 || { cat build.configure.log; exit 1; }
grep -E '^-- flowfit' build.configure.log || true
cmake --build build -j"$jobs" --target flowfit
echo "=== build: $((SECONDS - build_start)) s"

out=out/default
build/flowfit synth --out "$out" --nnz 1e7 --year 2018 --targets real --format ffm --seed 1
build/flowfit run "$out/plan.toml"

echo
echo "Harmonized matrix: $out/harmonized/flows_2018.ffm (flowfit convert it to .npz for scipy)"
echo "Run report (JSON): $out/harmonized/run_report.json"
echo "Inputs and plan:   $out/README.md, $out/plan.toml"
