"""What researchers compute on a harmonized matrix, as pandas tables: migration rates per area,
flows between groups of places, move distances, areas of interest and privacy redaction.

The computations are the library's (the same code as ``flowfit analyze`` and ``flowfit redact``,
docs/analysis.md); this layer turns GEOID-keyed pandas objects into engine groupings and the
engine's arrays into DataFrames.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _flowfit as _ff
from ._geography import Geography, Grouping, _geoid_strings, as_grouping
from ._matrix import from_engine, to_engine

DEFAULT_EDGES = (0, 1, 5, 10, 25, 50, 100, 250, 500, 1000)


def _geography(g: Any) -> Geography:
    if isinstance(g, Geography):
        return g
    if g is None:
        raise ValueError("a geography (the matrix's GEOIDs) is needed")
    return Geography(g)


def _square(matrix: Any, geography: Geography) -> None:
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"the flow matrix must be square, got {matrix.shape}")
    if matrix.shape[0] != len(geography):
        raise ValueError(
            f"the geography has {len(geography)} GEOIDs, the matrix {matrix.shape[0]} rows"
        )


def unit_groups(geography: Any, groups: Any, what: str = "groups") -> Grouping:
    """A grouping of the geography's units from a level name ("state", "county", "tract",
    "block_group"), a :class:`Grouping`, or a pandas Series keyed by GEOIDs at any level (CBG,
    tract, county or state: every unit takes the value of the key its GEOID starts with; units
    without one are in no group)."""
    geo = _geography(geography)
    if isinstance(groups, pd.Series):
        keys = _geoid_strings(groups.index, f"{what} index (GEOIDs)")
        lengths = {len(k) for k in keys}
        if len(lengths) != 1:
            raise ValueError(f"{what}: GEOID keys of one length expected, got lengths {sorted(lengths)}")
        (length,) = lengths
        values = dict(zip(keys, ("" if pd.isna(v) else str(v) for v in groups.to_numpy())))
        labels = [values.get(g[:length], "") for g in geo.geoids]
        return Grouping.from_labels(labels)
    return as_grouping(groups, geo, len(geo), what)


def quantile_bins(values: pd.Series, q: int = 5) -> pd.Series:
    """Labels ``q1`` .. ``qK`` (zero-padded from 10 bins) by rank, as ``flowfit analyze groups
    --quantiles`` bins: a value's bin is floor(less * q / n), where ``less`` counts the values
    strictly below it, so ties share a bin. Missing values get no bin."""
    if q < 1:
        raise ValueError("the number of quantile bins must be at least 1")
    v = pd.to_numeric(values, errors="raise").dropna()
    n = len(v)
    less = v.rank(method="min").astype(np.int64) - 1
    width = len(str(q)) if q >= 10 else 1
    return (less * q // max(n, 1)).map(lambda b: f"q{b + 1:0{width}d}").reindex(values.index)


def rates(matrix: Any, geography: Any, level: Any = "county", *,
          min_population: float = 0.0) -> pd.DataFrame:
    """Migration figures and rates of every area (``level``: a level name, a :class:`Grouping`
    or a Series GEOID -> area label), computed from the CBG matrix so that people who stayed in
    their CBG (``cbg_stayers``) and people who moved between CBGs of the same area
    (``within_area_movers``) are told apart.

    Rates: out = out_migrants / population_before, in = in_migrants / population_after,
    net = (in - out migrants) / population_before, mover = (within-area + out) /
    population_before. Rates of areas with population_before below ``min_population`` (or 0)
    are NaN and ``suppressed`` is True.
    """
    geo = _geography(geography)
    _square(matrix, geo)
    areas = unit_groups(geo, level, "level")
    d = _ff.area_rates(*to_engine(matrix), areas._engine, float(min_population))
    frame = pd.DataFrame(
        {k: d[k] for k in ("n_cbgs", "population_before", "population_after", "cbg_stayers",
                           "within_area_movers", "out_migrants", "in_migrants", "out_rate",
                           "in_rate", "net_rate", "mover_rate")},
        index=pd.Index(areas.labels, name="area"),
    )
    frame["suppressed"] = d["suppressed"].astype(bool)
    frame.attrs["dropped"] = d["dropped"]
    return frame


class GroupFlows:
    """Movers between groups of places (origin group x destination group).

    ``flows``: people moving from a CBG of group g to a CBG of group h (CBG stayers excluded);
    ``shares``: each origin row divided by its movers; ``ratios``: shares divided by the
    destination's share of all movers (homophily on the diagonal: how much likelier movers of g
    are to go to g than movers as a whole); ``population``: people at t-1 per group. The paper's
    layout adds the rows "all movers" (destination shares of all movers) and "population"
    (population shares): :meth:`paper_table`.
    """

    def __init__(self, labels: Sequence[str], flows: np.ndarray, population: np.ndarray,
                 dropped_movers: float) -> None:
        idx = pd.Index(list(labels), name="origin")
        cols = pd.Index(list(labels), name="destination")
        n = len(idx)
        self.flows = pd.DataFrame(np.asarray(flows).reshape(n, n), index=idx, columns=cols)
        self.population = pd.Series(np.asarray(population), index=pd.Index(list(labels), name="group"),
                                    name="population")
        self.dropped_movers = float(dropped_movers)

    @property
    def shares(self) -> pd.DataFrame:
        out = self.flows.sum(axis=1)
        return self.flows.div(out.where(out != 0), axis=0)

    @property
    def all_movers_share(self) -> pd.Series:
        col = self.flows.sum(axis=0)
        total = col.sum()
        return col / total if total != 0 else col * np.nan

    @property
    def ratios(self) -> pd.DataFrame:
        return self.shares.div(self.all_movers_share, axis=1)

    def paper_table(self) -> pd.DataFrame:
        """Shares by origin, then the rows "all movers" and "population" (population shares)."""
        t = self.shares.copy()
        t.loc["all movers"] = self.all_movers_share
        pop = self.population
        t.loc["population"] = pop / pop.sum() if pop.sum() != 0 else pop * np.nan
        return t

    def __repr__(self) -> str:
        return f"GroupFlows({len(self.flows)} groups, {self.flows.to_numpy().sum():.6g} movers)"


def group_flows(matrix: Any, geography: Any, groups: Any, *,
                out_of_county_only: bool = False) -> GroupFlows:
    """Flows between groups of CBGs. ``groups``: a level name, a :class:`Grouping`, or a Series
    keyed by GEOIDs at any level (e.g. a county attribute; see :func:`quantile_bins` for binning a
    numeric one). ``out_of_county_only`` counts only moves between counties."""
    geo = _geography(geography)
    _square(matrix, geo)
    g = unit_groups(geo, groups)
    d = _ff.group_flows(*to_engine(matrix), g._engine, geo._engine, bool(out_of_county_only))
    return GroupFlows(d["labels"], d["flows"], d["population"], d["dropped_movers"])


def read_centroids(path: Any, geography: Any, *, geoid_column: str = "cbg_geoid",
                   latitude_column: str = "latitude",
                   longitude_column: str = "longitude") -> pd.DataFrame:
    """Centroids (latitude, longitude in degrees) of the geography's units from a CSV such as
    the bundled data/geography/cbg2010.csv, aligned with the geography. Read by the library, as
    ``flowfit analyze --centroids``: a unit without a row, or a coordinate out of range, raises
    :class:`flowfit.InputError` naming the file (and line)."""
    geo = _geography(geography)
    lat, lon = _ff.read_centroids(os.fspath(path), geo._engine, geoid_column, latitude_column,
                                  longitude_column)
    return pd.DataFrame({"latitude": lat, "longitude": lon}, index=geo.geoids)


def _centroid_arrays(centroids: Any, geo: Geography) -> Tuple[list, list]:
    if isinstance(centroids, pd.DataFrame):
        if centroids.index.dtype == object and len(centroids) == len(geo):
            centroids = centroids.reindex(geo.geoids)
            if centroids.isna().any().any():
                raise ValueError("centroids: a GEOID of the geography has no centroid")
        return (centroids["latitude"].to_numpy(np.float64).tolist(),
                centroids["longitude"].to_numpy(np.float64).tolist())
    lat, lon = centroids
    return np.asarray(lat, np.float64).tolist(), np.asarray(lon, np.float64).tolist()


def _miles(x: float) -> str:
    return f"{x:g}"


def move_distances(matrix: Any, geography: Any, centroids: Any, *, by: Any = None,
                   edges: Sequence[float] = DEFAULT_EDGES, under: Sequence[float] = (5,),
                   over: Sequence[float] = (50, 500)) -> pd.DataFrame:
    """Great-circle distances of moves (CBG stayers excluded), weighted by flow: one row for all
    movers, then one per origin group with ``by`` (a level name, Grouping or GEOID Series).
    Columns: movers, mean_miles, the flow per distance bin (``miles_<lo>_<hi>``, the last bin
    unbounded), and the shares of movers under / over the given thresholds."""
    geo = _geography(geography)
    _square(matrix, geo)
    lat, lon = _centroid_arrays(centroids, geo)
    groups = unit_groups(geo, by, "by") if by is not None else None
    rows = _ff.move_distances(*to_engine(matrix), lat, lon, groups._engine if groups else None,
                              [float(e) for e in edges], [float(u) for u in under],
                              [float(o) for o in over])
    bins = [f"miles_{_miles(edges[b])}_{_miles(edges[b + 1])}" if b + 1 < len(edges)
            else f"miles_{_miles(edges[b])}_plus" for b in range(len(edges))]
    records = []
    for r in rows:
        rec: Dict[str, Any] = {"group": r["group"], "movers": r["movers"],
                               "mean_miles": r["mean_miles"]}
        rec.update(zip(bins, r["bin_flow"]))
        rec.update({f"share_under_{_miles(u)}": s for u, s in zip(under, r["under_share"])})
        rec.update({f"share_over_{_miles(o)}": s for o, s in zip(over, r["over_share"])})
        records.append(rec)
    return pd.DataFrame.from_records(records).set_index("group")


def area_of_interest(matrix: Any, geography: Any, *, geoids: Optional[Sequence[str]] = None,
                     center: Optional[Tuple[float, float]] = None,
                     radius_miles: Optional[float] = None, centroids: Any = None,
                     rings: Sequence[float] = ()) -> pd.DataFrame:
    """Out-migration of an area (CBGs whose GEOID starts with one of ``geoids``, or whose
    centroid lies within ``radius_miles`` of ``center`` = (latitude, longitude)) and where its
    movers went — inside the region, the rest of the county, the rest of the state, elsewhere —
    against comparison regions: neighbours within each ring distance (needs ``centroids``), the
    rest of the area's counties and the rest of its states. One row per region."""
    geo = _geography(geography)
    _square(matrix, geo)
    if (geoids is None) == (center is None):
        raise ValueError("give either geoids or a center (with radius_miles)")
    if center is not None and not radius_miles:
        raise ValueError("a center needs radius_miles")
    lat: list = []
    lon: list = []
    if centroids is not None:
        lat, lon = _centroid_arrays(centroids, geo)
    ids = _geoid_strings(list(geoids), "geoids") if geoids is not None else []
    c = center or (0.0, 0.0)
    rows = _ff.area_of_interest(*to_engine(matrix), geo._engine, ids, lat, lon, float(c[0]),
                                float(c[1]), float(radius_miles or 0.0),
                                [float(r) for r in rings])
    return pd.DataFrame.from_records(rows).set_index("region")


