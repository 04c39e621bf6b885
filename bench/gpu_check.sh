#!/usr/bin/env bash
# One command for a lent GPU machine (the device tool: ~15 minutes of device time in all, at most
# 10 minutes per command, at most 8 files back from $OUT). Builds only what the GPU checks need,
# runs the CUDA tests once, the county benchmark at 1e7 and 1e8 nonzeros, the bandwidth benchmark,
# then optional extras, each step under its own time limit inside one overall limit, and prints a
# results table last, also when a step fails or times out (or the script gets SIGTERM/SIGINT).
#
#   bench/gpu_check.sh               on the GPU machine (any working directory)
#   bench/gpu_check.sh --fetch-deps  on a Debian machine with apt (this project's dev machine):
#                                    downloads the Debian packages flowfit builds against into
#                                    .deps/ (git-ignored); carry '.deps' to the GPU machine, where
#                                    they are unpacked into .deps/root when the system lacks them.
#
# What comes back: with OUT set, $OUT holds exactly two files, refreshed after every step:
# gpu_check.log (the main log, ending with the table) and logs.tgz (every step's full log).
# The logs themselves are written outside $OUT (GPU_CHECK_LOG_DIR, default build-gpu-logs/).
#
# Environment (all optional):
#   GPU_CHECK_TOTAL_S   overall limit in seconds (default 510, i.e. 8.5 minutes: inside the device
#                       tool's 600 s per command, with room to package the logs)
#   JOBS                parallel build jobs (default: nproc)
#   CUDA_ARCH           CMAKE_CUDA_ARCHITECTURES (default: the device's compute capability, else 90)
#   BENCH_ITERATIONS    county IPF iterations of the benchmarks (default 3000)
#   BANDWIDTH_NNZ       nonzeros of cuda_bandwidth_bench (default 1e8)
#   EXTRAS=0            skip the optional extras (kernels_bench, aggregate cross-check bench)
#   SANITIZE=1          also run the CUDA tests under compute-sanitizer memcheck (off by default;
#                       probed first on one small test, skipped when the runtime refuses it)
#   CTEST=1             also run the whole ctest suite (off by default: the CPU suite runs in CI)
#   GPU_CHECK_LOG_DIR   where the logs are written (default: <repo>/build-gpu-logs)
#   GPU_CHECK_BUILD_DIR the CUDA build folder (default: <repo>/build-gpu)
#
# Control-flow test mode (tests/cmake/gpu_check_control_flow.cmake runs it in CI, no GPU, builds
# nothing): FLOWFIT_GPU_CHECK_FAKE=1 replaces every build and device command by a stub (this
# script with --fake-step NAME). Stubs print logs shaped like the real ones; the step named in
# FLOWFIT_GPU_CHECK_FAKE_FAIL (default gpu_tests) fails, the one in FLOWFIT_GPU_CHECK_FAKE_HANG
# (default county_1e8) sleeps until its limit, and FLOWFIT_GPU_CHECK_FAKE_SANITIZER=refuse makes
# the sanitizer probe answer as gVisor does. Per-step limits are capped at
# FLOWFIT_GPU_CHECK_FAKE_STEP_S (default 2) seconds and the overall limit defaults to 120 s.
set -u

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
repo="$(cd "$(dirname "$self")/.." && pwd)"

