"""GEOIDs with pandas: strings accepted, integers refused with the lost-leading-zero hint."""

import io

import numpy as np
import pandas as pd
import pytest

import flowfit as ff

CSV = "cbg_geoid,pop\n010010201001,10\n010010201002,20\n020130001001,30\n"


def test_geography_from_a_string_series_and_index():
    table = pd.read_csv(io.StringIO(CSV), dtype={"cbg_geoid": str})
    for source in (table["cbg_geoid"], pd.Index(table["cbg_geoid"]), list(table["cbg_geoid"])):
        geo = ff.Geography(source)
        assert len(geo) == 3
        assert list(geo.geoids) == ["010010201001", "010010201002", "020130001001"]
        assert geo.index_of("020130001001") == 2
        assert geo.index_of("99") is None


def test_integer_geoids_are_refused_with_the_hint():
    table = pd.read_csv(io.StringIO(CSV))  # pandas makes the GEOIDs integers: 10010201001
    assert table["cbg_geoid"].dtype.kind == "i"
    with pytest.raises(TypeError, match="lost their leading zeros.*dtype=\\{'cbg_geoid': str\\}"):
        ff.Geography(table["cbg_geoid"])
    with pytest.raises(TypeError, match="leading zeros"):
        ff.Geography(["010010201001", 10010201002])
    with pytest.raises(TypeError, match="leading zeros"):
        ff.Geography(np.array([1001, 1003]))


def test_duplicate_geoids_are_an_error():
    with pytest.raises(ff.Error, match="010010201001"):
        ff.Geography(["010010201001", "010010201001"])


def test_groupings_by_level_prefix_and_mapping():
    geo = ff.Geography(["010010201001", "010010201002", "010030001001", "020130001001"])
    county = ff.Grouping.by_level(geo, "county")
    assert list(county.labels) == ["01001", "01003", "02013"]
    np.testing.assert_array_equal(county.group_of_unit, [0, 0, 1, 2])
    assert list(ff.Grouping.by_level(geo, "state").labels) == ["01", "02"]
    assert ff.Grouping.by_prefix(geo, 11).n_groups == 3
    mapping = pd.Series(["b", "a", "a", "b"], index=geo.geoids)
    g = ff.Grouping.from_mapping(geo, mapping)
    assert list(g.labels) == ["a", "b"]
    np.testing.assert_array_equal(g.group_of_unit, [1, 0, 0, 1])
    with pytest.raises(ff.Error, match="020130001001"):
        ff.Grouping.from_mapping(geo, mapping.iloc[:3])
    partial = ff.Grouping.from_mapping(geo, mapping.iloc[:3], require_all=False)
    assert partial.group_of_unit[3] == -1
    with pytest.raises(ValueError, match="unknown level"):
        ff.Grouping.by_level(geo, "region")


def test_targets_keyed_by_integers_are_refused():
    geo = ff.Geography(["010010201001", "010030001001"])
    county = ff.Grouping.by_level(geo, "county")
    with pytest.raises(TypeError, match="leading zeros"):
        ff.row_margin("rows", county, pd.Series([1.0, 2.0], index=[1001, 1003]), n_cols=2)


def test_targets_align_by_label_and_missing_groups_are_explicit():
    geo = ff.Geography(["010010201001", "010030001001", "020130001001"])
    county = ff.Grouping.by_level(geo, "county")
    m = ff.row_margin("rows", county, pd.Series({"02013": 3.0, "01001": 1.0, "01003": 2.0}),
                      n_cols=3)
    assert m.targets.to_dict() == {"01001": 1.0, "01003": 2.0, "02013": 3.0}
    with pytest.raises(ValueError, match="no target for group '01003'"):
        ff.row_margin("rows", county, pd.Series({"01001": 1.0, "02013": 3.0}), n_cols=3)
    kept = ff.row_margin("rows", county, pd.Series({"01001": 1.0, "02013": 3.0}), n_cols=3,
                         missing="keep")
    assert kept.targets["01003"] == 0.0  # 0 = left unchanged by the ratio rule
    with pytest.raises(ValueError, match="unknown group '06001'"):
        ff.row_margin("rows", county, pd.Series({"01001": 1.0, "01003": 2.0, "02013": 3.0,
                                                 "06001": 4.0}), n_cols=3)