def redact(matrix: Any, *, share: float = 0.9, max_destinations: int = 10,
           min_population: float = 100.0,
           geography: Any = None) -> Tuple[Any, pd.DataFrame, Dict[str, float]]:
    """The data release's privacy rule (docs/analysis.md, "Redaction"): withholds every row
    (origin CBG) whose out-movers go ``share`` or more to ``max_destinations`` or fewer
    destination CBGs, and every row of fewer than ``min_population`` people (0: off).

    Returns (the redacted matrix, same kind as the input; a DataFrame of the withheld rows;
    a summary dict). The input is never modified. With ``geography`` the withheld rows are
    indexed by GEOID."""
    d_matrix, withheld, summary = _ff.redact(*to_engine(matrix), float(share),
                                             int(max_destinations), float(min_population))
    table = pd.DataFrame({k: withheld[k] for k in ("unit", "population", "out_movers",
                                                   "top_share", "destinations")})
    table["concentrated"] = withheld["concentrated"].astype(bool)
    table["small_population"] = withheld["small_population"].astype(bool)
    if geography is not None:
        geo = _geography(geography)
        table.index = pd.Index([geo.geoids[int(u)] for u in table["unit"]], name="geoid")
    return from_engine(d_matrix, like=matrix), table, dict(summary)


__all__ = [
    "GroupFlows", "area_of_interest", "group_flows", "move_distances", "quantile_bins", "rates",
    "read_centroids", "redact", "unit_groups",
]