# ---- stubs of the control-flow test mode --------------------------------------------------------
if [[ "${1:-}" == "--fake-step" ]]; then
  name="$2"
  if [[ "$name" == "${FLOWFIT_GPU_CHECK_FAKE_HANG-county_1e8}" ]]; then
    echo "fake $name: hanging"
    sleep 600
  fi
  if [[ "$name" == "${FLOWFIT_GPU_CHECK_FAKE_FAIL-gpu_tests}" ]]; then
    echo "fake $name: failing on purpose"
    [[ "$name" == gpu_tests ]] && echo "[  FAILED  ] CudaKernels.FakeFailure (1 ms)"
    exit 3
  fi
  case "$name" in
    machine)
      echo "NVIDIA H200 (fake), 9.0, 580.00, Default, 143771 MiB"
      ;;
    build)
      # "Builds" the binaries the later steps look for: executable stubs.
      for b in tests/flowfit_tests bench/county_ipf_bench bench/cuda_bandwidth_bench \
        bench/kernels_bench; do
        mkdir -p "$GPU_CHECK_BUILD_DIR/$(dirname "$b")"
        printf '#!/bin/sh\nexit 0\n' >"$GPU_CHECK_BUILD_DIR/$b"
        chmod +x "$GPU_CHECK_BUILD_DIR/$b"
      done
      echo "[100%] Built target flowfit_tests (fake)"
      ;;
    gpu_tests)
      echo "[       OK ] CudaKernels.Fake (1 ms)"
      echo "[       OK ] CudaQuotient.Fake (1 ms)"
      echo "[  SKIPPED ] CudaAvailability.Fake (0 ms)"
      echo "[  PASSED  ] 2 tests."
      echo "[  SKIPPED ] 1 test, listed below:"
      echo "[  SKIPPED ] CudaAvailability.Fake"
      ;;
    county_* | bandwidth* | extras_*)
      echo "| backend | nnz | s |"
      echo "| cuda | fake | 0.001 |"
      echo "check: fake"
      ;;
    sanitizer_probe)
      if [[ "${FLOWFIT_GPU_CHECK_FAKE_SANITIZER:-ok}" == refuse ]]; then
        echo "========= Error: Device not supported (fake)"
        exit 1
      fi
      echo "========= ERROR SUMMARY: 0 errors"
      ;;
    sanitizer | ctest)
      echo "========= ERROR SUMMARY: 0 errors"
      echo "100% tests passed, 0 tests failed out of 1"
      ;;
    *)
      echo "fake $name: ok"
      ;;
  esac
  exit 0
fi

cd "$repo" || exit 2

deb_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev libbenchmark1debian
  libfmt-dev libfmt9 libtomlplusplus-dev libtomlplusplus3 libcli11-dev nlohmann-json3-dev
  libzip-dev libzip4 zlib1g-dev zlib1g libbz2-1.0 pkgconf pkgconf-bin libpkgconf3
)

if [[ "${1:-}" == "--fetch-deps" ]]; then
  mkdir -p .deps || exit 1
  exclude="$(git rev-parse --git-path info/exclude)"
  mkdir -p "$(dirname "$exclude")"
  grep -qx '/.deps/' "$exclude" 2>/dev/null || echo '/.deps/' >>"$exclude"
  (cd .deps && apt-get download "${deb_packages[@]}") || exit 1
  du -sh .deps
  echo "gpu_check: packages in .deps/; carry '.deps' to the GPU machine"
  exit 0
fi

fake="${FLOWFIT_GPU_CHECK_FAKE:-0}"
if [[ "$fake" == 1 ]]; then
  total_s="${GPU_CHECK_TOTAL_S:-120}"
  fake_cap="${FLOWFIT_GPU_CHECK_FAKE_STEP_S:-2}"
  min_step_s=1
else
  total_s="${GPU_CHECK_TOTAL_S:-510}"
  min_step_s=5  # a step is not started with less time than this left
fi
reserve_s=10  # kept back at the end for the table and the packaging
t_start=$(date +%s)
deadline=$((t_start + total_s))
build_dir="${GPU_CHECK_BUILD_DIR:-$repo/build-gpu}"
export GPU_CHECK_BUILD_DIR="$build_dir"
log_dir="${GPU_CHECK_LOG_DIR:-$repo/build-gpu-logs}"
rm -rf "$log_dir" && mkdir -p "$log_dir" || exit 2
main_log="$log_dir/gpu_check.log"
: >"$main_log"
out_dir="${OUT:-}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 4)}"
# Load every kernel at start-up: a lazily loaded module would be timed in the first measured run.
export CUDA_MODULE_LOADING=EAGER

say() { echo "gpu_check: $*" | tee -a "$main_log"; }

