"""flowfit: harmonize census-block-group migration matrices with census constraints.

Matrices go in and out as scipy.sparse CSR (csr_array or csr_matrix), geographies and targets
as pandas objects keyed by GEOID strings. See docs/python.md for a worked example.

>>> import flowfit as ff
>>> geo = ff.Geography(["01001020100", "01001020200"])  # doctest: +SKIP
"""

from __future__ import annotations

from ._errors import (
    ConfigError,
    DeviceError,
    Error,
    InconsistentTargets,
    InputError,
    PlanError,
)
from . import _flowfit
from ._analysis import (
    GroupFlows,
    area_of_interest,
    group_flows,
    move_distances,
    quantile_bins,
    rates,
    read_centroids,
    redact,
    unit_groups,
)
from ._fit import (
    Backend,
    FitResult,
    Margin,
    Stage,
    StopRule,
    block_margin,
    clip_diagonal,
    col_margin,
    fit,
    row_margin,
)
from ._geography import LEVELS, Geography, Grouping
from ._io import (
    Aggregated,
    aggregate,
    read_ffm,
    read_matrix,
    read_npz,
    read_npz_geoids,
    to_frame,
    write_matrix,
    write_npz,
)
from ._pipeline import plan_toml, run, run_year

__version__: str = _flowfit.__version__


def cuda_available() -> bool:
    """True when flowfit was built with CUDA and a device is usable."""
    return bool(_flowfit.cuda_built() and _flowfit.cuda_device_count() > 0)


__all__ = [
    "GroupFlows", "area_of_interest", "group_flows", "move_distances", "quantile_bins", "rates",
    "read_centroids", "redact", "unit_groups",
    "Aggregated", "Backend", "ConfigError", "DeviceError", "Error", "FitResult", "Geography",
    "Grouping", "InconsistentTargets", "InputError", "LEVELS", "Margin", "PlanError", "Stage",
    "StopRule", "aggregate", "block_margin", "clip_diagonal", "col_margin", "cuda_available",
    "fit", "plan_toml", "read_ffm", "read_matrix", "read_npz", "read_npz_geoids", "row_margin",
    "run", "run_year", "to_frame", "write_matrix", "write_npz",
]
