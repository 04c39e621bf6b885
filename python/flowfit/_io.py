"""Matrix files (.npz .mtx .ffm .csv/.tsv), GEOID labels in .npz, long tables and aggregation."""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np
import pandas as pd

from . import _flowfit as _ff
from ._geography import Geography, Grouping, _geoid_strings, as_grouping
from ._matrix import from_engine, is_sparse_array, to_engine

PathLike = Union[str, "os.PathLike[str]"]

# Extra .npz members holding the GEOIDs of the rows and columns; scipy.sparse.load_npz reads
# only the members it knows and ignores these.
ROW_GEOIDS = "row_geoids"
COL_GEOIDS = "col_geoids"


def _geo(g: Any) -> Optional[Geography]:
    if g is None or isinstance(g, Geography):
        return g
    return Geography(g)


def read_matrix(path: PathLike, *, format: str = "auto", geography: Any = None,
                col_geography: Any = None, duplicates: str = "reject",
                allow_negative: bool = False, kind: str = "array") -> Any:
    """Reads a matrix file (.npz .mtx .ffm .csv .tsv, by extension unless ``format`` says) into
    a scipy csr_array (``kind="array"``) or csr_matrix (``kind="matrix"``).

    Triplet CSV/TSV needs the ``geography`` of the rows (and ``col_geography`` of the columns
    when different). A repeated (row, column) pair is an error unless ``duplicates="sum"``;
    negative values are errors unless ``allow_negative``. Bad input raises
    :class:`flowfit.InputError` naming the file, line and field.
    """
    if duplicates not in ("reject", "sum"):
        raise ValueError(f"duplicates must be 'reject' or 'sum', got {duplicates!r}")
    rows, cols = _geo(geography), _geo(col_geography)
    arrays = _ff.read_matrix(os.fspath(path), format, duplicates, allow_negative,
                             rows._engine if rows else None, cols._engine if cols else None)
    return from_engine(arrays, kind)


def read_npz(path: PathLike, *, kind: str = "array") -> Any:
    """Reads a scipy .npz archive (csr, csc or coo) as CSR. Its GEOIDs, if any, come from
    :func:`read_npz_geoids`."""
    return read_matrix(path, format="npz", kind=kind)


def read_npz_geoids(path: PathLike) -> Tuple[Optional[pd.Index], Optional[pd.Index]]:
    """The row and column GEOIDs stored in a .npz written by :func:`write_npz` (None when the
    archive has none, e.g. one written by scipy.sparse.save_npz)."""
    with np.load(os.fspath(path), allow_pickle=False) as z:
        names = set(z.files)
        rows = pd.Index(z[ROW_GEOIDS].tolist(), dtype=object, name="geoid") if ROW_GEOIDS in names else None
        cols = pd.Index(z[COL_GEOIDS].tolist(), dtype=object, name="geoid") if COL_GEOIDS in names else None
    return rows, cols


def _atomic_target(path: str) -> Tuple[int, str]:
    directory = os.path.dirname(os.path.abspath(path))
    return tempfile.mkstemp(prefix=".flowfit-", suffix=".tmp", dir=directory)