# ---- results ----------------------------------------------------------------------------------
results=()     # "step|status|seconds|limit|note"
bench_rows=()  # table lines of the benchmarks
n_bad=0
record() {  # step status seconds limit note
  results+=("$1|$2|$3|$4|$5")
  [[ "$2" == FAILED || "$2" == TIMEOUT || "$2" == KILLED ]] && n_bad=$((n_bad + 1))
  say "$1: $2 (${3} s of ${4} s) $5"
}

print_table() {
  echo
  echo "================ gpu_check results ================"
  printf '%-18s %-8s %7s %6s  %s\n' "step" "status" "seconds" "limit" "note"
  local r s st sec lim note
  for r in "${results[@]}"; do
    IFS='|' read -r s st sec lim note <<<"$r"
    printf '%-18s %-8s %7s %6s  %s\n' "$s" "$st" "$sec" "$lim" "$note"
  done
  if ((${#bench_rows[@]} > 0)); then
    echo
    echo "benchmarks:"
    printf '%s\n' "${bench_rows[@]}"
  fi
  echo
  echo "gpu_check: $((${#results[@]} - n_bad)) steps ok or skipped, $n_bad failed or timed out;" \
    "$(($(date +%s) - t_start)) s of $total_s s; fake=$fake"
}

# Refreshes the two files of $OUT: the main log with the table so far, and every log in a tarball.
# Written next to the logs first, so $OUT never holds anything else, even when killed mid-way.
package() {
  [[ -n "$out_dir" ]] || return 0
  mkdir -p "$out_dir"
  { cat "$main_log"; print_table; } >"$log_dir/.gpu_check.log.tmp" 2>/dev/null
  tar -czf "$log_dir/.logs.tgz.tmp" -C "$log_dir" --exclude='.*.tmp' . 2>/dev/null
  mv -f "$log_dir/.gpu_check.log.tmp" "$out_dir/gpu_check.log"
  mv -f "$log_dir/.logs.tgz.tmp" "$out_dir/logs.tgz"
}

current_step=""
current_pid=""
current_t0=0
current_lim=0
finish() {
  local rc=$1
  print_table  # package() appends the table to its copy of the main log
  package
  exit "$rc"
}
in_step=0
on_signal() {
  # Every background job (the step's `timeout`, also when the signal came before its pid was
  # stored), then the step is recorded as killed.
  local pids
  pids="$(jobs -p)"
  if [[ -n "$pids" ]]; then
    kill -TERM $pids 2>/dev/null
    wait $pids 2>/dev/null
  fi
  if ((in_step)); then
    record "$current_step" KILLED "$(($(date +%s) - current_t0))" "$current_lim" \
      "the script got $1 during this step"
  fi
  say "interrupted by $1"
  n_bad=$((n_bad + 1))
  finish 143
}
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGINT' INT

# run_step NAME LIMIT_S COMMAND...: runs COMMAND (the stub in fake mode) with its output in
# $log_dir/NAME.log, under min(LIMIT_S, time left). Sets step_rc (0 ok, 124 timed out, else the
# exit code; 200 when skipped for lack of time) and step_s, step_lim. Records nothing itself.
step_rc=0
step_s=0
step_lim=0
run_step() {
  local name="$1" limit="$2"
  shift 2
  local left=$((deadline - $(date +%s) - reserve_s))
  [[ "$fake" == 1 && "$limit" -gt "$fake_cap" ]] && limit="$fake_cap"
  ((limit > left)) && limit=$left
  step_lim=$limit
  step_s=0
  if ((limit < min_step_s)); then
    step_rc=200
    return
  fi
  current_step="$name"
  current_t0=$(date +%s)
  current_lim=$limit
  in_step=1
  say "=== $name (limit $limit s)"
  if [[ "$fake" == 1 ]]; then
    set -- bash "$self" --fake-step "$name"
  fi
  # In the background and waited for, so that a signal to this script runs its trap at once.
  timeout --kill-after=5 "$limit" "$@" >"$log_dir/$name.log" 2>&1 &
  current_pid=$!
  wait "$current_pid"
  step_rc=$?
  current_pid=""
  in_step=0
  step_s=$(($(date +%s) - current_t0))
  ((step_rc == 137)) && step_rc=124  # killed after the grace period: still a timeout
}

# Records the step just run from step_rc: ok (with NOTE), FAILED (with the log's last lines),
# TIMEOUT or SKIPPED (no time left).
conclude() {
  local name="$1" note="${2:-}"
  case "$step_rc" in
    0) record "$name" ok "$step_s" "$step_lim" "$note" ;;
    124) record "$name" TIMEOUT "$step_s" "$step_lim" "stopped at its limit; see $name.log" ;;
    200) record "$name" SKIPPED 0 "$step_lim" "no time left" ;;
    *)
      record "$name" FAILED "$step_s" "$step_lim" \
        "exit $step_rc: $(grep -v '^\s*$' "$log_dir/$name.log" 2>/dev/null | tail -1 | cut -c1-90)"
      ;;
  esac
  package
}
skip() {
  record "$1" SKIPPED 0 0 "$2"
  package
}
# Table lines (and check/stage lines) of a benchmark log, prefixed with the step name.
collect_rows() {
  local name="$1" line
  while IFS= read -r line; do bench_rows+=("  ($name) $line"); done < <(
    grep -E '^(\| |check:|stage |device:|quotient:|(assign_cells|reduce_by_cell|scale_by_cell|quotient_sweep)/)' \
      "$log_dir/$name.log" 2>/dev/null
  )
}
have() { [[ -x "$build_dir/$1" && -f "$build_dir/$1" ]]; }

