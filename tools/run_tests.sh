#!/usr/bin/env bash
# Installs what is missing, builds flowfit and runs the whole test suite, in one build directory
# (build/, shared with tools/run_default.sh), then the whole suite again under AddressSanitizer and
# UBSan (build-asan/) and a bounded libFuzzer run of every reader harness (build-fuzz/):
#   * where nvcc exists (on PATH or /usr/local/cuda/bin): a CUDA build. Its tests cover the CPU
#     backends as well (the host code is the same objects either way), GPU tests skip without a
#     device, and a CPU-only link check (the same objects linked without CUDA) runs too;
#   * elsewhere: a CPU-only build (FLOWFIT_CUDA=OFF).
# The sanitizer and fuzz steps are CPU-only either way (docs/fuzzing.md).
#
#   tools/run_tests.sh            every step
#   tools/run_tests.sh STEP...    only these steps, in the order given (e.g. `build test`)
#   tools/run_tests.sh --list     the steps
#
# Each step is a function step_NAME listed in `steps` below and prints its own wall time and
# CPU time (user+sys of everything it ran); a summary follows at the end. To add a CI step, write
# a step_NAME function and append NAME to `steps`.
# Environment: FLOWFIT_BUILD_DIR (default build), FLOWFIT_JOBS (default: nproc),
# FLOWFIT_ALLOW_SKIPS=1 (accept skipped tests that need no CUDA device), FLOWFIT_FUZZ_SECONDS
# (seconds per harness in step fuzz, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FLOWFIT_BUILD_DIR:-build}
jobs=${FLOWFIT_JOBS:-$(nproc 2>/dev/null || echo 2)}
steps=(install_deps configure build test sanitize fuzz_build fuzz)

have_nvcc() { command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]]; }

# ---- steps ------------------------------------------------------------------------------------
step_install_deps() {
  tools/install_deps.sh
}

step_configure() {
  local cuda=OFF
  if have_nvcc; then cuda=ON; fi
  echo "CUDA backend: $cuda (nvcc $(have_nvcc && echo found || echo 'not found'))"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DFLOWFIT_CUDA="$cuda" \
    -DFLOWFIT_BUILD_TESTS=ON -DFLOWFIT_BUILD_BENCH=OFF >"$build_dir.configure.log" 2>&1 ||
    { cat "$build_dir.configure.log"; return 1; }
  grep -E '^-- (flowfit|Found CUDAToolkit)' "$build_dir.configure.log" || true
}

step_build() {
  cmake --build "$build_dir" -j"$jobs"
}

# A test that skips because something tools/install_deps.sh installs is missing (scipy, say)
# would hide a set-up bug behind a green run: only tests that need a CUDA device may skip,
# unless FLOWFIT_ALLOW_SKIPS=1.
step_test() {
  run_ctest "$build_dir" '' 'cuda|gpu|device'
}

# ctest in DIR with extra arguments EXTRA (one word list) and the tests allowed to skip (an
# extended regex over ctest's "did not run" lines).
run_ctest() {
  local dir=$1 extra=$2 allowed=$3
  local log="$dir/ctest.log" skipped unexpected
  local rc=0
  # shellcheck disable=SC2086 # extra is a word list
  (cd "$dir" && ctest --output-on-failure -j"$jobs" $extra) 2>&1 | tee "$log" || rc=$?
  # Checked explicitly: steps run as `step_X || rc=$?`, where set -e is off inside the function.
  if ((rc != 0)); then
    echo "run_tests: ctest failed (exit $rc)"
    return "$rc"
  fi
  skipped=$(sed -n '/The following tests did not run:/,$p' "$log" | grep '(Skipped)' || true)
  if [[ -n $skipped ]]; then
    echo "skipped: $(wc -l <<<"$skipped") tests (allowed to skip: $allowed)"
  fi
  unexpected=$(grep -v -i -E "$allowed" <<<"$skipped" || true)
  if [[ -n $unexpected && ${FLOWFIT_ALLOW_SKIPS:-0} != 1 ]]; then
    echo "run_tests: these tests skipped although they need no CUDA device (a missing package?):"
    echo "$unexpected"
    return 1
  fi
}

