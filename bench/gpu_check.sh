#!/usr/bin/env bash
# One command for a GPU machine: configure with the CUDA backend into build-gpu, build, run the
# test suite (ctest), check that the CUDA tests really ran (not skipped), run the benchmarks with
# --backend cuda (and one CPU run to compare), run the bandwidth benchmark (issue 3), run the CUDA
# tests under compute-sanitizer, print nvidia-smi, and print a short results table last.
#
#   bench/gpu_check.sh               on the GPU machine (any working directory)
#   bench/gpu_check.sh --fetch-deps  on a Debian machine with apt (this project's dev machine):
#                                    downloads the Debian packages flowfit builds against into
#                                    .deps/ (git-ignored) so that a GPU machine without them and
#                                    without network can carry them; gpu_check.sh unpacks them
#                                    into .deps/root when the system lacks them.
#
# Environment (all optional):
#   OUT               folder for logs (gpu_check.log, build, ctest, bench and sanitizer logs)
#   JOBS              parallel build/test jobs (default: nproc)
#   CUDA_ARCH         CMAKE_CUDA_ARCHITECTURES (default: the device's compute capability,
#                     else "80;90")
#   BENCH_NNZ         nonzeros for benches that take --nnz (default "1e7"; e.g. "1e7 1e8")
#   BENCH_ITERATIONS  iterations for benches that take --iterations (default 3000)
#   BENCH_ARGS        extra arguments for every bench
#   BENCH_CPU=0       skip the CPU comparison run
#   BANDWIDTH_NNZ     nonzeros for cuda_bandwidth_bench (default 1e8); SKIP_BANDWIDTH=1 skips it
#   SKIP_TESTS=1, SKIP_BENCH=1, SANITIZE=0   skip those steps
set -Eeuo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

deb_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev libbenchmark1debian
  libfmt-dev libfmt9 libtomlplusplus-dev libtomlplusplus3 libcli11-dev nlohmann-json3-dev
  libzip-dev libzip4 zipcmp zipmerge ziptool zlib1g-dev zlib1g libbz2-1.0
)

if [[ "${1:-}" == "--fetch-deps" ]]; then
  mkdir -p .deps
  exclude="$(git rev-parse --git-path info/exclude)"
  mkdir -p "$(dirname "$exclude")"
  grep -qx '/.deps/' "$exclude" 2>/dev/null || echo '/.deps/' >>"$exclude"
  (cd .deps && apt-get download "${deb_packages[@]}")
  du -sh .deps
  echo "gpu_check: packages in .deps/; carry '.deps' to the GPU machine"
  exit 0
fi

log_dir="${OUT:-$repo/build-gpu-logs}"
mkdir -p "$log_dir"
main_log="$log_dir/gpu_check.log"
: >"$main_log"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 4)}"

