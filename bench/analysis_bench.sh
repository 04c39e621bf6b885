#!/usr/bin/env bash
# Times every analysis (`flowfit analyze`, `redact`, `validate`) on one synthetic national year,
# one command at a time, under /usr/bin/time (wall, CPU user+sys, peak RSS), single-threaded as
# bench/RESULTS.md reports them.
# Usage: bench/analysis_bench.sh FLOWFIT DATA_DIR NNZ WORK_DIR [observed|default]
#   e.g. bench/analysis_bench.sh build/flowfit data 1e7 /tmp/bench7 default
# WORK_DIR gets the synthetic folder (flowfit synth --format ffm --seed 1 --year 2018), its run
# (flowfit run plan.toml) and the outputs. `observed` (the default) analyses the observed matrix
# of a synthetic-targets problem; `default` the harmonized output of the default run's problem
# (tools/run_default.sh: --targets real, the real 2018 census tables).
set -euo pipefail
flowfit=$(realpath "$1") data=$(realpath "$2") nnz=$3 work=$4 mode=${5:-observed}
[[ $mode == observed || $mode == default ]] || { echo "mode must be observed or default" >&2; exit 2; }
synth_args=()
[[ $mode == default ]] && synth_args=(--targets real)
mkdir -p "$work" && cd "$work"
t() {  # t LABEL COMMAND...: one line "label | wall | user+sys | RSS"
  local label=$1
  shift
  /usr/bin/time -f "| \`$label\` | %U + %S | %e | %M |" -o time.txt "$@" >/dev/null 2>err.txt ||
    { cat err.txt >&2; echo "failed: $label" >&2; exit 1; }
  awk '{ $(NF-1) = int($(NF-1) / 1024); print }' time.txt
}
if [[ ! -f synth/plan.toml ]]; then
  t "synth --nnz $nnz --format ffm" "$flowfit" -q --threads 1 synth --out synth --nnz "$nnz" \
    --seed 1 --year 2018 --format ffm --data "$data" "${synth_args[@]}"
fi
if [[ ! -f synth/harmonized/flows_2018.ffm ]]; then
  t "run plan.toml" "$flowfit" -q --threads 1 run synth/plan.toml
fi
m=synth/observed_2018.ffm g=synth/geography.csv
[[ $mode == default ]] && m=synth/harmonized/flows_2018.ffm
echo "| command | CPU user + sys (s) | wall (s) | peak RSS (MB) |"
echo "|---|---:|---:|---:|"
ff=("$flowfit" -q --threads 1)
t "info (baseline)" "${ff[@]}" info "$m" --geography "$g"
t "analyze rates --level county" "${ff[@]}" analyze rates "$m" --geography "$g" --level county -o rates
t "analyze groups (segregation quintiles)" "${ff[@]}" analyze groups "$m" --geography "$g" \
  --attribute "$data/segregation-tracking" --resource exposure-segregation-county \
  --key fips_code --value exposure_segregation_smoothed --quantiles 5 -o groups
t "analyze distances --level state" "${ff[@]}" analyze distances "$m" --geography "$g" --level state -o dist
t "analyze area --radius 10 --rings 25" "${ff[@]}" analyze area "$m" --geography "$g" \
  --center 39.76,-121.62 --radius 10 --rings 25 -o area
t "redact (release defaults)" "${ff[@]}" redact "$m" --geography "$g" -o redacted.ffm --report redaction
t "validate --plan (census tables)" "${ff[@]}" validate --plan synth/plan.toml -o census.md
if [[ -f synth/truth_2018.ffm ]]; then
  t "validate --truth --plan" "${ff[@]}" validate --truth synth/truth_2018.ffm --plan synth/plan.toml \
    -o truth.md
fi
