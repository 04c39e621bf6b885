#!/usr/bin/env bash
# The county IPF stage side by side with two scipy baselines, on the same synthetic national
# matrix (`flowfit synth`), idle and with a busy competitor on every core, with the OpenMP wait
# policy unset and passive; plus the whole-year peak RSS against the matrix's CSR bytes.
#
#   bench/county_stage_bench.sh [--quick] [--build DIR] [--work DIR] [--sizes "3e6 1e7"]
#                               [--iterations 3000] [--quotient-iterations N]
#                               [--two-vector-iterations 200] [--no-busy] [--no-scipy] [--no-rss]
#
# --quick: 3e6 only, the scipy quotient loop runs 300 iterations and the two-vector iteration 10
# (both scaled to --iterations); under 5 minutes on 2 idle cores. Without a flowfit executable in
# --build (default build/), a CPU-only Release build is configured and built there first.
#
# Per size: `flowfit synth --nnz SIZE`; stages 0-3 once (their output is the county stage's
# input); then the county stage alone (`flowfit run` on a one-stage plan) per wait policy and
# load, and bench/baselines/scipy_county_quotient.py (the quotient loop and the two-vector
# iteration, the latter scaled from --two-vector-iterations) per load. The competitor is one
# shell busy loop per core, started before and stopped after each measurement.
# Needs: cmake, ninja and a C++ compiler (tools/install_deps.sh) unless flowfit is built,
# /usr/bin/time (package `time`), and /usr/bin/python3 with scipy (python3-scipy). Prints markdown
# tables: seconds from run_report.json (county stage) and process CPU seconds (user + sys).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="$repo/build"
work="${TMPDIR:-/tmp}/flowfit-county-bench"
sizes="3e6 1e7"
iterations=3000
tv_iterations=200
q_iterations=""
busy=1
scipy=1
rss=1
year=2018
seed=1

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift ;;
    --work) work="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --iterations) iterations="$2"; shift ;;
    --two-vector-iterations) tv_iterations="$2"; shift ;;
    --quotient-iterations) q_iterations="$2"; shift ;;
    --quick) sizes="3e6"; q_iterations=300; tv_iterations=10 ;;
    --no-busy) busy=0 ;;
    --no-scipy) scipy=0 ;;
    --no-rss) rss=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "county_stage_bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "county_stage_bench: $*" >&2; exit 2; }
flowfit="$build/flowfit"
if [[ ! -x "$flowfit" ]]; then
  echo "== building flowfit (CPU-only Release) in $build" >&2
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOWFIT_CUDA=OFF \
    -DFLOWFIT_BUILD_TESTS=OFF -DFLOWFIT_BUILD_BENCH=OFF >"$build.configure.log" 2>&1 ||
    die "configure failed (see $build.configure.log)"
  cmake --build "$build" --target flowfit >"$build.build.log" 2>&1 || die "build failed (see $build.build.log)"
fi
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is needed: apt-get install time"
if [[ $scipy == 1 ]] && ! /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
  echo "county_stage_bench: no scipy for /usr/bin/python3 (apt-get install python3-scipy); skipping the baselines" >&2
  scipy=0
fi
mkdir -p "$work"

