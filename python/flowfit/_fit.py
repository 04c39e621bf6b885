"""Margins, stages, backends and fit()."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _flowfit as _ff
from ._errors import InconsistentTargets
from ._geography import Grouping
from ._matrix import from_engine, to_engine
from ._progress import make_hook

ENTRY_CLASSES = ("all", "diagonal", "off_diagonal")

RESIDUAL_COLUMNS = [
    "blocks", "blocks_zero_target", "blocks_zero_current", "max_abs", "max_rel", "total_abs",
    "target_total", "current_total", "worst_block",
]


def _aligned(targets: Any, labels: pd.Index, what: str, missing: str) -> np.ndarray:
    """Targets in group order from a Series keyed by label (or an array already in order)."""
    if missing not in ("error", "keep"):
        raise ValueError(f"missing must be 'error' or 'keep', got {missing!r}")
    if isinstance(targets, dict):
        targets = pd.Series(targets, dtype=float)
    if isinstance(targets, pd.Series):
        index = targets.index
        if isinstance(index, pd.MultiIndex):
            index = index.map(lambda t: "\x00".join(str(x) for x in t))
        elif pd.api.types.is_numeric_dtype(index.dtype):
            raise TypeError(
                f"{what}: targets are keyed by numbers ({index.dtype}); group labels are strings "
                "(numbers lose the leading zeros of FIPS codes: use "
                "targets.index.astype(str).str.zfill(5) or read the table with dtype=str)"
            )
        if index.has_duplicates:
            raise ValueError(f"{what}: target for group {index[index.duplicated()][0]!r} given twice")
        s = pd.Series(np.asarray(targets.values, dtype=float), index=index)
        unknown = s.index.difference(labels)
        if len(unknown):
            raise ValueError(
                f"{what}: target for unknown group {str(unknown[0])!r} "
                f"({len(unknown)} unknown; groups look like {list(labels[:3])})"
            )
        out = s.reindex(labels)
        absent = out.isna() & ~labels.isin(s.index)
        if absent.any():
            if missing == "error":
                raise ValueError(
                    f"{what}: no target for group {labels[absent.values][0]!r} "
                    f"({int(absent.sum())} missing; pass missing='keep' to leave them unchanged)"
                )
            out[absent] = 0.0
        return out.to_numpy(dtype=np.float64)
    arr = np.asarray(targets, dtype=np.float64).ravel()
    if arr.size != len(labels):
        raise ValueError(f"{what}: expected {len(labels)} targets in group order, got {arr.size}")
    return arr


class Margin:
    """One block-marginal constraint: row groups x column groups x an entry class, with one
    target per block. Build with :func:`row_margin`, :func:`col_margin` or
    :func:`block_margin`."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    @property
    def name(self) -> str:
        """The margin's name (used in residual tables)."""
        return self._engine.name

    @property
    def entries(self) -> str:
        """Which entries count: "all", "diagonal" or "off_diagonal"."""
        return self._engine.entries

    @property
    def targets(self) -> pd.Series:
        """The targets keyed by group label (row label x column label for block margins)."""
        rows = Grouping(self._engine.rows).labels
        cols = Grouping(self._engine.cols).labels
        values = self._engine.targets
        if self._engine.cols.is_whole:
            return pd.Series(values, index=rows, name=self.name)
        if self._engine.rows.is_whole:
            return pd.Series(values, index=cols, name=self.name)
        index = pd.MultiIndex.from_product([rows, cols], names=["row_group", "col_group"])
        return pd.Series(values, index=index, name=self.name)

    def __repr__(self) -> str:
        return f"Margin({self.name!r}, {len(self._engine.targets)} blocks, entries={self.entries!r})"


def row_margin(name: str, rows: Grouping, targets: Any, *, n_cols: int, entries: str = "all",
               missing: str = "error") -> Margin:
    """Row groups x all columns: ``targets`` is a Series keyed by row-group label."""
    t = _aligned(targets, rows.labels, f"margin {name!r}", missing)
    return Margin(_ff.Margin(name, rows._engine, _ff.Grouping.whole(n_cols), entries, t))


