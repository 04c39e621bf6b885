#!/usr/bin/env bash
# Bounded libFuzzer run of every harness in tests/fuzz (docs/fuzzing.md).
#   tools/fuzz_smoke.sh [build-dir] [seconds-per-harness]
# Builds nothing: configure and build tests/fuzz first (see tests/fuzz/CMakeLists.txt). Seeds
# come from tests/data (good and bad files of each format); new corpus entries go to a scratch
# folder that is removed afterwards, so the run leaves no files behind. Exits non-zero on the
# first finding (crash, sanitizer report, leak, timeout, out-of-memory); the reproducer is kept
# in the build directory (crash-*, oom-*, timeout-*).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build-fuzz}" && pwd)"  # absolute: each harness runs inside it
seconds="${2:-20}"
data="$root/tests/data"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export FLOWFIT_FUZZ_TMP="$scratch"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# harness : seed files (globs under tests/data)
seeds() {
  case "$1" in
    fuzz_matrix_market) ls "$data"/io/*.mtx "$data"/bad/mtx_*.mtx "$data"/cli/*.mtx ;;
    fuzz_npz) ls "$data"/io/*.npz "$data"/bad/npz_*.npz ;;
    fuzz_npy_header) ;;  # seeded by the .npy members of the .npz seeds, extracted below
    fuzz_ffm) ls "$data"/io/*.ffm "$data"/bad/ffm_*.ffm ;;
    fuzz_csv_table) ls "$data"/io/*.csv "$data"/bad/csv_*.csv "$data"/bad/tsv_*.tsv "$data"/cli/*.csv ;;
    fuzz_geography) ls "$data"/io/geo_small.csv "$data"/io/mapping_small.csv "$data"/bad/geography_*.csv \
                       "$data"/bad/mapping_*.csv "$data"/cli/geography.csv ;;
    fuzz_triplet_csv) ls "$data"/io/triplets_small.csv "$data"/bad/triplets_*.csv ;;
    fuzz_plan_toml) ls "$data"/cli/*.toml "$data"/bad/plans/*.toml ;;
    fuzz_parse_number) ;;  # seeded with numbers below
    fuzz_census_tables) ;;  # seeded with the census tables below (a selector byte first)
    fuzz_datapackage) ls "$data"/analysis/*/datapackage.json "$root"/data/*/datapackage.json ;;
    fuzz_gz_csv) ls "$data"/golden_digest/case02/*.csv.gz ;;
  esac
}

status=0
for exe in "$build"/fuzz_*; do
  [ -x "$exe" ] || continue
  name="$(basename "$exe")"
  corpus="$scratch/corpus_$name"
  mkdir -p "$corpus"
  n=0  # numbered: seeds of one harness may share a file name (datapackage.json)
  for f in $(seeds "$name" 2>/dev/null); do n=$((n + 1)); cp "$f" "$corpus/$n-$(basename "$f")"; done
  if [ "$name" = fuzz_npy_header ]; then
    python3 - "$corpus" "$data"/io/*.npz "$data"/bad/npz_*.npz <<'PY' || true
import sys, zipfile, hashlib
out = sys.argv[1]
for path in sys.argv[2:]:
    try:
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                try:
                    b = z.open(n).read(256)
                except Exception:
                    continue
                open(f"{out}/{hashlib.sha1(b).hexdigest()}", "wb").write(b)
    except Exception:
        pass
PY
  fi
  if [ "$name" = fuzz_parse_number ]; then
    i=0
    for t in 0 1 -1 +2.5 1e308 1e309 4.9e-324 2.4703282292062327e-324 1e99999999999999999999 \
             11e9223372036854775807 0.01e-9223372036854775808 nan inf -0 0x10 " 7 " 1.5e+3; do
      printf '%s' "$t" > "$corpus/n$i"; i=$((i + 1))
    done
  fi
  if [ "$name" = fuzz_census_tables ]; then
    # First byte: table (byte % 8, the harness's order) and year (2011 + byte / 8 % 10; 32 = 2015).
    golden="$data/golden/case01"
    i=0
    for t in "$root"/data/census/pep_state_2010_2019.csv "$root"/data/census/acs1_state_totals_2011_2019.csv \
             "$root"/data/census/acs1_state_flows_2011_2019.csv "$root"/data/census/pep_county_2010_2019.csv \
             "$golden"/state_components.csv "$golden"/state_flows.csv "$golden"/county_components.csv \
             "$golden"/cbg_pop_census2010.csv; do
      { printf "\\$(printf '%03o' $((32 + i)))"; head -c 60000 "$t"; } > "$corpus/t$i"
      i=$((i + 1))
    done
  fi
  echo "== $name: ${seconds}s, $(ls "$corpus" | wc -l) seeds"
  if ! (cd "$build" && "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 "$corpus" \
          >"$scratch/$name.log" 2>&1); then
    echo "FINDING in $name (log tail below; reproducer in $build)"
    tail -40 "$scratch/$name.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$scratch/$name.log" | tr '\n' ' '
    echo
  fi
done
exit $status