# The competitor: one busy loop per core, stopped by pid (and on exit).
busy_pids=()
start_busy() {
  local n; n=$(nproc)
  for ((i = 0; i < n; i++)); do
    bash -c 'while :; do :; done' &
    busy_pids+=($!)
  done
  sleep 0.5
}
stop_busy() {
  local p
  for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${busy_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  busy_pids=()
}
trap stop_busy EXIT

json() { /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
county_field() {  # county_field REPORT PYEXPR-on-s: a field of the county_ipf stage
  json "$1" "[$2 for s in j['years'][0]['stages'] if s['kind']=='county_ipf'][0]"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.1fx", a / b }'; }
fmt() { [[ -z "$1" ]] && echo "–" || awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }

# timed LOG CMD...: runs CMD under /usr/bin/time -v; sets wall (s) and rss_kb.
timed() {
  local log="$1"; shift
  if ! /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1; then
    echo "county_stage_bench: failed: $* (log: $log)" >&2
    tail -5 "$log" >&2
    return 1
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log.time")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
rows=()
rss_rows=()
for size in $sizes; do
  dir="$work/nnz_$size"
  if [[ ! -f "$dir/plan.toml" ]]; then
    echo "== synth $size" >&2
    "$flowfit" -q synth --data "$repo/data" --out "$dir" --nnz "$size" --seed "$seed" --year "$year" --no-truth \
      --county-iterations "$iterations" >"$work/synth_$size.log" 2>&1 || die "synth failed (see $work/synth_$size.log)"
  fi
  input=$(ls "$dir"/observed_"$year".* | head -1)
  ext="${input##*.}"
  # Stages 0-3 once: their output is the county stage's input.
  if [[ ! -f "$dir/prep/flows_$year.$ext" ]]; then
    echo "== stages 0-3 $size" >&2
    sed -e '/^stages = /,/county_ipf/c\stages = ["diagonal_clip", "cbg_rows", "state_nonmovers", "state_flows"]' \
      -e 's/^dir = "harmonized"/dir = "prep"/' "$dir/plan.toml" >"$dir/plan_prep.toml"
    "$flowfit" -q run "$dir/plan_prep.toml" --progress none >"$dir/prep.log" 2>&1 ||
      die "stages 0-3 failed (see $dir/prep.log)"
  fi
  county_in="$dir/prep/flows_$year.$ext"
  sed -e '/^stages = /,/county_ipf/c\stages = [{ kind = "county_ipf", max_iterations = '"$iterations"' }]' \
    -e "s|^years = .*|years = [{ year = $year, matrix = \"prep/flows_$year.$ext\" }]|" \
    -e 's/^dir = "harmonized"/dir = "county_out"/' "$dir/plan.toml" >"$dir/plan_county.toml"
  nnz=$("$flowfit" info --json "$county_in" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["matrix"]["nonzeros"])')

  loads="idle"; [[ $busy == 1 ]] && loads="idle busy"
  declare -A stage_s fit_s cpu_s
  declare -A q_s tv_s
  cells="" fixed=""
  for load in $loads; do
    [[ $load == busy ]] && start_busy
    for policy in unset passive; do
      echo "== county stage $size, $load, OMP_WAIT_POLICY $policy" >&2
      rm -rf "$dir/county_out"
      envp=(env -u OMP_WAIT_POLICY); [[ $policy == passive ]] && envp=(env OMP_WAIT_POLICY=passive)
      /usr/bin/time -f "%U %S" -o "$dir/county_${load}_${policy}.cpu" "${envp[@]}" "$flowfit" \
        --backend cpu -q run "$dir/plan_county.toml" --progress none \
        >"$dir/county_${load}_${policy}.log" 2>&1 || die "county run failed"
      cpu_s[$load,$policy]=$(awk '{print $1 + $2}' "$dir/county_${load}_${policy}.cpu")
      rep="$dir/county_out/run_report.json"
      stage_s[$load,$policy]=$(county_field "$rep" "s['seconds']")
      fit_s[$load,$policy]=$(county_field "$rep" "s['result']['timings']['fit_s']")
      cells=$(county_field "$rep" "s['result']['cells']")
      fixed=$(county_field "$rep" "s['result'].get('fixed_point', {}).get('iteration', '–')")
    done
    if [[ $scipy == 1 ]]; then
      echo "== scipy baselines $size, $load" >&2
      tv=(--two-vector-iterations "$tv_iterations")
      [[ -n $q_iterations ]] && tv+=(--quotient-iterations "$q_iterations")
      /usr/bin/python3 "$here/baselines/scipy_county_quotient.py" --matrix "$county_in" \
        --geography "$dir/geography.csv" --census "$dir/census" --year "$year" \
        --iterations "$iterations" "${tv[@]}" >"$dir/scipy_$load.json" || die "scipy baseline failed"
      q_s[$load]=$(json "$dir/scipy_$load.json" "j['quotient']['seconds']")
      tv_s[$load]=$(json "$dir/scipy_$load.json" "j['two_vector']['seconds']")
    fi
    [[ $load == busy ]] && stop_busy
  done
  for load in $loads; do
    for policy in unset passive; do
      s=${stage_s[$load,$policy]}
      rows+=("| $size | $nnz | $cells | $load | $policy | $(fmt "$s") | $(fmt "${fit_s[$load,$policy]}") | $(fmt "${cpu_s[$load,$policy]}") | $fixed | $(fmt "${q_s[$load]:-}") | $(fmt "${tv_s[$load]:-}") | $(ratio "${q_s[$load]:-}" "$s") | $(ratio "${tv_s[$load]:-}" "$s") | $(ratio "$s" "${stage_s[idle,$policy]}") |")
    done
  done

  if [[ $rss == 1 ]]; then
    echo "== whole year, peak RSS, $size" >&2
    rm -rf "$dir/harmonized"
    timed "$dir/year.log" "$flowfit" --backend cpu -q run "$dir/plan.toml" --progress none
    out_nnz=$("$flowfit" info --json "$dir/harmonized/flows_$year.$ext" |
              /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin)["matrix"]; print(j["nonzeros"], j["rows"])')
    read -r onnz orows <<<"$out_nnz"
    csr_bytes=$((onnz * 12 + (orows + 1) * 8))
    rss_rows+=("| $size | $onnz | $(awk -v b=$csr_bytes 'BEGIN{printf "%.0f", b/1048576}') | $(awk -v k=$rss_kb 'BEGIN{printf "%.0f", k/1024}') | $(awk -v k=$rss_kb -v b=$csr_bytes 'BEGIN{printf "%.2f", k*1024/b}') | $(fmt "$wall") |")
  fi
  unset stage_s fit_s cpu_s q_s tv_s
done

echo
echo "### county stage side by side ($(date -u '+%Y-%m-%d %H:%M UTC'), $cpu_model, $(nproc) cores; load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "Command: bench/county_stage_bench.sh --sizes \"$sizes\" (county_ipf $iterations iterations; scipy quotient loop run ${q_iterations:-$iterations} and two-vector $tv_iterations iterations, scaled to $iterations). Input: the output of stages 0-3 on \`flowfit synth --seed $seed --year $year --nnz SIZE\`. busy = one shell busy loop per core during the measurement."
echo
echo "| truth nnz | county input nnz | quotient cells | load | OMP_WAIT_POLICY | flowfit county stage s | of which fit s | flowfit process CPU s | fixed point at | scipy quotient loop s | scipy two-vector s (scaled) | quotient loop / flowfit | two-vector / flowfit | vs idle |"
echo "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if [[ ${#rss_rows[@]} -gt 0 ]]; then
  echo
  echo "Whole year (\`flowfit run plan.toml\`, stages 0-4, OMP_WAIT_POLICY as in the environment): peak RSS from /usr/bin/time -v; CSR bytes = 12 B per nonzero + 8 B per row of the output."
  echo
  echo "| truth nnz | output nnz | CSR MB | peak RSS MB | RSS / CSR | wall s |"
  echo "|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rss_rows[@]}"
fi
