"""Whole plans: run(plan) as `flowfit run` does, and run_year for a matrix in memory."""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _flowfit as _ff
from ._matrix import from_engine, to_engine

PlanLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_value(v: Any, where: str) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (str, os.PathLike)):
        return json.dumps(os.fspath(v))  # JSON string escapes are valid TOML basic strings
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x, f'{where}.{k}')}"
                               for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x, f"{where}[{i}]") for i, x in enumerate(v)) + "]"
    raise TypeError(f"plan {where}: cannot write a {type(v).__name__} in a plan")


def _toml_key(k: Any) -> str:
    k = str(k)
    return k if _BARE_KEY.match(k) else json.dumps(k)


def plan_toml(plan: Mapping[str, Any]) -> str:
    """A plan dict (the TOML schema of docs/cli.md, as nested dicts and lists) as TOML text."""
    return "".join(f"{_toml_key(k)} = {_toml_value(v, str(k))}\n" for k, v in plan.items())


def _plan_args(plan: PlanLike, base_dir: Optional[Union[str, os.PathLike]]) -> Tuple[str, Optional[str], str]:
    if isinstance(plan, Mapping):
        base = os.path.abspath(os.fspath(base_dir) if base_dir is not None else os.getcwd())
        return "<plan dict>", plan_toml(plan), base
    return os.fspath(plan), None, ""


def run(plan: PlanLike, *, backend: Optional[str] = None, threads: Optional[int] = None,
        report: Optional[Union[str, os.PathLike]] = None, progress: Any = None,
        base_dir: Optional[Union[str, os.PathLike]] = None) -> Dict[str, Any]:
    """Runs a plan (a TOML file, or a dict with the same keys) exactly as ``flowfit run`` does:
    every year through its stages, outputs written atomically with their sidecars, and the JSON
    run report written to ``report`` (default ``<output.dir>/run_report.json``). Returns that
    report as a dict.

    Relative paths of a dict plan resolve against ``base_dir`` (default: the current
    directory). ``backend``/``threads`` override the plan's. ``progress`` is None or a
    callable(year, year_index, n_years, what) called after every stage; Ctrl-C raises
    KeyboardInterrupt between stages (outputs already written are complete, none is partial).
    Invalid plans raise :class:`flowfit.PlanError` with the file, line and key.
    """
    file, text, base = _plan_args(plan, base_dir)
    out = _ff.run_plan(file, text, base, backend, threads,
                       os.fspath(report) if report is not None else None, progress)
    return json.loads(out)


def run_year(plan: PlanLike, year: int, matrix: Any, *, backend: Optional[str] = None,
             threads: Optional[int] = None, progress: Any = None,
             base_dir: Optional[Union[str, os.PathLike]] = None) -> Tuple[Any, Dict[str, Any]]:
    """Runs the plan's stages on one year's ``matrix`` (scipy CSR, not modified), with that
    year's targets from the plan's census sources. Returns (fitted matrix, report dict with
    the year's stages as the run report has them). Writes nothing."""
    file, text, base = _plan_args(plan, base_dir)
    arrays, out = _ff.run_year(file, text, base, backend, threads, int(year),
                               *to_engine(matrix), progress)
    return from_engine(arrays, like=matrix), json.loads(out)
