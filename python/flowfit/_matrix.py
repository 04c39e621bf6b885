"""scipy.sparse CSR matrices to and from the engine's arrays (private)."""

from __future__ import annotations

import warnings
from typing import Any, Tuple

import numpy as np
import scipy.sparse as sp

_INT32_MAX = np.iinfo(np.int32).max


# The sparse-array base class: scipy.sparse.sparray from scipy 1.11, private before (in scipy
# 1.10 csr_array also derives from csr_matrix, so isinstance(m, spmatrix) cannot tell them apart).
_SPARRAY = getattr(sp, "sparray", None) or getattr(getattr(sp, "_arrays", None), "_sparray", None)


def is_sparse_array(m: Any) -> bool:
    """True for csr_array and the other sparse *arrays*, False for the *matrix* classes."""
    return _SPARRAY is not None and isinstance(m, _SPARRAY)


def to_engine(m: Any, what: str = "matrix") -> Tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(n_rows, n_cols, indptr, indices, data) of a scipy sparse matrix, without copies when the
    matrix is CSR with float64 data, int32 indices and canonical (sorted, unique) indices."""
    if not sp.issparse(m):
        raise TypeError(
            f"{what} must be a scipy.sparse matrix or array (csr_array / csr_matrix), "
            f"got {type(m).__name__}"
        )
    if m.format != "csr":
        warnings.warn(
            f"flowfit: {what} is {m.format.upper()}, converted to CSR (a copy); pass a csr_array "
            "or csr_matrix to avoid it",
            stacklevel=3,
        )
        m = m.tocsr()
    if not m.has_canonical_format:
        # Unsorted or duplicate column indices: flowfit's CSR has sorted unique indices.
        m = m.copy()
        m.sum_duplicates()
    data = m.data
    if data.dtype != np.float64:
        warnings.warn(
            f"flowfit: {what} data is {data.dtype}, converted to float64 (a copy)", stacklevel=3
        )
        data = data.astype(np.float64)
    indices = m.indices
    if indices.dtype != np.int32:
        if m.shape[1] > _INT32_MAX + 1:
            raise ValueError(f"{what} has more than 2^31 columns; flowfit indexes columns in int32")
        indices = indices.astype(np.int32)
    indptr = m.indptr
    if indptr.dtype not in (np.int32, np.int64):
        indptr = indptr.astype(np.int64)
    return (
        int(m.shape[0]),
        int(m.shape[1]),
        np.ascontiguousarray(indptr),
        np.ascontiguousarray(indices),
        np.ascontiguousarray(data),
    )


def from_engine(arrays: Tuple[int, int, np.ndarray, np.ndarray, np.ndarray], kind: str = "array",
                like: Any = None) -> Any:
    """A csr_array (kind "array") or csr_matrix ("matrix") over the engine's arrays (no copy of
    data or indices; indptr is narrowed to int32, as scipy wants, when every offset fits)."""
    n_rows, n_cols, indptr, indices, data = arrays
    if like is not None:
        kind = "array" if is_sparse_array(like) else "matrix"
    nnz = int(indptr[-1]) if len(indptr) else 0
    if nnz <= _INT32_MAX:
        indptr = indptr.astype(np.int32, copy=False)
    else:
        # scipy keeps indices and indptr in one dtype: 64-bit offsets need 64-bit indices.
        indices = indices.astype(np.int64)
    cls = sp.csr_matrix if kind == "matrix" else sp.csr_array
    if kind not in ("array", "matrix"):
        raise ValueError(f"kind must be 'array' or 'matrix', got {kind!r}")
    out = cls((data, indices, indptr), shape=(n_rows, n_cols), copy=False)
    out.has_sorted_indices = True
    out.has_canonical_format = True
    return out
