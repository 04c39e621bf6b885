#!/usr/bin/env bash
# Throughput of many short work items per array task (docs/batch.md): the 126 items of
# tests/data/batch/batch.toml with replicates = 20 (3 years x 2 orders x 21 replicates), run
# side by side as 1 task (every item in one process), 6 tasks of 21 items, and 126 tasks of one
# item each, one after another on one thread; checks that the three give identical outputs.
# Usage: bench/batch_items.sh BUILD/flowfit
set -euo pipefail
flowfit=$(readlink -f "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/tests/data/batch/." "$tmp"
cd "$tmp"
sed -i 's/^replicates = 3$/replicates = 20/' batch.toml
export OMP_WAIT_POLICY=passive
run_tasks() {  # OUT TASKS
  local start end
  start=$(date +%s.%N)
  for ((i = 0; i < $2; ++i)); do
    "$flowfit" -q --backend cpu --threads 1 run batch.toml --progress none --output-dir "$1" \
      --task-index "$i" --task-count "$2"
  done
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v n="$2" \
    'BEGIN { printf "%4d task(s): %6.2f s for 126 items, %5.1f ms per item\n", n, e - s, 1000 * (e - s) / 126 }'
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run_tasks one 1
run_tasks six 6
run_tasks each 126
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for d in six each; do
  for f in one/items/*/flows_*.mtx; do cmp "$f" "$d/${f#one/}"; done
done
echo "outputs identical across the three task counts"
