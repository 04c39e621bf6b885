#!/usr/bin/env bash
# The full one-year pipeline (`flowfit run` on a `flowfit synth` plan) at 1e6 and 1e7 truth
# nonzeros (and 1e8 with --large), on the CPU and, when a GPU is present, with --backend cuda,
# side by side with flowfit's naive mode (the county stage with method = "naive": fewer
# iterations, time scaled to the full count) and the plain scipy county IPF baseline
# (bench/baselines/scipy_ipf.py, also scaled), all on the same input. Prints a markdown table
# with wall times, peak memory (/usr/bin/time -v "Maximum resident set size") and ratios.
#
#   bench/pipeline_bench.sh [--large] [--build DIR] [--work DIR] [--sizes "1e6 1e7"]
#                           [--iterations 3000] [--naive-iterations 20] [--scipy-iterations 5]
#                           [--threads N] [--no-scipy] [--no-naive]
#
# Needs: a built flowfit with the `run` and `synth` subcommands (--build, default build/),
# GNU time at /usr/bin/time, and /usr/bin/python3 with scipy for the baseline.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="${FLOWFIT_BUILD:-$repo/build}"
work="${TMPDIR:-/tmp}/flowfit-pipeline-bench"
sizes="1e6 1e7"
large=0
iterations=3000
naive_iterations=20
scipy_iterations=5
threads=""
run_scipy=1
run_naive=1
year=2018
seed=1

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --large) large=1 ;;
    --build) build="$2"; shift ;;
    --work) work="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --iterations) iterations="$2"; shift ;;
    --naive-iterations) naive_iterations="$2"; shift ;;
    --scipy-iterations) scipy_iterations="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --no-scipy) run_scipy=0 ;;
    --no-naive) run_naive=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "pipeline_bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $large == 1 ]] && sizes="$sizes 1e8"

die() { echo "pipeline_bench: $*" >&2; exit 2; }
flowfit="$build/flowfit"
[[ -x "$flowfit" ]] || die "no flowfit executable at $flowfit (build it, or pass --build DIR)"
"$flowfit" run --help >/dev/null 2>&1 ||
  die "'flowfit run' is missing from $flowfit: this build has no 'run' subcommand yet (the pipeline CLI); rebuild once it exists"
"$flowfit" synth --help >/dev/null 2>&1 || die "'flowfit synth' is missing from $flowfit"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is needed for peak memory: apt-get install time"
if [[ $run_scipy == 1 ]] && ! /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
  echo "pipeline_bench: /usr/bin/python3 has no scipy (apt-get install python3-scipy); skipping the baseline" >&2
  run_scipy=0
fi
gpu=0
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then gpu=1; fi
mkdir -p "$work"
global=()
[[ -n "$threads" ]] && global+=(--threads "$threads")

# timed LOG CMD...: runs CMD under /usr/bin/time -v; sets wall (s) and rss (MB). Fails loudly.
timed() {
  local log="$1"; shift
  local tfile="$log.time"
  if ! /usr/bin/time -v -o "$tfile" "$@" >"$log" 2>&1; then
    echo "pipeline_bench: failed: $* (log: $log)" >&2
    tail -5 "$log" >&2
    return 1
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$tfile")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$tfile")
}

