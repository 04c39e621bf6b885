#!/usr/bin/env bash
# Fails (listing the files) when a tracked C++/CUDA source differs from its clang-format output.
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-clang-format}
bad=0
while IFS= read -r f; do
  if ! "$clang_format" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not clang-formatted: $f"
    bad=1
  fi
done < <(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh' 2>/dev/null || find host include kernels tools tests bench -name '*.[ch]pp' -o -name '*.cu' -o -name '*.cuh')
if ((bad)); then
  echo "run: clang-format -i <files>"
  exit 1
fi
echo "all sources clang-formatted"
