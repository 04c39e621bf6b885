#!/usr/bin/python3
"""Rows of CBG population observations and scipy's NNLS solution of each (the reference solver).

    scipy_nnls_rows.py OUT.bin N_ROWS SEED

Writes N_ROWS records of 22 little-endian float64: y (census2010, acs5_2010..acs5_2019) then
scipy.optimize.nnls(B, y)[0] (x2009..x2019), with B the 11 x 11 design of SPEC.md stage N.
Exit status 77 when numpy/scipy are missing (the C++ test then skips).

The rows imitate real ACS 5-year tables: lognormal CBG sizes with yearly trends, ACS sampling
noise of 1-8 % rounded to whole people, small CBGs with many zeros, plus the hard cases:
all-zero rows, rows with one nonzero observation, and near-degenerate rows whose unconstrained
solution B^-1 y has components within 1e-12 of zero (or exactly zero).

For speed the bulk goes through scipy's Fortran entry point (scipy.optimize.__nnls.nnls) with
the arguments scipy.optimize.nnls passes it; the first rows are also solved by the public
function and must agree bit for bit, so the shortcut is checked every run.
"""
import sys

try:
    import numpy as np
    import scipy
    from scipy.optimize import nnls
    from scipy.optimize import __nnls as fortran_nnls
except ImportError as e:  # pragma: no cover
    print(f"scipy_nnls_rows.py: {e}", file=sys.stderr)
    sys.exit(77)

N_YEARS = 11  # x2009..x2019


def design():
    b = np.zeros((11, 11))
    b[0, 1] = 1.0  # census2010 observes x2010
    for a in range(10):
        year = 2010 + a
        first = max(2009, year - 4)
        for y in range(first, year + 1):
            b[1 + a, y - 2009] = 1.0 / (year - first + 1)
    return b


def realistic(rng, n):
    """ACS-like rows: true yearly populations, census = exact count, ACS = noisy window means."""
    size = np.exp(rng.normal(np.log(1100.0), 0.7, n))
    small = rng.random(n) < 0.08
    size[small] = rng.uniform(0.0, 40.0, small.sum())
    growth = rng.normal(0.0, 0.03, n)
    shock_year = rng.integers(0, N_YEARS, n)
    shock = np.where(rng.random(n) < 0.1, rng.normal(0.0, 0.4, n), 0.0)
    years = np.arange(N_YEARS)
    x = size[:, None] * np.exp(growth[:, None] * (years[None, :] - 1))
    x *= np.where(years[None, :] >= shock_year[:, None], np.exp(shock)[:, None], 1.0)
    x = np.maximum(x, 0.0)
    b = design()
    exact = x @ b.T
    rel_moe = rng.uniform(0.01, 0.08, n)[:, None]
    noisy = exact * (1.0 + rel_moe * rng.standard_normal(exact.shape))
    y = np.maximum(np.rint(noisy), 0.0)
    y[:, 0] = np.rint(x[:, 1])  # the census count is exact
    return y


def degenerate(rng, n):
    """y = B x for x with zeros or tiny values: B^-1 y lands within rounding of 0."""
    b = design()
    x = np.rint(np.exp(rng.normal(np.log(800.0), 0.8, (n, N_YEARS))))
    n_zero = rng.integers(1, 5, n)
    for r in range(n):
        cols = rng.choice(N_YEARS, n_zero[r], replace=False)
        kind = rng.integers(0, 3)
        if kind == 0:
            x[r, cols] = 0.0
        elif kind == 1:
            x[r, cols] = rng.uniform(-1e-12, 1e-12, cols.size) * x[r].max()
        else:
            x[r, cols] = rng.uniform(-1e-9, 1e-9, cols.size)
    y = x @ b.T
    rounded = rng.random(n) < 0.5  # half with y in whole people (as published), half exact B x
    y[rounded] = np.rint(y[rounded])
    return np.maximum(y, 0.0)


def sparse_rows(rng, n):
    """All-zero rows and rows with one nonzero observation (or one nonzero year)."""
    b = design()
    y = np.zeros((n, 11))
    kind = rng.integers(0, 3, n)
    for r in range(n):
        if kind[r] == 1:  # one observation nonzero
            y[r, rng.integers(0, 11)] = float(rng.integers(1, 3000))
        elif kind[r] == 2:  # one true year nonzero
            x = np.zeros(N_YEARS)
            x[rng.integers(0, N_YEARS)] = float(rng.integers(1, 3000))
            y[r] = x @ b.T
            if rng.random() < 0.5:
                y[r] = np.rint(y[r])
    return y


def main():
    out, n_rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(seed)
    n_deg = n_rows // 10
    n_sparse = n_rows // 40
    parts = [sparse_rows(rng, n_sparse), degenerate(rng, n_deg),
             realistic(rng, n_rows - n_deg - n_sparse)]
    y = np.ascontiguousarray(np.vstack(parts))
    b = design()
    bf = np.asfortranarray(b)
    x = np.empty_like(y)
    w = np.zeros(N_YEARS)
    zz = np.zeros(11)
    index = np.zeros(N_YEARS, dtype=int)
    for r in range(y.shape[0]):
        xr, _, mode = fortran_nnls.nnls(bf, 11, N_YEARS, y[r], w, zz, index, -1)
        if mode != 1:
            print(f"row {r}: scipy nnls mode {mode}", file=sys.stderr)
            sys.exit(1)
        x[r] = xr
    for r in range(min(2000, y.shape[0])):  # the shortcut is the public function, bit for bit
        xp, _ = nnls(b, y[r])
        if not np.array_equal(xp.view(np.uint64), x[r].view(np.uint64)):
            print(f"row {r}: scipy.optimize.nnls differs from its Fortran entry point",
                  file=sys.stderr)
            sys.exit(1)
    rec = np.hstack([y, x]).astype("<f8")
    with open(out, "wb") as f:
        f.write(rec.tobytes())
    print(f"scipy {scipy.__version__}: {y.shape[0]} rows, "
          f"{int((x == 0).any(axis=1).sum())} with a zero year", file=sys.stderr)


if __name__ == "__main__":
    main()