def col_margin(name: str, cols: Grouping, targets: Any, *, n_rows: int, entries: str = "all",
               missing: str = "error") -> Margin:
    """All rows x column groups: ``targets`` is a Series keyed by column-group label."""
    t = _aligned(targets, cols.labels, f"margin {name!r}", missing)
    return Margin(_ff.Margin(name, _ff.Grouping.whole(n_rows), cols._engine, entries, t))


def block_margin(name: str, rows: Grouping, cols: Grouping, targets: Any, *,
                 entries: str = "all", missing: str = "error") -> Margin:
    """Row groups x column groups: ``targets`` is a Series with a (row label, column label)
    MultiIndex, or a DataFrame with row labels as index and column labels as columns."""
    if isinstance(targets, pd.DataFrame):
        targets = targets.stack()
    keys = pd.Index(["\x00".join(p) for p in
                     pd.MultiIndex.from_product([rows.labels, cols.labels])], dtype=object)
    t = _aligned(targets, keys, f"margin {name!r}", missing)
    return Margin(_ff.Margin(name, rows._engine, cols._engine, entries, t))


@dataclass(frozen=True)
class StopRule:
    """When to stop sweeping: at ``max_iterations``, or earlier once every tolerance set holds
    (``l1_tolerance``: whole-sweep L1 change; ``residual_tolerance``: every margin's max
    relative residual). With no tolerance exactly ``max_iterations`` sweeps run."""

    max_iterations: int = 1
    l1_tolerance: Optional[float] = None
    residual_tolerance: Optional[float] = None

    @staticmethod
    def exactly(n: int) -> "StopRule":
        """Exactly ``n`` sweeps (the reference county IPF is ``StopRule.exactly(3000)``)."""
        return StopRule(int(n))

    @staticmethod
    def single_pass() -> "StopRule":
        """One sweep over the margins."""
        return StopRule(1)


class Stage:
    """Margins applied in order, repeated in sweeps under a stop rule.

    ``stop`` is a :class:`StopRule` or a number of sweeps. ``method`` is "quotient" (fit the
    quotient of cells, exact and fast) or "naive" (scale the whole matrix every step, as the
    reference does).
    """

    def __init__(self, name: str, margins: Sequence[Margin], stop: Union[StopRule, int] = 1, *,
                 method: str = "quotient", log_every: int = 50,
                 consistency_tolerance: float = 1e-9, report_tolerance: float = 1e-9) -> None:
        if isinstance(stop, (int, np.integer)):
            stop = StopRule.exactly(int(stop))
        self.stop = stop
        self.margins = list(margins)
        self._engine = _ff.Stage(
            name, [m._engine for m in self.margins], stop.max_iterations, stop.l1_tolerance,
            stop.residual_tolerance, method, log_every, consistency_tolerance, report_tolerance)
        self.name = name
        self.method = method

    def __repr__(self) -> str:
        return f"Stage({self.name!r}, {len(self.margins)} margins, {self.stop})"


class Backend:
    """A compute backend: "auto" (CUDA when built and a device is present, else CPU), "cpu"
    (OpenMP), "cuda" or "reference" (serial). ``threads`` None = the OpenMP default."""

    def __init__(self, choice: str = "auto", threads: Optional[int] = None) -> None:
        self._engine, self.reason = _ff.make_backend(choice, int(threads or 0))
        self.choice = choice
        self.threads = threads

    @property
    def name(self) -> str:
        """E.g. "openmp (2 threads)" or "cuda (NVIDIA H100 80GB HBM3)"."""
        return self._engine.name

    def __repr__(self) -> str:
        return f"Backend({self.name!r})"


_backends: Dict[Any, Backend] = {}


def _backend(backend: Union[str, Backend], threads: Optional[int]) -> Backend:
    if isinstance(backend, Backend):
        return backend
    key = (backend, threads)
    if key not in _backends:  # CUDA start-up is expensive: one backend per choice
        _backends[key] = Backend(backend, threads)
    return _backends[key]