# json FILE EXPR: a value from a JSON file (python expression on `j`).
json() { /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
stage_seconds() { json "$1" "sum(s['seconds'] for s in j['years'][0]['stages'] if s['kind']=='$2')"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.0fx", a / b }'; }
fmt() { [[ -z "$1" ]] && echo "–" || awk -v x="$1" 'BEGIN { printf (x < 100 ? "%.2f" : "%.0f"), x }'; }

cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
cores=$(nproc)
rows=()
notes=()
for size in $sizes; do
  dir="$work/nnz_$size"
  plan="$dir/plan.toml"
  if [[ ! -f "$plan" || ! -f "$dir/observed_$year.npz" ]]; then
    echo "== synth $size -> $dir" >&2
    timed "$work/synth_$size.log" "$flowfit" "${global[@]}" -q synth --out "$dir" --nnz "$size" \
      --seed "$seed" --year "$year" --no-truth --county-iterations "$iterations"
    notes+=("synth $size: ${wall} s, ${rss} MB peak")
  fi
  nnz=$("$flowfit" info --json "$dir/observed_$year.npz" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["matrix"]["nonzeros"])')

  # flowfit, CPU
  echo "== flowfit run (cpu) $size" >&2
  rm -rf "$dir/out_cpu"
  timed "$dir/run_cpu.log" "$flowfit" --backend cpu "${global[@]}" -q run "$plan" \
    --output-dir "$dir/out_cpu" --progress none
  cpu_s=$wall; cpu_rss=$rss
  cpu_county=$(stage_seconds "$dir/out_cpu/run_report.json" county_ipf)

  # flowfit, CUDA
  cuda_s=""; cuda_rss=""
  if [[ $gpu == 1 ]]; then
    echo "== flowfit run (cuda) $size" >&2
    rm -rf "$dir/out_cuda"
    if timed "$dir/run_cuda.log" "$flowfit" --backend cuda -q run "$plan" \
        --output-dir "$dir/out_cuda" --progress none; then
      cuda_s=$wall; cuda_rss=$rss
    else
      notes+=("cuda run failed at $size (see $dir/run_cuda.log)")
    fi
  fi

  # flowfit naive: the county stage on the full matrix every iteration, scaled to $iterations.
  naive_s=""; naive_rss=""
  if [[ $run_naive == 1 ]]; then
    echo "== flowfit run (naive county stage, $naive_iterations iterations) $size" >&2
    sed "s/{ kind = \"county_ipf\", max_iterations = [0-9]* }/{ kind = \"county_ipf\", max_iterations = $naive_iterations, method = \"naive\" }/" \
      "$plan" >"$dir/plan_naive.toml"
    grep -q 'method = "naive"' "$dir/plan_naive.toml" || die "could not make the naive plan from $plan"
    rm -rf "$dir/out_naive"
    timed "$dir/run_naive.log" "$flowfit" --backend cpu "${global[@]}" -q run "$dir/plan_naive.toml" \
      --output-dir "$dir/out_naive" --progress none
    naive_county=$(stage_seconds "$dir/out_naive/run_report.json" county_ipf)
    naive_s=$(awk -v w="$wall" -v c="$naive_county" -v k="$naive_iterations" -v n="$iterations" \
      'BEGIN { printf "%.3f", w - c + c * n / k }')
    naive_rss=$rss
  fi

  # scipy county IPF baseline (stage 0 + the county stage only), scaled to $iterations.
  scipy_s=""; scipy_rss=""
  if [[ $run_scipy == 1 ]]; then
    echo "== scipy county IPF ($scipy_iterations iterations) $size" >&2
    if timed "$dir/scipy.log" /usr/bin/python3 "$here/baselines/scipy_ipf.py" \
        --matrix "$dir/observed_$year.npz" --geography "$dir/geography.csv" \
        --census "$dir/census" --year "$year" --iterations "$scipy_iterations" \
        --full-iterations "$iterations" --clip-diagonal; then
      scipy_s=$(tail -1 "$dir/scipy.log" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["scaled_total_s"])')
      scipy_rss=$rss
    fi
  fi

  rows+=("| $size | $nnz | $(fmt "$cpu_s") | $(fmt "$cpu_county") | $cpu_rss | $(fmt "$cuda_s") | ${cuda_rss:-–} | $(fmt "$naive_s") | ${naive_rss:-–} | $(fmt "$scipy_s") | ${scipy_rss:-–} | $(ratio "$naive_s" "$cpu_s") | $(ratio "$scipy_s" "$cpu_county") | $(ratio "$cpu_s" "$cuda_s") |")
done

echo
echo "### flowfit one-year pipeline ($(date -u +%Y-%m-%d), $cpu_model, $cores cores$([[ $gpu == 1 ]] && echo ", $(nvidia-smi -L | head -1)"))"
echo
echo "Command: bench/pipeline_bench.sh $([[ $large == 1 ]] && echo --large) (sizes: $sizes; county_ipf $iterations iterations; naive run $naive_iterations and scipy $scipy_iterations iterations, both scaled to $iterations). Input: \`flowfit synth --seed $seed --year $year\` observed matrix; flowfit runs the released stages 0-4 (NNLS included); scipy runs stage 0 + the county IPF only."
echo
echo "| truth nnz | observed nnz | flowfit cpu s | of which county_ipf s | RSS MB | flowfit cuda s | RSS MB | naive cpu s (scaled) | RSS MB | scipy county IPF s (scaled) | RSS MB | naive / flowfit | scipy / flowfit county_ipf | cpu / cuda |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
for n in "${notes[@]}"; do echo "- $n"; done