step="start"
results=()   # "step|status|seconds|note"
t_step=0
say() { echo "gpu_check: $*" | tee -a "$main_log"; }
begin() {
  step="$1"
  t_step=$(date +%s.%N)
  say "=== $step"
}
elapsed() { awk -v a="$t_step" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
done_step() { results+=("$step|${2:-ok}|$(elapsed)|${1:-}"); }

print_table() {
  echo
  echo "================ gpu_check results ================"
  printf '%-28s %-8s %9s  %s\n' "step" "status" "seconds" "note"
  for r in "${results[@]}"; do
    IFS='|' read -r s st sec note <<<"$r"
    printf '%-28s %-8s %9s  %s\n' "$s" "$st" "$sec" "$note"
  done
  if ((${#bench_rows[@]} > 0)); then
    echo
    echo "benchmarks:"
    printf '%s\n' "${bench_rows[@]}"
  fi
  if ((${#bandwidth_rows[@]} > 0)); then
    echo
    echo "bandwidth (cuda_bandwidth_bench, issue 3):"
    printf '%s\n' "${bandwidth_rows[@]}"
  fi
  echo "logs: $log_dir"
}
bench_rows=()
bandwidth_rows=()
failed=0
on_error() {
  ((failed)) && return 0  # already reported (the trap also fires in subshells)
  failed=1
  results+=("$step|FAILED|$(elapsed)|line $1; see $log_dir")
  echo "gpu_check: FAILED at step '$step' (line $1); logs in $log_dir" | tee -a "$main_log" >&2
}
# A failed step that does not stop the run (what was built can still be tested).
soft_fail() {
  failed=1
  results+=("$step|FAILED|$(elapsed)|$1")
  echo "gpu_check: FAILED at step '$step': $1 (continuing)" | tee -a "$main_log" >&2
}
trap 'on_error $LINENO' ERR
trap 'rc=$?; print_table | tee -a "$main_log"; ((failed)) && exit 1; exit $rc' EXIT

# ---- machine ----------------------------------------------------------------------------------
begin "machine"
nvcc_bin="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
[[ -x "$nvcc_bin" ]] || { say "no nvcc found"; false; }
export PATH="$(dirname "$nvcc_bin"):$PATH"
cmake --version | head -1 | tee -a "$main_log"
"$nvcc_bin" --version | tail -2 | tee -a "$main_log"
gpu="none"
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu="$(nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv,noheader 2>&1 |
    head -1 || true)"
fi
arch="${CUDA_ARCH:-}"
if [[ -z "$arch" ]]; then
  cap="$( (nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null || true) |
    head -1 | tr -d ' .' | grep -E '^[0-9]+$' || true)"
  arch="${cap:-80;90}"
fi
done_step "$gpu; CUDA arch $arch"

# ---- dependencies: system packages, else the carried .deps/*.deb ------------------------------
begin "dependencies"
prefix_note="system"
if compgen -G ".deps/*.deb" >/dev/null; then
  mkdir -p .deps/root
  for d in .deps/*.deb; do
    if command -v dpkg-deb >/dev/null 2>&1; then
      dpkg-deb -x "$d" .deps/root
    else
      tmp="$(mktemp -d)"
      (cd "$tmp" && ar x "$repo/$d" && tar -xf data.tar.* -C "$repo/.deps/root")
      rm -rf "$tmp"
    fi
  done
  export CMAKE_PREFIX_PATH="$repo/.deps/root/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  # Appended: the machine's own libraries keep precedence.
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$repo/.deps/root/usr/lib/x86_64-linux-gnu:$repo/.deps/root/lib/x86_64-linux-gnu"
  prefix_note="system + .deps/root ($(ls .deps/*.deb | wc -l) packages)"
fi
done_step "$prefix_note"

# ---- configure and build ------------------------------------------------------------------------
begin "configure"
# CMake older than 3.26 does not know nvcc's C++20 flag; these cache entries supply it (harmless
# where CMake knows it).
cmake -S . -B build-gpu -DFLOWFIT_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" \
  -DCMAKE_CUDA20_STANDARD_COMPILE_OPTION=-std=c++20 \
  -DCMAKE_CUDA20_EXTENSION_COMPILE_OPTION=-std=c++20 \
  >"$log_dir/configure.log" 2>&1 || { tail -40 "$log_dir/configure.log"; false; }
grep -q "CUDA backend ON" "$log_dir/configure.log" || { say "CUDA backend not enabled"; false; }
done_step "build-gpu, CUDA on"

begin "build"
keep_going=(-k)  # make: keep going past a failed target, so the rest can still be tested
grep -q 'CMAKE_GENERATOR:INTERNAL=Ninja' build-gpu/CMakeCache.txt && keep_going=(-k 0)
if cmake --build build-gpu -j"$jobs" -- "${keep_going[@]}" >"$log_dir/build.log" 2>&1; then
  done_step "$(grep -c -i 'warning' "$log_dir/build.log" || true) warning lines"
else
  grep -E 'error|Error' "$log_dir/build.log" | head -30
  soft_fail "some targets failed to build (see build.log)"
fi
[[ -x build-gpu/tests/flowfit_tests ]] || { say "the test binary was not built"; false; }

# ---- tests --------------------------------------------------------------------------------------
if [[ "${SKIP_TESTS:-0}" != 1 ]]; then
  begin "ctest"
  set +e
  (cd build-gpu && ctest --output-on-failure -j"$jobs") >"$log_dir/ctest.log" 2>&1
  rc=$?
  set -e
  summary="$(grep -E 'tests passed|tests failed' "$log_dir/ctest.log" | tail -1)"
  if ((rc != 0)); then
    grep -E '\(Failed\)|\*\*\*|Exception' "$log_dir/ctest.log" | head -30 || true
    soft_fail "$summary"
  else
    done_step "$summary"
  fi

  begin "cuda tests ran on device"
  test_bin="build-gpu/tests/flowfit_tests"
  set +e
  "$test_bin" --gtest_filter='Cuda*:*cuda*:*Cuda*' >"$log_dir/cuda_tests.log" 2>&1
  rc=$?
  set -e
  ran="$(grep -c '^\[       OK \]' "$log_dir/cuda_tests.log" || true)"
  skipped="$(grep '^\[  SKIPPED \]' "$log_dir/cuda_tests.log" | grep -v 'WithoutDevice' |
    grep -c -v 'tests, listed below' || true)"
  if grep -q 'no CUDA device present' "$log_dir/cuda_tests.log"; then
    soft_fail "CUDA tests were skipped: no device visible to the CUDA runtime"
  elif ((rc != 0)); then
    grep -E '^\[  FAILED  \]' "$log_dir/cuda_tests.log" | head -20 || true
    soft_fail "$ran passed, $(grep -c '^\[  FAILED  \]' "$log_dir/cuda_tests.log" || true) failed lines"
  else
    done_step "$ran passed, $skipped skipped"
  fi
fi

# ---- benchmarks ---------------------------------------------------------------------------------
if [[ "${SKIP_BENCH:-0}" != 1 ]]; then
  for b in build-gpu/bench/*_bench; do
    [[ -x "$b" && -f "$b" ]] || continue
    name="$(basename "$b")"
    [[ "$name" == cuda_bandwidth_bench ]] && continue  # its own step below
    help="$("$b" --help 2>&1 || true)"
    if ! grep -q -- '--backend' <<<"$help"; then
      say "$name takes no --backend: skipped"
      continue
    fi
    runs=()
    for nnz in ${BENCH_NNZ:-1e7}; do
      args=(--backend cuda)
      grep -q -- '--nnz' <<<"$help" && args+=(--nnz "$nnz")
      grep -q -- '--iterations' <<<"$help" && args+=(--iterations "${BENCH_ITERATIONS:-3000}")
      runs+=("${args[*]}")
      grep -q -- '--nnz' <<<"$help" || break
    done
    if [[ "${BENCH_CPU:-1}" == 1 ]]; then
      cpu_args="${runs[0]/--backend cuda/--backend cpu}"
      runs+=("$cpu_args")
    fi
    i=0
    for r in "${runs[@]}"; do
      i=$((i + 1))
      begin "$name #$i"
      # shellcheck disable=SC2086
      if ! "$b" $r ${BENCH_ARGS:-} >"$log_dir/${name}_$i.log" 2>&1; then
        tail -20 "$log_dir/${name}_$i.log"
        soft_fail "$r"
        continue
      fi
      if ((${#bench_rows[@]} == 0)); then
        header="$(grep -m1 -E '^\| backend \|' "$log_dir/${name}_$i.log" || true)"
        [[ -n "$header" ]] && bench_rows+=("$header")
      fi
      while IFS= read -r line; do bench_rows+=("$line"); done < <(
        grep -E '^\| ' "$log_dir/${name}_$i.log" | grep -v -E '^\| backend \|' || true
        grep -E '^ratio|^check:' "$log_dir/${name}_$i.log" | sed "s/^/  ($name #$i) /" || true
      )
      done_step "$r"
    done
  done
fi

# ---- bandwidth figures (issue 3) ------------------------------------------------------------------
# D2D copy vs the aggregate and apply passes of the county stage, the stage on GPU vs CPU; its
# table lines (and the stage, device and check lines) go into the final table.
if [[ "${SKIP_BENCH:-0}" != 1 && "${SKIP_BANDWIDTH:-0}" != 1 ]]; then
  begin "cuda_bandwidth_bench"
  bw_bin="build-gpu/bench/cuda_bandwidth_bench"
  bw_args=(--nnz "${BANDWIDTH_NNZ:-1e8}" --iterations "${BENCH_ITERATIONS:-3000}")
  if [[ ! -x "$bw_bin" ]]; then
    soft_fail "not built (see build.log)"
  elif "$bw_bin" "${bw_args[@]}" >"$log_dir/cuda_bandwidth_bench.log" 2>&1; then
    while IFS= read -r line; do bandwidth_rows+=("$line"); done < <(
      grep -E '^(\| |device:|stage |check:)' "$log_dir/cuda_bandwidth_bench.log" || true
    )
    done_step "${bw_args[*]}"
  else
    tail -20 "$log_dir/cuda_bandwidth_bench.log"
    soft_fail "${bw_args[*]} (see cuda_bandwidth_bench.log)"
  fi
fi

# ---- compute-sanitizer on the CUDA tests ----------------------------------------------------------
if [[ "${SANITIZE:-1}" == 1 && "${SKIP_TESTS:-0}" != 1 ]]; then
  begin "compute-sanitizer memcheck"
  san="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
  if [[ -x "$san" ]]; then
    if timeout 600 "$san" --tool memcheck --error-exitcode 3 build-gpu/tests/flowfit_tests \
      --gtest_filter='CudaKernels.*:CudaQuotient.*:CudaAssembly.*' >"$log_dir/sanitizer.log" 2>&1; then
      done_step "$(grep 'ERROR SUMMARY' "$log_dir/sanitizer.log" | tail -1)"
    else
      grep -E 'ERROR SUMMARY|Invalid|out of bounds|FAILED' "$log_dir/sanitizer.log" | head -20 || true
      soft_fail "$(grep 'ERROR SUMMARY' "$log_dir/sanitizer.log" | tail -1 || echo 'see sanitizer.log')"
    fi
  else
    done_step "compute-sanitizer not found" "skipped"
  fi
fi

# ---- the card -----------------------------------------------------------------------------------
begin "nvidia-smi"
nvidia-smi 2>&1 | tee "$log_dir/nvidia-smi.log" || true
done_step