def write_npz(path: PathLike, matrix: Any, geoids: Any = None, *, col_geoids: Any = None,
              compressed: bool = True) -> None:
    """Writes ``matrix`` as a scipy .npz (``scipy.sparse.load_npz`` reads it back exactly).

    With ``geoids`` (a Geography, or a sequence/Series/Index of GEOID strings) the row GEOIDs
    (and ``col_geoids``, default the same) are stored in extra members ``row_geoids`` /
    ``col_geoids`` as unicode arrays, which scipy ignores. Written atomically (a temporary file
    renamed into place).
    """
    path = os.fspath(path)
    if geoids is None and col_geoids is None:
        n_rows, n_cols, indptr, indices, data = to_engine(matrix)
        _ff.write_matrix(path, n_rows, n_cols, indptr, indices, data, "npz", compressed, None,
                         None, [])
        return
    rows = _labels(geoids, matrix.shape[0], "geoids")
    cols = _labels(col_geoids if col_geoids is not None else geoids, matrix.shape[1], "col_geoids")
    m = matrix.tocsr() if matrix.format != "csr" else matrix
    arrays: Dict[str, np.ndarray] = {
        "indices": m.indices, "indptr": m.indptr, "format": np.array(b"csr"),
        "shape": np.array(m.shape), "data": m.data,
        ROW_GEOIDS: np.array(rows, dtype=str), COL_GEOIDS: np.array(cols, dtype=str),
    }
    if is_sparse_array(matrix):
        arrays["_is_array"] = np.array(True)  # as scipy >= 1.11 writes it: load as csr_array
    fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "wb") as f:
            (np.savez_compressed if compressed else np.savez)(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _labels(g: Any, n: int, what: str) -> list:
    labels = list(g.geoids) if isinstance(g, Geography) else _geoid_strings(g, what)
    if len(labels) != n:
        raise ValueError(f"{what}: {len(labels)} GEOIDs for a dimension of {n}")
    return labels


def write_matrix(path: PathLike, matrix: Any, *, format: str = "auto", geography: Any = None,
                 col_geography: Any = None, compressed: bool = True,
                 comments: Optional[list] = None) -> None:
    """Writes ``matrix`` in the format of the extension (.npz .mtx .ffm .csv .tsv) or
    ``format``, atomically. CSV/TSV triplets need the ``geography``; a .npz with a geography
    stores its GEOIDs (see :func:`write_npz`)."""
    path = os.fspath(path)
    is_npz = format == "npz" or (format == "auto" and path.lower().endswith(".npz"))
    if is_npz and geography is not None:
        write_npz(path, matrix, geography, col_geoids=col_geography, compressed=compressed)
        return
    rows, cols = _geo(geography), _geo(col_geography)
    n_rows, n_cols, indptr, indices, data = to_engine(matrix)
    _ff.write_matrix(path, n_rows, n_cols, indptr, indices, data, format, compressed,
                     rows._engine if rows else None, cols._engine if cols else None,
                     list(comments or []))


def read_ffm(path: PathLike, *, mmap: bool = True, verify_checksum: bool = True,
             kind: str = "array") -> Any:
    """Reads a flowfit .ffm file. With ``mmap`` (the default) the matrix's arrays are read-only
    views of the memory-mapped file (no copy; the mapping lives as long as the arrays)."""
    if not mmap:
        return read_matrix(path, format="ffm", kind=kind)
    return from_engine(_ff.map_ffm(os.fspath(path), verify_checksum), kind)


def to_frame(matrix: Any, geography: Any = None, col_geography: Any = None) -> pd.DataFrame:
    """The stored entries as a long DataFrame with columns origin, destination, value (GEOID
    strings when a geography is given, matrix indices otherwise), in row-major order."""
    m = matrix.tocsr() if matrix.format != "csr" else matrix
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    cols = m.indices
    rg, cg = _geo(geography), _geo(col_geography if col_geography is not None else geography)
    origin = rg.geoids.to_numpy()[rows] if rg is not None else rows
    dest = cg.geoids.to_numpy()[cols] if cg is not None else cols
    return pd.DataFrame({"origin": origin, "destination": dest, "value": m.data})


@dataclass
class Aggregated:
    """An aggregated matrix (scipy CSR) with its row and column group labels, and what was
    dropped (units in no group)."""

    matrix: Any
    row_labels: pd.Index
    col_labels: pd.Index
    dropped: Dict[str, float]

    def to_frame(self) -> pd.DataFrame:
        """The stored entries as a long DataFrame: origin, destination (group labels), value."""
        m = self.matrix
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        return pd.DataFrame({
            "origin": self.row_labels.to_numpy()[rows],
            "destination": self.col_labels.to_numpy()[m.indices],
            "value": m.data,
        })


def aggregate(matrix: Any, geography: Any, level: Any = "county", *, col_level: Any = None,
              col_geography: Any = None, long: bool = False) -> Union[Aggregated, pd.DataFrame]:
    """Sums ``matrix`` over groups of rows and columns: F[g, h] = sum of m[i, j] over rows i in
    group g and columns j in group h.

    ``level`` (rows) and ``col_level`` (columns, default the same) are a level name ("state",
    "county", "tract", "block_group"), a :class:`Grouping` or a mapping Series unit GEOID ->
    group. Returns an :class:`Aggregated` (matrix + labels), or with ``long=True`` a DataFrame
    origin, destination, value.
    """
    rg = _geo(geography)
    cg = _geo(col_geography) or rg
    rows = as_grouping(level, rg, matrix.shape[0], "level")
    cols = as_grouping(col_level if col_level is not None else level, cg, matrix.shape[1],
                       "col_level")
    arrays, dropped = _ff.aggregate(*to_engine(matrix), rows._engine, cols._engine)
    out = Aggregated(from_engine(arrays, like=matrix), rows.labels, cols.labels, dict(dropped))
    return out.to_frame() if long else out


def npz_members(path: PathLike) -> list:
    """The member names of a .npz archive (for checking what a file carries)."""
    with zipfile.ZipFile(os.fspath(path)) as z:
        return [n[:-4] if n.endswith(".npy") else n for n in z.namelist()]