# The whole suite under AddressSanitizer + UBSan (FLOWFIT_SANITIZE; findings abort the test that
# hit them): its own build directory, CPU-only, -O1 (a third of -O2's compile time, still fast
# enough to run every test), library, CLI and tests only. Left out, each with its reason:
#   * the Python module (FLOWFIT_PYTHON=OFF): an instrumented extension needs libasan preloaded
#     into /usr/bin/python3, which is not instrumented; step test runs the Python tests;
#   * install_consumer_readme: builds an uninstrumented consumer against the instrumented
#     library (unresolved __asan symbols); it tests packaging, which step test covers;
#   * clang_format_check and gpu_check_control_flow: scripts, no flowfit code runs in them.
# The tests that exist to show a child's address-space cap holds (`ulimit -v`, two of
# CliHostileInput.*; the third runs uncapped) skip themselves under
# ASan, whose shadow memory reserves terabytes of address space: the only skips allowed here
# besides those needing a CUDA device.
step_sanitize() {
  local dir="$build_dir-asan"
  mkdir -p "$dir"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DFLOWFIT_CUDA=OFF -DFLOWFIT_BUILD_TESTS=ON -DFLOWFIT_BUILD_BENCH=OFF -DFLOWFIT_PYTHON=OFF \
    -DFLOWFIT_SANITIZE=address,undefined >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$jobs" || return
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest "$dir" "-E ^(install_consumer_readme|clang_format_check|gpu_check_control_flow)$" \
    'cuda|gpu|device|CliHostileInput\.(HugeShapes|InfoOnFewEntries)'
}

# The libFuzzer harnesses (tests/fuzz: one per reader), a standalone CMake project built with
# Debian's clang (tools/install_deps.sh installs clang and libclang-rt-14-dev).
step_fuzz_build() {
  local dir="$build_dir-fuzz"
  mkdir -p "$dir"
  cmake -S tests/fuzz -B "$dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$jobs"
}

# A bounded run of every harness over the seed corpora (tools/fuzz_smoke.sh; fails on the first
# finding, its reproducer kept in the build directory). Needs step fuzz_build.
step_fuzz() {
  tools/fuzz_smoke.sh "$build_dir-fuzz" "${FLOWFIT_FUZZ_SECONDS:-20}"
}

# ---- driver -----------------------------------------------------------------------------------
if [[ ${1:-} == --list ]]; then
  printf '%s\n' "${steps[@]}"
  exit 0
fi
if (($#)); then steps=("$@"); fi
for s in "${steps[@]}"; do
  declare -F "step_$s" >/dev/null || { echo "run_tests: unknown step '$s' (--list)" >&2; exit 2; }
done

# CPU seconds of everything this shell has run so far (bash `times`: children's user + sys), into
# $cpu. `times` must run in this shell, not in a $(...) subshell (whose children are none).
cpu_now() {
  times >"$times_file"
  cpu=$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] }
                       printf "%.0f", s }' "$times_file")
}
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT

summary=()
total_start=$SECONDS
for s in "${steps[@]}"; do
  echo "=== $s"
  start=$SECONDS
  cpu_now
  cpu_start=$cpu
  rc=0
  "step_$s" || rc=$?
  cpu_now
  line=$(printf '%-14s %6d s wall %7d s CPU' "$s" $((SECONDS - start)) $((cpu - cpu_start)))
  summary+=("$line")
  echo "=== $line$( ((rc)) && echo "  FAILED (exit $rc)")"
  if ((rc)); then
    printf 'run_tests: step %s failed; steps run:\n' "$s"
    printf '  %s\n' "${summary[@]}"
    exit "$rc"
  fi
done
echo "=== run_tests: all steps passed in $((SECONDS - total_start)) s ($build_dir, $jobs jobs)"
printf '  %s\n' "${summary[@]}"
