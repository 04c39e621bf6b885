#!/usr/bin/env python3
"""Overhead of fit() from Python against the same stage through the CLI.

Makes (once) a national synthetic year with `flowfit synth --nnz 1e7` under /tmp, builds a county
IPF stage on it (county columns then rows, 3,000 sweeps; targets: the matrix's county sums with
5% noise, columns rescaled to the row total), then runs the stage

  * through the CLI: `flowfit fit ... --report` (the stage time is the report's total_s), and
  * from Python: `flowfit.fit(matrix, stage)` (wall time of the call, including the conversion of
    the scipy matrix, the copy into the engine and the wrapping of the result),

and prints the Python overhead = Python wall time - the engine's own stage time of that same call,
relative to the CLI's stage time. Repeats --repeat times and reports medians.

  PYTHONPATH=build/python python3 bench/python_fit_bench.py --cli build/flowfit [--threads 2]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import flowfit as ff


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", default="build/flowfit")
    ap.add_argument("--dir", default="/tmp/flowfit_pybench")
    ap.add_argument("--nnz", default="1e7")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    d = Path(a.dir)
    matrix_path = d / "observed_2018.npz"
    if not matrix_path.exists():
        subprocess.run([a.cli, "-q", "synth", "--out", str(d), "--nnz", a.nnz, "--no-truth"],
                       check=True)
    geo = ff.Geography.read_csv(d / "geography.csv")
    E = ff.read_matrix(matrix_path)
    print(f"matrix: {E.shape[0]} x {E.shape[1]}, {E.nnz} nonzeros", flush=True)

    agg = ff.aggregate(E, geo, "county")
    rng = np.random.default_rng(1)
    rows = pd.Series(agg.matrix.sum(axis=1) * rng.lognormal(0, 0.05, agg.matrix.shape[0]),
                     index=agg.row_labels)
    cols = pd.Series(agg.matrix.sum(axis=0) * rng.lognormal(0, 0.05, agg.matrix.shape[1]),
                     index=agg.col_labels)
    cols *= rows.sum() / cols.sum()
    rows.rename("target").rename_axis("group").to_csv(d / "bench_rows.csv")
    cols.rename("target").rename_axis("group").to_csv(d / "bench_cols.csv")

    county = ff.Grouping.by_level(geo, "county")
    stage = ff.Stage("fit", [ff.col_margin("county columns", county, cols, n_rows=E.shape[0]),
                             ff.row_margin("county rows", county, rows, n_cols=E.shape[1])],
                     a.iterations)
    threads = a.threads or None

    cli_s, py_wall, py_stage = [], [], []
    for k in range(a.repeat):
        report = d / "bench_cli.json"
        cmd = [a.cli, "-q", "--backend", "cpu", "fit", "--matrix", str(matrix_path),
               "--geography", str(d / "geography.csv"),
               "--margin", f"cols=county,targets={d / 'bench_cols.csv'},name=county columns",
               "--margin", f"rows=county,targets={d / 'bench_rows.csv'},name=county rows",
               "--iterations", str(a.iterations), "--report", str(report)]
        if a.threads:
            cmd[2:2] = ["--threads", str(a.threads)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        cli_s.append(json.loads(report.read_text())["result"]["timings"]["total_s"])

        t0 = time.perf_counter()
        r = ff.fit(E, stage, backend="cpu", threads=threads)
        py_wall.append(time.perf_counter() - t0)
        py_stage.append(r.timings["total_s"])
        print(f"run {k + 1}: CLI stage {cli_s[-1]:.3f} s, Python fit() {py_wall[-1]:.3f} s "
              f"(engine stage {py_stage[-1]:.3f} s)", flush=True)

    overhead = statistics.median(w - s for w, s in zip(py_wall, py_stage))
    cli = statistics.median(cli_s)
    print(json.dumps({
        "nnz": int(E.nnz), "iterations": a.iterations, "threads": a.threads,
        "backend": r.backend, "cli_stage_s": cli, "python_fit_wall_s": statistics.median(py_wall),
        "python_engine_stage_s": statistics.median(py_stage), "python_overhead_s": overhead,
        "overhead_vs_cli_stage": overhead / cli,
        "python_wall_vs_cli_stage": statistics.median(py_wall) / cli,
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
