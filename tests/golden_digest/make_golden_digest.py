#!/usr/bin/python3
"""Writes a digest-style golden case folder from a full one (docs/formats.md, "Golden case
folders"). Reproduces tests/data/golden_digest/case02:

    tests/golden_digest/make_golden_digest.py tests/data/golden/case02 tests/data/golden_digest/case02

The digest folder holds the same census inputs, the input matrix as .npz, per-stage row sums,
column sums and a seeded sample of entries (gzipped CSVs) instead of the stage matrices, the
full final matrix as .npz, the IPF log and the NNLS populations gzipped, and case.json with the
matrix year. Needs numpy and scipy.
"""
import gzip
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import scipy.io
import scipy.sparse

INPUTS = ["geography.csv", "state_components.csv", "state_flows.csv", "county_components.csv",
          "cbg_pop_census2010.csv", "cbg_pop_acs5.csv", "README.md"]
DIGEST_STAGES = ["E_input", "after_stage1_cbg", "after_stage2_state_nonmovers",
                 "after_stage3_state_flows"]
FINAL = "after_stage4_county_ipf"
SAMPLE = 300


def write_gz(path, header, rows):
    text = header + "\n" + "".join(",".join(r) + "\n" for r in rows)
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # fixed mtime: reproducible bytes
        f.write(text.encode())


def digest(m, out, stem, rng):
    m = scipy.sparse.csr_matrix(m)
    m.sort_indices()
    rows = np.asarray(m.sum(axis=1)).ravel()
    cols = np.asarray(m.sum(axis=0)).ravel()
    write_gz(out / f"{stem}.row_sums.csv.gz", "row,sum",
             ([str(i), repr(float(v))] for i, v in enumerate(rows)))
    write_gz(out / f"{stem}.col_sums.csv.gz", "col,sum",
             ([str(j), repr(float(v))] for j, v in enumerate(cols)))
    coo = m.tocoo()
    pick = np.sort(rng.choice(coo.nnz, min(SAMPLE, coo.nnz), replace=False))
    write_gz(out / f"{stem}.sample.csv.gz", "row,col,value",
             ([str(coo.row[k]), str(coo.col[k]), repr(float(coo.data[k]))] for k in pick))


def main():
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2015)
    for name in INPUTS:
        shutil.copyfile(src / name, out / name)
    (out / "README.md").write_text(
        f"Digest-style golden case derived from {src.name} by "
        "tests/golden_digest/make_golden_digest.py (see docs/formats.md, 'Golden case folders').\n"
        "Stage matrices are replaced by row sums, column sums and a sample of entries; the final "
        "matrix is complete (after_stage4_county_ipf.npz).\n")
    scipy.sparse.save_npz(out / "E_raw.npz", scipy.io.mmread(src / "E_raw.mtx").tocsr())
    for stem in DIGEST_STAGES:
        digest(scipy.io.mmread(src / f"{stem}.mtx"), out, stem, rng)
    scipy.sparse.save_npz(out / f"{FINAL}.npz", scipy.io.mmread(src / f"{FINAL}.mtx").tocsr())
    for name in ["ipf_log.csv", "cbg_pop_resolved.csv"]:
        with open(src / name, "rb") as f_in, gzip.GzipFile(out / (name + ".gz"), "wb",
                                                          mtime=0) as f_out:
            shutil.copyfileobj(f_in, f_out)
    (out / "case.json").write_text(json.dumps({"year": 2015, "derived_from": src.name}) + "\n")


if __name__ == "__main__":
    main()