# ---- 1. the machine -----------------------------------------------------------------------------
machine_info() {
  echo "--- nvidia-smi (name, capability, driver, compute mode, memory, clocks, MIG)"
  nvidia-smi --query-gpu=name,compute_cap,driver_version,compute_mode,memory.total,memory.used,clocks.sm,clocks.mem,persistence_mode,mig.mode.current \
    --format=csv 2>&1
  echo "--- nvidia-smi"
  nvidia-smi 2>&1
  echo "--- toolchain"
  (command -v nvcc || ls /usr/local/cuda/bin/nvcc) 2>&1
  nvcc --version 2>&1 || /usr/local/cuda/bin/nvcc --version 2>&1
  cmake --version 2>&1 | head -1
  command -v ninja 2>&1
  echo "--- host"
  uname -a
  nproc
  free -g 2>&1
  true
}
if [[ "$fake" != 1 ]]; then
  export -f machine_info
  nvcc_bin="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
  export PATH="$(dirname "$nvcc_bin"):$PATH"
fi
run_step machine 30 bash -c machine_info
gpu="$(grep -m1 -E 'H200|H100|A100|NVIDIA|fake' "$log_dir/machine.log" 2>/dev/null | grep -v '^name' | cut -c1-80)"
conclude machine "${gpu:-no GPU listed by nvidia-smi}"

arch="${CUDA_ARCH:-}"
if [[ -z "$arch" ]]; then
  arch="$( (nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null || true) |
    head -1 | tr -d ' .' | grep -E '^[0-9]+$')"
  arch="${arch:-90}"
fi

