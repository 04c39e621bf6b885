#!/bin/bash
# The install command of docs/python.md, `python3 -m pip install --no-build-isolation .`, as a
# new user runs it: from a copy of the source (what a fresh clone holds, plus uncommitted edits;
# nothing ignored, no build folder), into a throw-away venv that sees Debian's numpy/scipy/pandas
# (--system-site-packages), offline (no package index; no network at all where `unshare -rn`
# works), then `import flowfit` from a folder outside the source tree.
# Exit 77 (ctest: skipped, which tools/run_tests.sh reports as a failure) when a Debian package
# that tools/install_deps.sh installs is missing.
# Usage: python_install.sh PYTHON3 SOURCE_DIR WORK_DIR
set -euo pipefail
python=$1 src=$2 work=$3

need() {  # need MODULES PACKAGE
  "$python" -c "import $1" 2>/dev/null ||
    { echo "python_install: $python lacks $1 (apt-get install $2)"; exit 77; }
}
need "venv, ensurepip" python3-venv
need pip python3-pip
need "setuptools, wheel" "python3-setuptools python3-wheel"
need "numpy, scipy, pandas" "python3-numpy python3-scipy python3-pandas"

rm -rf "$work" && mkdir -p "$work/src" "$work/elsewhere"
# The copy: git's tracked and untracked-but-not-ignored files (a file deleted in the work tree is
# left out), or, outside a git checkout, everything but build folders.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -f $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$work/src"
else
  (cd "$src" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$work/src"
fi

"$python" -m venv --system-site-packages "$work/venv"
offline=(env PIP_NO_INDEX=1)
if unshare -rn true 2>/dev/null; then
  offline+=(unshare -rn)
  echo "python_install: offline: no network (unshare -rn) and no package index"
else
  echo "python_install: offline: no package index (PIP_NO_INDEX=1; unshare -rn is not permitted)"
fi
start=$SECONDS
# ccache (when the CMake build finds it) keys on paths relative to the copy: a rerun, in any
# build folder, compiles nothing again.
(cd "$work/src" &&
  CCACHE_BASEDIR="$work/src" FLOWFIT_CMAKE_ARGS="-DFLOWFIT_CUDA=OFF" \
    "${offline[@]}" "$work/venv/bin/python" -m pip install --no-build-isolation . \
    >"$work/pip.log" 2>&1) || { tail -40 "$work/pip.log"; echo "python_install: pip failed"; exit 1; }
echo "python_install: pip install took $((SECONDS - start)) s"

cd "$work/elsewhere"
"$work/venv/bin/python" - "$work/venv" "$work/src" <<'PY'
import os
import sys

import numpy as np
import scipy.sparse as sp

import flowfit as ff

venv, src = (os.path.realpath(p) for p in sys.argv[1:3])
for mod in (ff, ff._flowfit):
    where = os.path.realpath(mod.__file__)
    assert where.startswith(venv + os.sep), f"{mod.__name__} imported from {where}, not the venv"
    assert not where.startswith(src + os.sep), f"{mod.__name__} imported from the source tree"
m = sp.csr_array(np.array([[5.0, 1.0], [2.0, 7.0]]))
geoids = ["010010001001", "020010001001"]
ff.write_npz("m.npz", m, geoids)
back = ff.read_npz("m.npz")
assert (back != m).nnz == 0, "npz round trip changed the matrix"
rows, cols = ff.read_npz_geoids("m.npz")
assert list(rows) == geoids, rows
print(f"python_install: flowfit {ff.__version__} imported from {os.path.dirname(ff.__file__)}")
PY
