#!/usr/bin/env bash
# Runs bench/gpu_check.sh in its control-flow test mode (every build and device command a stub)
# and checks what a device run would hand back: the results table (also after a failure, a
# timeout, a lack of time or SIGTERM), each step's limit, and exactly two files in $OUT.
#   gpu_check_control_flow.sh path/to/bench/gpu_check.sh
set -u
script="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run CASE [VAR=value ...]: one fake run with its own $OUT, logs and build folder.
run() {
  local case="$1"
  shift
  mkdir -p "$work/$case/out"
  local t0=$(date +%s)
  env -u FLOWFIT_GPU_CHECK_FAKE_FAIL -u FLOWFIT_GPU_CHECK_FAKE_HANG \
    FLOWFIT_GPU_CHECK_FAKE=1 OUT="$work/$case/out" GPU_CHECK_LOG_DIR="$work/$case/logs" \
    GPU_CHECK_BUILD_DIR="$work/$case/build" "$@" >"$work/$case/stdout" 2>&1
  rc=$?
  seconds=$(($(date +%s) - t0))
  log="$work/$case/out/gpu_check.log"
}
# expect_row CASE STEP STATUS: the table in $OUT/gpu_check.log has STEP with STATUS.
expect_row() {
  grep -qE "^$2 +$3 " <(sed -n '/gpu_check results/,$p' "$log") ||
    fail "$1: expected step '$2' with status $3 in the table"
}
expect_files() {
  local n
  n=$(find "$work/$1/out" -type f | wc -l)
  ((n == 2)) || fail "$1: $n files in \$OUT, expected 2: $(ls -A "$work/$1/out" | tr '\n' ' ')"
  [[ -s "$work/$1/out/gpu_check.log" ]] || fail "$1: no gpu_check.log in \$OUT"
  tar -tzf "$work/$1/out/logs.tgz" >"$work/$1/tar.list" 2>&1 || fail "$1: logs.tgz unreadable"
}
expect_table() {
  local n
  n=$(grep -c "gpu_check results" "$log")
  ((n == 1)) || fail "$1: $n results tables in gpu_check.log, expected 1"
  grep -q "gpu_check results" "$work/$1/stdout" || fail "$1: no results table on stdout"
}

# A: defaults of the fake mode: gpu_tests fails, county_1e8 hangs until its 2 s limit.
run a bash "$script"
((rc == 1)) || fail "a: exit $rc, expected 1 (a failed and a timed-out step)"
expect_files a
expect_table a
for s in machine deps configure build county_1e7 bandwidth extras_build extras_kernels \
  extras_sort_path; do expect_row a "$s" ok; done
expect_row a gpu_tests FAILED
expect_row a county_1e8 TIMEOUT
grep -qE '^county_1e8 +TIMEOUT +[0-9]+ +2 ' "$log" || fail "a: county_1e8 did not run under its 2 s limit"
t=$(grep -E '^county_1e8 +TIMEOUT' "$log" | awk '{print $3}')
# Its limit plus timeout's 5 s grace at most (loose: a loaded CI machine runs stubs slowly).
((t >= 1 && t <= 8)) || fail "a: county_1e8 took $t s, expected about its 2 s limit"
grep -qE 'gpu_tests +FAILED .*exit 3' "$log" || fail "a: gpu_tests note lacks its exit code"
grep -q '(county_1e7) | cuda | fake' "$log" || fail "a: benchmark rows missing from the table"
grep -q 'sanitizer' "$log" && fail "a: the sanitizer ran although SANITIZE is off by default"
grep -q './gpu_tests.log' "$work/a/tar.list" || fail "a: logs.tgz lacks gpu_tests.log"
grep -q './county_1e8.log' "$work/a/tar.list" || fail "a: logs.tgz lacks county_1e8.log"

# B: too little time: the first step uses it up; the rest are skipped, the table still prints.
run b GPU_CHECK_TOTAL_S=14 FLOWFIT_GPU_CHECK_FAKE_STEP_S=4 FLOWFIT_GPU_CHECK_FAKE_HANG=machine \
  bash "$script"
((rc == 1)) || fail "b: exit $rc, expected 1"
expect_files b
expect_table b
expect_row b machine TIMEOUT
expect_row b configure SKIPPED
grep -qE '^configure +SKIPPED .*no time left' "$log" || fail "b: configure not skipped for time"
grep -qE '^build +SKIPPED .*not configured' "$log" || fail "b: build not skipped as unconfigured"
grep -qE '^gpu_tests +SKIPPED .*not built' "$log" || fail "b: gpu_tests not skipped as unbuilt"
# No step starts past the overall limit: the run ends within it plus the packaging reserve.
((seconds <= 24)) || fail "b: took $seconds s, over its 14 s limit and the reserve"

# C: SIGTERM from outside in the middle of a step: the step is marked, the table still prints.
mkdir -p "$work/c/out"
t0=$(date +%s)
env -u FLOWFIT_GPU_CHECK_FAKE_FAIL FLOWFIT_GPU_CHECK_FAKE=1 OUT="$work/c/out" \
  GPU_CHECK_LOG_DIR="$work/c/logs" GPU_CHECK_BUILD_DIR="$work/c/build" GPU_CHECK_TOTAL_S=120 \
  FLOWFIT_GPU_CHECK_FAKE_STEP_S=60 FLOWFIT_GPU_CHECK_FAKE_HANG=gpu_tests \
  bash "$script" >"$work/c/stdout" 2>&1 &
pid=$!
for _ in $(seq 1 200); do  # until the hanging step has started (at most 20 s)
  grep -q '=== gpu_tests' "$work/c/logs/gpu_check.log" 2>/dev/null && break
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
seconds=$(($(date +%s) - t0))
log="$work/c/out/gpu_check.log"
((rc != 0)) || fail "c: exit 0 after SIGTERM"
expect_files c
expect_table c
expect_row c build ok
expect_row c gpu_tests KILLED
((seconds < 40)) || fail "c: took $seconds s to stop after SIGTERM"

# D: nothing fails; the sanitizer is asked for but refused by the runtime: skipped, not failed.
run d FLOWFIT_GPU_CHECK_FAKE_FAIL= FLOWFIT_GPU_CHECK_FAKE_HANG= SANITIZE=1 \
  FLOWFIT_GPU_CHECK_FAKE_SANITIZER=refuse CTEST=1 EXTRAS=0 bash "$script"
((rc == 0)) || fail "d: exit $rc, expected 0"
expect_files d
expect_table d
expect_row d gpu_tests ok
expect_row d sanitizer_probe SKIPPED
grep -qE '^sanitizer +' "$log" && fail "d: the sanitizer ran after its probe was refused"
expect_row d ctest ok
grep -q '2 passed, 0 failed, 1 skipped' "$log" || fail "d: gpu_tests counts not parsed"

if ((failures > 0)); then
  for c in a b c d; do
    echo "---- case $c: stdout"
    cat "$work/$c/stdout" 2>/dev/null
  done
  echo "$failures check(s) failed"
  exit 1
fi
echo "gpu_check control flow: all checks passed"