@dataclass
class FitResult:
    """What :func:`fit` returns.

    ``matrix``: the fitted matrix (same kind as the input: csr_array or csr_matrix; its indices
    and indptr are the input's when those were int32, the pattern being unchanged);
    ``verdict``: "converged", "iteration_cap" or "inconsistent_targets" (``verdict_detail``
    says why); ``residuals``: per margin, a DataFrame; ``history``: the whole-sweep L1 change
    at the logged iterations ``history_iterations``; ``timings``: seconds by phase; ``report``:
    the stage as the CLI's JSON report has it.
    """

    matrix: Any
    stage: str
    backend: str
    verdict: str
    verdict_detail: str
    iterations: int
    cells: int
    residuals: pd.DataFrame
    history: np.ndarray
    history_iterations: np.ndarray
    timings: Dict[str, float]
    report: Dict[str, Any] = field(repr=False)

    @property
    def converged(self) -> bool:
        """True when the verdict is "converged"."""
        return self.verdict == "converged"


def residual_frame(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    """Per-margin residuals (report rows) as a DataFrame indexed by margin name."""
    df = pd.DataFrame(rows, columns=["margin"] + RESIDUAL_COLUMNS)
    return df.set_index("margin")


def result_from_report(matrix: Any, report: Dict[str, Any]) -> FitResult:
    history = report["history"]
    return FitResult(
        matrix=matrix,
        stage=report["stage"],
        backend=report["backend"],
        verdict=report["verdict"],
        verdict_detail=report["verdict_detail"],
        iterations=int(report["iterations"]),
        cells=int(report["cells"]),
        residuals=residual_frame(report["residuals"]),
        history=np.array([h["l1_change"] for h in history], dtype=np.float64),
        history_iterations=np.array([h["iteration"] for h in history], dtype=np.int64),
        timings=dict(report["timings"]),
        report=report,
    )


def fit(matrix: Any, stage: Stage, *, backend: Union[str, Backend] = "auto",
        threads: Optional[int] = None, progress: Any = None,
        on_inconsistent: str = "return") -> FitResult:
    """Fits one stage to ``matrix`` (scipy CSR; the input is not modified) and returns a
    :class:`FitResult`.

    The GIL is released while the stage runs; Ctrl-C raises KeyboardInterrupt within one batch
    of sweeps (at most ``log_every`` sweeps) and leaves nothing behind. ``progress`` is None,
    True (a tqdm bar when tqdm is installed), a tqdm bar or a callable(done, total).
    ``on_inconsistent``: "return" (the verdict says so), "warn" or "raise"
    (:class:`flowfit.InconsistentTargets`).
    """
    if on_inconsistent not in ("return", "warn", "raise"):
        raise ValueError(f"on_inconsistent must be 'return', 'warn' or 'raise', got {on_inconsistent!r}")
    n_rows, n_cols, indptr, indices, data = to_engine(matrix)
    b = _backend(backend, threads)
    hook, bar = make_hook(progress, stage.name)
    try:
        arrays, text = _ff.fit(b._engine, n_rows, n_cols, indptr, indices, data, stage._engine, hook)
    finally:
        if bar is not None:
            bar.close()
    out = from_engine(arrays, like=matrix)
    if (matrix.format == "csr" and matrix.indices.dtype == np.int32
            and matrix.indptr.dtype == np.int32 and matrix.has_canonical_format):
        # The pattern is unchanged by a stage: share the input's index arrays (no second copy).
        out.indices = matrix.indices
        out.indptr = matrix.indptr
    result = result_from_report(out, json.loads(text))
    if result.verdict == "inconsistent_targets" and on_inconsistent != "return":
        message = f"stage {stage.name!r}: inconsistent targets: {result.verdict_detail}"
        if on_inconsistent == "raise":
            raise InconsistentTargets(message, result)
        warnings.warn(message, stacklevel=2)
    return result


def clip_diagonal(matrix: Any, minimum: float = 1.0) -> Any:
    """Stage 0 of the reference pipeline: every diagonal entry becomes max(value, minimum), and
    missing diagonal entries are inserted with ``minimum``. Returns a new matrix."""
    arrays, _ = _ff.clip_diagonal(*to_engine(matrix), float(minimum))
    return from_engine(arrays, like=matrix)