# ---- 2. dependencies: the system's, else the carried .deps/*.deb --------------------------------
unpack_deps() {
  set -e
  mkdir -p .deps/root
  for d in .deps/*.deb; do
    if command -v dpkg-deb >/dev/null 2>&1; then
      dpkg-deb -x "$d" .deps/root
    else
      tmp="$(mktemp -d)"
      (cd "$tmp" && ar x "$OLDPWD/$d" && tar -xf data.tar.* -C "$OLDPWD/.deps/root")
      rm -rf "$tmp"
    fi
  done
  # The .pc files name prefix=/usr: point them at where they were unpacked.
  for pc in .deps/root/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc .deps/root/usr/share/pkgconfig/*.pc; do
    [[ -f "$pc" ]] && sed -i "s|^prefix=/usr\$|prefix=$PWD/.deps/root/usr|" "$pc"
  done
  ls .deps/*.deb | wc -l
}
if [[ "$fake" == 1 ]] || compgen -G ".deps/*.deb" >/dev/null; then
  [[ "$fake" != 1 ]] && export -f unpack_deps
  run_step deps 60 bash -c unpack_deps
  if [[ "$fake" != 1 ]]; then
    root="$repo/.deps/root"
    export CMAKE_PREFIX_PATH="$root/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
    # Appended: the machine's own libraries and tools keep precedence.
    export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu"
    export PATH="$PATH:$root/usr/bin"
    export PKG_CONFIG_PATH="${PKG_CONFIG_PATH:+$PKG_CONFIG_PATH:}$root/usr/lib/x86_64-linux-gnu/pkgconfig:$root/usr/share/pkgconfig"
  fi
  conclude deps "system + .deps/root"
else
  skip deps "system packages only (no .deps/*.deb carried)"
fi

# ---- 3. configure and build only what the GPU steps need ------------------------------------------
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
[[ -f "$build_dir/CMakeCache.txt" ]] && generator=()  # keep the existing build's generator
run_step configure 90 cmake -S "$repo" -B "$build_dir" "${generator[@]}" -DFLOWFIT_CUDA=ON \
  -DCMAKE_BUILD_TYPE=Release -DFLOWFIT_BUILD_BENCH=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
  -DCMAKE_POLICY_VERSION_MINIMUM=3.5
if ((step_rc == 0)) && [[ "$fake" != 1 ]] && ! grep -q "CUDA backend ON" "$log_dir/configure.log"; then
  step_rc=1
  echo "the CUDA backend was not enabled" >>"$log_dir/configure.log"
fi
conclude configure "$build_dir, CUDA arch $arch"
configured=$step_rc

# flowfit itself: the CLI tests among the CUDA tests run the binary.
targets=(flowfit_tests flowfit county_ipf_bench cuda_bandwidth_bench)
if ((configured == 0)); then
  # Keep going past a failed target, so that what was built can still run.
  keep=(-k)
  grep -q 'CMAKE_GENERATOR:INTERNAL=Ninja' "$build_dir/CMakeCache.txt" 2>/dev/null && keep=(-k 0)
  run_step build 300 cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}" -- "${keep[@]}"
  conclude build "targets ${targets[*]}; $(grep -c -i 'warning' "$log_dir/build.log" 2>/dev/null) warning lines"
else
  skip build "not configured"
fi

# ---- 4. the CUDA tests, once ----------------------------------------------------------------------
gtest_filter='Cuda*:*cuda*:*Cuda*'
if have tests/flowfit_tests; then
  run_step gpu_tests 120 "$build_dir/tests/flowfit_tests" --gtest_filter="$gtest_filter"
  log="$log_dir/gpu_tests.log"
  # Per-test lines only (they end in "(N ms)"; gtest's closing summary repeats the names).
  passed=$(grep -c -E '^\[       OK \] .*\([0-9]+ ms\)$' "$log" 2>/dev/null)
  failed=$(grep -c -E '^\[  FAILED  \] .*\([0-9]+ ms\)$' "$log" 2>/dev/null)
  skipped=$(grep -c -E '^\[  SKIPPED \] .*\([0-9]+ ms\)$' "$log" 2>/dev/null)
  if ((step_rc == 0)) && grep -q 'no CUDA device present' "$log"; then
    step_rc=1
    echo "CUDA tests were skipped: no device visible to the CUDA runtime" >>"$log"
  fi
  conclude gpu_tests "$passed passed, $failed failed, $skipped skipped"
else
  skip gpu_tests "flowfit_tests not built"
fi

# ---- 5. the county benchmark at 1e7 and 1e8 nonzeros ------------------------------------------------
iters="${BENCH_ITERATIONS:-3000}"
for nnz in 1e7 1e8; do
  name="county_$nnz"
  if have bench/county_ipf_bench; then
    naive=10
    [[ "$nnz" == 1e8 ]] && naive=0
    run_step "$name" 120 "$build_dir/bench/county_ipf_bench" --backend cuda --nnz "$nnz" \
      --iterations "$iters" --naive-iterations "$naive"
    collect_rows "$name"
    conclude "$name" "--backend cuda --nnz $nnz --iterations $iters"
  else
    skip "$name" "county_ipf_bench not built"
  fi
done

# ---- 6. bandwidth: D2D copy vs the aggregate and apply passes; the stage on GPU vs CPU ------------
bw_nnz="${BANDWIDTH_NNZ:-1e8}"
if have bench/cuda_bandwidth_bench; then
  run_step bandwidth 150 "$build_dir/bench/cuda_bandwidth_bench" --nnz "$bw_nnz" \
    --iterations "$iters"
  collect_rows bandwidth
  conclude bandwidth "--nnz $bw_nnz --iterations $iters"
else
  skip bandwidth "cuda_bandwidth_bench not built"
fi

# ---- 7. optional extras, while time is left ----------------------------------------------------------
if [[ "${EXTRAS:-1}" == 1 ]]; then
  if ((configured == 0)); then
    run_step extras_build 120 cmake --build "$build_dir" -j"$jobs" --target kernels_bench
    conclude extras_build "kernels_bench"
  fi
  if have bench/kernels_bench; then
    # Google Benchmark's own flags; the bench's --backends picks the CUDA backend.
    run_step extras_kernels 90 "$build_dir/bench/kernels_bench" --nnz=1e7 --backends=cuda \
      --benchmark_min_time=0.2
    collect_rows extras_kernels
    conclude extras_kernels "--nnz=1e7 --backends=cuda"
  else
    skip extras_kernels "kernels_bench not built"
  fi
  if have bench/cuda_bandwidth_bench; then
    # The sort-based aggregate path (the cross-check) at the same size, for its bandwidth figure.
    run_step extras_sort_path 90 "$build_dir/bench/cuda_bandwidth_bench" --nnz "$bw_nnz" \
      --iterations "$iters" --aggregate sort --no-stage
    collect_rows extras_sort_path
    conclude extras_sort_path "--aggregate sort --no-stage"
  fi
fi

if [[ "${SANITIZE:-0}" == 1 ]]; then
  san="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
  if [[ "$fake" == 1 || -x "$san" ]] && have tests/flowfit_tests; then
    # A probe first: under gVisor the sanitizer refuses the device ("Device not supported").
    run_step sanitizer_probe 60 "$san" --tool memcheck --error-exitcode 3 \
      "$build_dir/tests/flowfit_tests" --gtest_filter='Backends/BackendKernels.UploadDownloadRoundTrip/cuda'
    if ((step_rc == 0)); then
      conclude sanitizer_probe "memcheck runs here"
      run_step sanitizer 240 "$san" --tool memcheck --error-exitcode 3 \
        "$build_dir/tests/flowfit_tests" --gtest_filter='Backends/*/cuda:CudaAssembly.*'
      conclude sanitizer "$(grep 'ERROR SUMMARY' "$log_dir/sanitizer.log" 2>/dev/null | tail -1)"
    elif ((step_rc == 200)); then
      conclude sanitizer_probe
    else
      record sanitizer_probe SKIPPED "$step_s" "$step_lim" \
        "the sanitizer does not run here: $(grep -m1 -i -E 'not supported|error' "$log_dir/sanitizer_probe.log" | cut -c1-70)"
      package
    fi
  else
    skip sanitizer_probe "compute-sanitizer or flowfit_tests missing"
  fi
fi

if [[ "${CTEST:-0}" == 1 ]]; then
  if have tests/flowfit_tests; then
    run_step ctest 200 ctest --test-dir "$build_dir" --output-on-failure -j"$jobs"
    conclude ctest "$(grep -E 'tests passed|tests failed' "$log_dir/ctest.log" 2>/dev/null | tail -1)"
  else
    skip ctest "flowfit_tests not built"
  fi
fi

((n_bad > 0)) && finish 1
finish 0
