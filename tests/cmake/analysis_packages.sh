#!/bin/bash
# Runs every `flowfit analyze` subcommand, `flowfit redact`, `flowfit validate --plan` and
# `flowfit summarize` (on the batch example) and validates each output folder as a Frictionless
# data package (validate_datapackage.py).
# Usage: analysis_packages.sh FLOWFIT PYTHON3 SOURCE_DIR WORK_DIR
set -euo pipefail
flowfit=$1 python=$2 src=$3 work=$4
data=$src/tests/data/analysis
rm -rf "$work" && mkdir -p "$work" && cd "$work"
m=$data/harmonized_2015.mtx g=$data/geography.csv
"$flowfit" -q analyze rates "$m" --geography "$g" --level county --min-population 100 -o rates
"$flowfit" -q analyze rates "$m" --geography "$g" --attribute "$data/county_types.csv" \
  --key county_fips --value kind -o rates_kind
"$flowfit" -q analyze groups "$m" --geography "$g" --attribute "$data/segregation-mini" \
  --key fips_code --value exposure_segregation_smoothed --quantiles 2 -o groups 2>/dev/null
"$flowfit" -q analyze distances "$m" --geography "$g" --level state -o distances
"$flowfit" -q analyze area "$m" "$data/raw_2015.mtx" --labels harmonized,raw --geography "$g" \
  --geoids 06001 --rings 200 -o area
"$flowfit" -q redact "$m" --geography "$g" --max-destinations 2 -o redacted.mtx --report redaction
# validate --plan writes into the plan's folder: run it on a copy.
mkdir plan && cp -r "$data/plan.toml" "$data/census" "$data/raw_2015.mtx" "$data/geography.csv" \
  "$data/county_flows.csv" plan/
"$flowfit" -q run plan/plan.toml
"$flowfit" -q validate --plan plan/plan.toml --held-out plan/county_flows.csv --package validation \
  -o validation.md
# An area chosen by a center and a radius (the other way of choosing one).
"$flowfit" -q analyze area "$m" --geography "$g" --center 37.71,-122.09 --radius 5 --rings 200 \
  -o area_radius
# The batch summaries (flowfit summarize): replicates and stage orders of the batch example.
cp -r "$src/tests/data/batch" batch
"$flowfit" -q --backend cpu run batch/batch.toml --progress none
"$flowfit" -q summarize batch/batch.toml
summaries=()
for d in batch/out/summary/*/; do summaries+=("${d%/}"); done
((${#summaries[@]} >= 2)) || { echo "summarize wrote ${#summaries[@]} packages, expected 2" >&2; exit 1; }
"$python" "$src/tests/cmake/validate_datapackage.py" \
  "$src/tests/data/datapackage_schema/tabular-data-package.schema.json" \
  rates rates_kind groups distances area area_radius redaction validation "${summaries[@]}"
# A corrupted package must fail the validator (the check can fail).
sed -i 's/^06001,/6001,/' rates/rates.csv
if "$python" "$src/tests/cmake/validate_datapackage.py" \
  "$src/tests/data/datapackage_schema/tabular-data-package.schema.json" rates 2>/dev/null; then
  echo "validator accepted a package whose hash and GEOID pattern are wrong" >&2
  exit 1
fi
echo "all analysis outputs are valid data packages"
