"""Geographies (unit GEOIDs in matrix order) and groupings of their units."""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _flowfit as _ff

LEVELS = {"state": 2, "county": 5, "tract": 11, "block_group": 12, "cbg": 12}

_INTEGER_HINT = (
    "GEOIDs must be strings: integers have lost their leading zeros (01001 became 1001). Read "
    "them as text, e.g. pd.read_csv(path, dtype={'cbg_geoid': str}), or pad them with "
    "series.astype(str).str.zfill(12)"
)


def _geoid_strings(values: Any, what: str = "GEOIDs") -> list:
    """A list of GEOID strings; integers and floats are refused with the leading-zero hint."""
    if isinstance(values, (pd.Series, pd.Index)):
        if pd.api.types.is_numeric_dtype(values.dtype):
            raise TypeError(f"{what} have dtype {values.dtype}. {_INTEGER_HINT}")
        values = values.tolist()
    elif isinstance(values, np.ndarray):
        if values.dtype.kind in "iufb":
            raise TypeError(f"{what} have dtype {values.dtype}. {_INTEGER_HINT}")
        values = values.tolist()
    elif isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a sequence of strings, not one string")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            raise TypeError(f"{what}[{i}] is the number {v!r}. {_INTEGER_HINT}")
        else:
            raise TypeError(f"{what}[{i}] is {type(v).__name__}, expected str")
    return out


class Geography:
    """The units (CBGs, counties, ...) that index a matrix's rows and columns, in matrix order.

    Build one from a sequence of GEOID strings, a pandas Series or Index of strings, or a CSV
    file (:meth:`read_csv`). GEOIDs are zero-padded strings and must be unique; integer GEOIDs
    are refused (they have lost their leading zeros).
    """

    def __init__(self, geoids: Union[Sequence[str], pd.Series, pd.Index, "Geography"]) -> None:
        if isinstance(geoids, Geography):
            self._engine = geoids._engine
        else:
            self._engine = _ff.Geography(_geoid_strings(geoids))
        self._index: Optional[pd.Index] = None

    @classmethod
    def read_csv(cls, path: Union[str, os.PathLike], column: str = "cbg_geoid") -> "Geography":
        """The GEOIDs of ``column`` of a CSV file, in file order (read as text, never as
        numbers)."""
        g = cls.__new__(cls)
        g._engine = _ff.read_geography(os.fspath(path), column)
        g._index = None
        return g

    @property
    def geoids(self) -> pd.Index:
        """The GEOIDs as a pandas Index of strings (dtype object)."""
        if self._index is None:
            self._index = pd.Index(self._engine.geoids(), dtype=object, name="geoid")
        return self._index

    def __len__(self) -> int:
        return len(self._engine)

    def index_of(self, geoid: str) -> Optional[int]:
        """The matrix index of a GEOID, or None when it is not a unit of this geography."""
        return self._engine.find(geoid)

    def __repr__(self) -> str:
        n = len(self)
        head = ", ".join(self._engine.geoids()[:3])
        return f"Geography({n} units: {head}{', ...' if n > 3 else ''})"


class Grouping:
    """Assigns every unit of a geography to at most one group (labels sorted ascending).

    Make one by census level (:meth:`by_level`), by GEOID prefix (:meth:`by_prefix`), from a
    mapping Series unit GEOID -> group label (:meth:`from_mapping`), from one label per unit
    (:meth:`from_labels`), or one group of everything (:meth:`whole`).
    """

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    @classmethod
    def by_level(cls, geography: Geography, level: str) -> "Grouping":
        """Groups by census level: "state", "county", "tract" or "block_group" ("cbg")."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; expected one of {sorted(LEVELS)}")
        return cls.by_prefix(geography, LEVELS[level])

    @classmethod
    def by_prefix(cls, geography: Geography, prefix_length: int) -> "Grouping":
        """Group = the first ``prefix_length`` characters of each GEOID."""
        return cls(_ff.Grouping.by_prefix(geography._engine, int(prefix_length)))

    @classmethod
    def from_mapping(cls, geography: Geography, mapping: Union[pd.Series, Mapping[str, str]],
                     require_all: bool = True) -> "Grouping":
        """Groups from a Series (or dict) indexed by unit GEOID whose values are group labels.
        Units missing from the mapping are an error, or ungrouped when ``require_all`` is
        False."""
        if isinstance(mapping, pd.Series):
            keys = _geoid_strings(mapping.index, "mapping index (unit GEOIDs)")
            values = _geoid_strings(mapping.values, "mapping values (group labels)")
            if len(set(keys)) != len(keys):
                dup = mapping.index[mapping.index.duplicated()][0]
                raise ValueError(f"mapping lists unit {dup!r} more than once")
            mapping = dict(zip(keys, values))
        else:
            mapping = dict(zip(_geoid_strings(list(mapping.keys()), "mapping keys"),
                               _geoid_strings(list(mapping.values()), "mapping values")))
        return cls(_ff.Grouping.from_mapping(geography._engine, mapping, require_all))

    @classmethod
    def from_labels(cls, labels: Union[Sequence[str], pd.Series]) -> "Grouping":
        """One group label per unit, in matrix order; an empty label leaves the unit
        ungrouped."""
        return cls(_ff.Grouping.from_labels(_geoid_strings(labels, "labels")))

    @classmethod
    def whole(cls, n_units: int, label: str = "all") -> "Grouping":
        """One group holding all ``n_units`` units ("all rows" / "all columns")."""
        return cls(_ff.Grouping.whole(int(n_units), label))

    @property
    def labels(self) -> pd.Index:
        """Group labels in group order (sorted), as a pandas Index of strings."""
        return pd.Index(self._engine.labels, dtype=object, name="group")

    @property
    def group_of_unit(self) -> np.ndarray:
        """The group index of every unit (int32; -1 for an ungrouped unit)."""
        return self._engine.group_of_unit()

    @property
    def n_units(self) -> int:
        """Number of units grouped (rows or columns of the matrix)."""
        return self._engine.n_units

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return self._engine.n_groups

    def __repr__(self) -> str:
        return f"Grouping({self.n_units} units in {self.n_groups} groups)"


def as_grouping(g: Union[Grouping, str, None], geography: Optional[Geography], n_units: int,
                what: str) -> Grouping:
    """A Grouping from a Grouping, a level name (needs a geography) or None (all units)."""
    if g is None:
        return Grouping.whole(n_units)
    if isinstance(g, Grouping):
        return g
    if isinstance(g, str):
        if geography is None:
            raise ValueError(f"{what}={g!r} needs a geography")
        return Grouping.by_level(geography, g)
    if isinstance(g, (pd.Series, dict)):
        if geography is None:
            raise ValueError(f"{what} as a mapping needs a geography")
        return Grouping.from_mapping(geography, g)
    raise TypeError(f"{what} must be a Grouping, a level name, a mapping Series or None")


