#!/usr/bin/python3
"""Plain scipy baseline: the two-vector county IPF (MIGRATE stage 4) on a CBG-to-CBG matrix.

Reads the same inputs flowfit reads: a scipy .npz matrix, the geography CSV (cbg_geoid in
matrix order) and the PEP county table of a census folder (data/census layout). Each iteration
scales county columns to POP_t - BIRTHS_t + DEATHS_t - INTERNATIONALMIG_t, then county rows to
POP_{t-1}, with MIGRATE's ratio rule (a zero current sum or a non-positive target leaves the
block unchanged). The scaling is written the way the reference Python code does it: county sums
through an indicator matrix, E <- diag(r) E diag(c), a full pass over the matrix per half-step.

Runs --iterations iterations and reports their time; with --full-iterations N the IPF time is
also scaled to N iterations (the cost per iteration is constant). Prints one JSON object.
Debian's python3-scipy is enough: run it with /usr/bin/python3.

  /usr/bin/python3 bench/baselines/scipy_ipf.py --matrix DIR/observed_2018.npz \\
      --geography DIR/geography.csv --census DIR/census --year 2018 --iterations 20 \\
      --full-iterations 3000 [--clip-diagonal] [--output H.npz]
"""
import argparse
import csv
import json
import resource
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp


def read_geography(path, column):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if column not in reader.fieldnames:
            sys.exit(f"scipy_ipf: {path}: no column '{column}'")
        return [row[column] for row in reader]


def read_county_targets(census_dir, year):
    path = f"{census_dir}/pep_county_2010_2019.csv"
    rows, cols = {}, {}
    with open(path, newline="") as f:
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matrix", required=True)
    ap.add_argument("--geography", required=True)
    ap.add_argument("--geography-column", default="cbg_geoid")
    ap.add_argument("--census", required=True, help="folder with pep_county_2010_2019.csv")
    ap.add_argument("--year", type=int, required=True, help="matrix year t (flows t-1 -> t)")
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--full-iterations", type=int, default=0,
                    help="scale the IPF time to this many iterations (0: no scaling)")
    ap.add_argument("--clip-diagonal", action="store_true",
                    help="first clip the diagonal to >= 1 (MIGRATE stage 0)")
    ap.add_argument("--output", help="write the result with scipy.sparse.save_npz")
    a = ap.parse_args()

    t0 = time.perf_counter()
    m = sp.load_npz(a.matrix).tocsr()
    m.sort_indices()
    geoids = read_geography(a.geography, a.geography_column)
    if m.shape != (len(geoids), len(geoids)):
        sys.exit(f"scipy_ipf: the matrix is {m.shape} but the geography has {len(geoids)} units")
    row_t, col_t = read_county_targets(a.census, a.year)
    counties = sorted({g[:5] for g in geoids})
    index = {c: k for k, c in enumerate(counties)}
    missing = [c for c in counties if c not in row_t]
    if missing:
        sys.exit(f"scipy_ipf: {len(missing)} counties of the geography have no target, e.g. {missing[0]}")
    county_of = np.array([index[g[:5]] for g in geoids], dtype=np.int64)
    n, k = len(geoids), len(counties)
    indicator = sp.csr_matrix((np.ones(n), (np.arange(n), county_of)), shape=(n, k))
    row_target = np.array([row_t[c] for c in counties])
    col_target = np.array([col_t[c] for c in counties])
    if a.clip_diagonal:
        d = m.diagonal()
        m = m + sp.diags(np.maximum(d, 1.0) - d, format="csr")
    load_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    for _ in range(a.iterations):
        col_sums = np.asarray(m.sum(axis=0)).ravel() @ indicator        # county column sums
        c = ratio(col_sums, col_target)[county_of]
        m = m @ sp.diags(c, format="csr")
        row_sums = indicator.T @ np.asarray(m.sum(axis=1)).ravel()      # county row sums
        r = ratio(row_sums, row_target)[county_of]
        m = sp.diags(r, format="csr") @ m
    ipf_s = time.perf_counter() - t1

    row_sums = indicator.T @ np.asarray(m.sum(axis=1)).ravel()
    col_sums = np.asarray(m.sum(axis=0)).ravel() @ indicator
    ok = row_target > 0
    out = {
        "baseline": "scipy county IPF (diag(r) E diag(c) per iteration)",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "nnz": int(m.nnz),
        "counties": k,
        "iterations": a.iterations,
        "load_s": load_s,
        "ipf_s": ipf_s,
        "s_per_iteration": ipf_s / max(a.iterations, 1),
        "max_rel_row_residual": float(np.max(np.abs(row_sums[ok] - row_target[ok]) / row_target[ok])),
        "max_rel_col_residual": float(np.max(np.abs(col_sums - col_target)[col_target > 0]
                                             / col_target[col_target > 0])),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    if a.full_iterations:
        out["full_iterations"] = a.full_iterations
        out["scaled_ipf_s"] = out["s_per_iteration"] * a.full_iterations
        out["scaled_total_s"] = load_s + out["scaled_ipf_s"]
    if a.output:
        sp.save_npz(a.output, m, compressed=False)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
