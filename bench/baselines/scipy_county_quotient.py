#!/usr/bin/python3
"""scipy baselines for the county IPF stage, on the matrix that enters the stage.

Two ways to run the county stage (county columns to POP_t - BIRTHS_t + DEATHS_t - INTL_t, then
county rows to POP_{t-1}, MIGRATE's ratio rule) that a careful scipy user would write:

  quotient:   aggregate the matrix once to the county x county quotient (one value per
              occupied county pair), run the iterations on the quotient with np.bincount, and
              apply the cumulative factors once. The same algorithm as flowfit's quotient method.
  two-vector: keep the matrix, fit one factor per CBG row and per CBG column (E = diag(r) A
              diag(c)); each iteration is two sparse matrix-vector products over every nonzero.

Prints one JSON object with the time of each (the two-vector time is scaled from
--two-vector-iterations to --iterations: its cost per iteration is constant) and the residuals.

  /usr/bin/python3 bench/baselines/scipy_county_quotient.py --matrix IN.npz \\
      --geography geography.csv --census census --year 2018 [--iterations 3000] \\
      [--quotient-iterations N] [--two-vector-iterations 200] [--skip-two-vector]
"""
import argparse
import csv
import json
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp


def read_geography(path):
    with open(path, newline="") as f:
        return [row["cbg_geoid"] for row in csv.DictReader(f)]


def read_county_targets(census_dir, year):
    rows, cols = {}, {}
    with open(f"{census_dir}/pep_county_2010_2019.csv", newline="") as f:
        for r in csv.DictReader(f):
            fips = r["county_fips"]
            rows[fips] = float(r[f"pop_{year - 1}"])
            cols[fips] = (float(r[f"pop_{year}"]) - float(r[f"births_{year}"])
                          + float(r[f"deaths_{year}"]) - float(r[f"intl_mig_{year}"]))
    return rows, cols


def ratio(current, target):
    """MIGRATE's get_IPF_scaling(ignore_zeros=True)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(current != 0, target / current, 1.0)
    return np.where(s <= 0, 1.0, s)


def quotient_fit(m, county_of, k, row_target, col_target, iterations):
    """The county quotient loop; returns (seconds, fitted matrix, cells, row/col sums)."""
    t0 = time.perf_counter()
    coo = m.tocoo()
    key = county_of[coo.row] * k + county_of[coo.col]
    cells, cell_of_entry = np.unique(key, return_inverse=True)
    q = np.bincount(cell_of_entry, weights=coo.data)
    rc, cc = cells // k, cells % k
    cum = np.ones_like(q)
    t1 = time.perf_counter()
    for _ in range(iterations):
        f = ratio(np.bincount(cc, q, k), col_target)[cc]
        q *= f
        cum *= f
        f = ratio(np.bincount(rc, q, k), row_target)[rc]
        q *= f
        cum *= f
    t2 = time.perf_counter()
    out = sp.csr_matrix((coo.data * cum[cell_of_entry], (coo.row, coo.col)), shape=m.shape)
    t3 = time.perf_counter()
    return {"seconds": t3 - t0, "aggregate_s": t1 - t0, "fit_s": t2 - t1, "apply_s": t3 - t2,
            "cells": int(len(cells)), "rows": np.bincount(rc, q, k), "cols": np.bincount(cc, q, k)}


def two_vector_fit(m, county_of, k, row_target, col_target, iterations):
    t0 = time.perf_counter()
    mt = m.T.tocsr()
    r = np.ones(m.shape[0])
    c = np.ones(m.shape[1])
    for _ in range(iterations):
        col = c * (mt @ r)
        c *= ratio(np.bincount(county_of, col, k), col_target)[county_of]
        row = r * (m @ c)
        r *= ratio(np.bincount(county_of, row, k), row_target)[county_of]
    t1 = time.perf_counter()
    return {"seconds": t1 - t0, "rows": np.bincount(county_of, r * (m @ c), k),
            "cols": np.bincount(county_of, c * (mt @ r), k)}


def max_rel(sums, target):
    ok = target > 0
    return float(np.max(np.abs(sums[ok] - target[ok]) / target[ok]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matrix", required=True)
    ap.add_argument("--geography", required=True)
    ap.add_argument("--census", required=True)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--quotient-iterations", type=int, default=None,
                    help="iterations the quotient loop runs (default --iterations); its fit "
                         "time is scaled to --iterations")
    ap.add_argument("--two-vector-iterations", type=int, default=200)
    ap.add_argument("--skip-two-vector", action="store_true")
    a = ap.parse_args()

    m = sp.load_npz(a.matrix).tocsr()
    geoids = read_geography(a.geography)
    if m.shape != (len(geoids), len(geoids)):
        sys.exit(f"scipy_county_quotient: matrix {m.shape} but {len(geoids)} geography units")
    row_t, col_t = read_county_targets(a.census, a.year)
    counties = sorted({g[:5] for g in geoids})
    index = {c: i for i, c in enumerate(counties)}
    county_of = np.array([index[g[:5]] for g in geoids], dtype=np.int64)
    k = len(counties)
    row_target = np.array([row_t[c] for c in counties])
    col_target = np.array([col_t[c] for c in counties])

    out = {"scipy": scipy.__version__, "numpy": np.__version__, "nnz": int(m.nnz),
           "counties": k, "iterations": a.iterations}
    nq = a.quotient_iterations or a.iterations
    q = quotient_fit(m, county_of, k, row_target, col_target, nq)
    if nq != a.iterations:  # the cost per iteration is constant
        q["fit_s"] *= a.iterations / max(nq, 1)
        q["seconds"] = q["aggregate_s"] + q["fit_s"] + q["apply_s"]
    out["quotient"] = {key: q[key] for key in ("seconds", "aggregate_s", "fit_s", "apply_s",
                                                "cells")}
    out["quotient"]["iterations_run"] = nq
    out["quotient"]["max_rel_row_residual"] = max_rel(q["rows"], row_target)
    if not a.skip_two_vector:
        n = a.two_vector_iterations
        tv = two_vector_fit(m, county_of, k, row_target, col_target, n)
        out["two_vector"] = {"iterations_run": n, "seconds_run": tv["seconds"],
                             "seconds": tv["seconds"] * a.iterations / max(n, 1)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
