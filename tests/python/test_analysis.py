"""The analyses from Python: hand-checked values on a five-CBG matrix, and the same numbers as
`flowfit analyze` / `flowfit redact` on golden case 01's harmonized matrix."""

import math
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import flowfit as ff

from conftest import DATA

# docs/analysis.md's five CBGs: two in tract 01001000100, one more in county 01001, one in county
# 01003 (state 01), one in state 02.
TINY_GEOIDS = ["010010001001", "010010001002", "010010002001", "010030001001", "020010001001"]
TINY = [(0, 0, 50), (0, 1, 5), (0, 2, 3), (0, 3, 2), (1, 0, 4), (1, 1, 30), (1, 4, 6),
        (2, 2, 20), (2, 3, 10), (3, 0, 1), (3, 3, 40), (3, 4, 9), (4, 4, 100)]


def tiny():
    r, c, v = zip(*TINY)
    return sp.csr_array((np.array(v, float), (r, c)), shape=(5, 5))


def test_rates_by_county_by_hand():
    t = ff.rates(tiny(), TINY_GEOIDS, "county")
    assert list(t.index) == ["01001", "01003", "02001"]
    a = t.loc["01001"]
    assert a.n_cbgs == 3
    assert a.population_before == 130
    assert a.cbg_stayers == 100  # 50 + 30 + 20
    assert a.within_area_movers == 12  # 5 + 3 + 4
    assert a.out_migrants == 18  # 2 + 6 + 10
    assert a.in_migrants == 1
    assert a.out_rate == pytest.approx(18 / 130)
    assert a.mover_rate == pytest.approx(30 / 130)
    b = t.loc["01003"]
    assert (b.population_before, b.out_migrants, b.in_migrants) == (50, 10, 12)
    assert b.net_rate == pytest.approx((12 - 10) / 50)
    assert t.loc["02001"].in_rate == pytest.approx(15 / 115)
    # Suppression below a population threshold: rates NaN, figures kept.
    s = ff.rates(tiny(), TINY_GEOIDS, "county", min_population=60)
    assert bool(s.loc["01003"].suppressed) and math.isnan(s.loc["01003"].out_rate)
    assert not s.loc["01001"].suppressed and s.loc["01003"].population_before == 50


def test_rates_by_a_mapping_series_at_county_level():
    kind = pd.Series({"01001": "urban", "01003": "rural", "02001": "rural"})
    t = ff.rates(tiny(), TINY_GEOIDS, kind)
    assert list(t.index) == ["rural", "urban"]
    # Rural = counties 01003 and 02001: 150 people, the 01003 -> 02001 move (9) stays inside.
    r = t.loc["rural"]
    assert r.population_before == 150
    assert r.within_area_movers == 9
    assert r.out_migrants == 1  # 01003 -> 01001
    with pytest.raises(ValueError, match="one length"):
        ff.rates(tiny(), TINY_GEOIDS, pd.Series({"01001": "a", "01001000100": "b"}))


def test_group_flows_shares_and_homophily_by_hand():
    kind = pd.Series({"01001": "urban", "01003": "rural", "02001": "rural"})
    g = ff.group_flows(tiny(), TINY_GEOIDS, kind)
    # Movers (CBG stayers excluded): urban -> urban 12, urban -> rural 18, rural -> urban 1,
    # rural -> rural 9.
    assert g.flows.loc["urban", "urban"] == 12
    assert g.flows.loc["urban", "rural"] == 18
    assert g.flows.loc["rural", "urban"] == 1
    assert g.flows.loc["rural", "rural"] == 9
    assert g.shares.loc["urban", "urban"] == pytest.approx(12 / 30)
    all_urban = 13 / 40
    assert g.ratios.loc["urban", "urban"] == pytest.approx((12 / 30) / all_urban)
    table = g.paper_table()
    assert list(table.index[-2:]) == ["all movers", "population"]
    assert table.loc["population", "urban"] == pytest.approx(130 / 280)
    # Out-of-county moves only: the within-county moves (12 in 01001) leave.
    o = ff.group_flows(tiny(), TINY_GEOIDS, kind, out_of_county_only=True)
    assert o.flows.loc["urban", "urban"] == 0
    assert o.flows.loc["rural", "rural"] == 9


def test_quantile_bins_follow_the_cli_rule():
    v = pd.Series([3.0, 1.0, 2.0, 2.0, 5.0], index=list("abcde"))
    q = ff.quantile_bins(v, 2)
    # Sorted: 1, 2, 2, 3, 5; bin = floor(less * 2 / 5): less = 0, 1, 1, 3, 4.
    assert q.to_dict() == {"a": "q2", "b": "q1", "c": "q1", "d": "q1", "e": "q2"}
    assert ff.quantile_bins(pd.Series(range(12)), 10).iloc[-1] == "q10"


def test_move_distances_by_hand():
    geo = ["010010001001", "010010001002", "020010001001"]
    m = sp.csr_array(np.array([[10.0, 2.0, 1.0], [0, 5, 0], [0, 0, 7]]))
    # One degree of latitude apart: 69.09 miles; the first two CBGs at the same point.
    cent = pd.DataFrame({"latitude": [40.0, 40.0, 41.0], "longitude": [-100.0, -100.0, -100.0]},
                        index=geo)
    d = ff.move_distances(m, geo, cent, by="state")
    miles = 3958.8 * math.radians(1.0)
    assert d.loc["all", "movers"] == 3
    assert d.loc["all", "mean_miles"] == pytest.approx(miles / 3)
    assert d.loc["all", "share_under_5"] == pytest.approx(2 / 3)
    assert d.loc["all", "share_over_50"] == pytest.approx(1 / 3)
    assert d.loc["all", "miles_0_1"] == 2
    assert d.loc["all", "miles_50_100"] == 1
    assert d.loc["01", "movers"] == 3 and d.loc["02", "movers"] == 0


def test_area_of_interest_by_hand():
    t = ff.area_of_interest(tiny(), TINY_GEOIDS, geoids=["01001000100"])
    a = t.loc["area"]
    # The tract's two CBGs: 100 people; movers 5 + 4 inside, 3 to the rest of county 01001,
    # 2 to county 01003 (rest of state), 6 to state 02.
    assert a.n_cbgs == 2
    assert a.population_before == 100
    assert (a.within_region, a.rest_of_county, a.rest_of_state, a.elsewhere) == (9, 3, 2, 6)
    assert a.cbg_out_rate == pytest.approx(20 / 100)
    assert a.region_out_rate == pytest.approx(11 / 100)
    assert "rest_of_county" in t.index and "rest_of_state" in t.index
    with pytest.raises(ValueError):
        ff.area_of_interest(tiny(), TINY_GEOIDS)


def test_redact_by_hand_and_never_in_place():
    m = tiny()
    before = m.data.copy()
    out, withheld, summary = ff.redact(m, max_destinations=1, share=0.6, min_population=0,
                                       geography=TINY_GEOIDS)
    # Out-movers: CBG 1: 10 (5 to CBG 2: 0.5), CBG 2: 10 (6 to CBG 5: 0.6 -> withheld),
    # CBG 3: 10 (all to CBG 4 -> withheld), CBG 4: 10 (9 to CBG 5 -> withheld), CBG 5: none.
    assert list(withheld.index) == ["010010001002", "010010002001", "010030001001"]
    assert withheld["concentrated"].all()
    assert summary["removed_entries"] == 3 + 2 + 3
    assert out.getrow(1).nnz == 0 and out.getrow(0).nnz == 4
    assert isinstance(out, type(m))
    np.testing.assert_array_equal(m.data, before)


def test_same_numbers_as_the_cli(cli, tmp_path):
    src = DATA / "analysis"
    m = ff.read_matrix(src / "harmonized_2015.mtx")
    geo = ff.Geography.read_csv(src / "geography.csv")
    cli("analyze", "rates", str(src / "harmonized_2015.mtx"),
                 "--geography", str(src / "geography.csv"), "--level", "county", "-o", tmp_path / "rates")
    c = pd.read_csv(tmp_path / "rates" / "rates.csv", dtype={"area": str}).set_index("area")
    p = ff.rates(m, geo, "county")
    np.testing.assert_allclose(p["out_rate"], c["out_migration_rate"], rtol=1e-15)
    np.testing.assert_allclose(p["within_area_movers"], c["within_area_movers"], rtol=1e-15)

    cli("analyze", "distances", str(src / "harmonized_2015.mtx"),
                 "--geography", str(src / "geography.csv"), "--level", "state", "-o", tmp_path / "dist")
    c = pd.read_csv(tmp_path / "dist" / "distance_summary.csv", dtype={"group": str})
    d = ff.move_distances(m, geo, ff.read_centroids(src / "geography.csv", geo), by="state")
    np.testing.assert_allclose(d["mean_miles"].to_numpy(), c["mean_miles"].to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(d["share_over_500"].to_numpy(), c["share_over_500mi"].to_numpy(),
                               rtol=1e-15)

    cli("redact", str(src / "harmonized_2015.mtx"), "--geography",
                 str(src / "geography.csv"), "--min-population", "0", "--max-destinations", "2",
                 "-o", tmp_path / "redacted.mtx", "--report", tmp_path / "redaction")
    w = pd.read_csv(tmp_path / "redaction" / "withheld_cbgs.csv", dtype={"cbg_geoid": str})
    out, withheld, _ = ff.redact(m, min_population=0, max_destinations=2, geography=geo)
    assert list(withheld.index) == list(w["cbg_geoid"])
    cli_out = ff.read_matrix(tmp_path / "redacted.mtx")
    assert (out != cli_out).nnz == 0


def test_read_centroids_is_the_library_reader(tmp_path):
    src = DATA / "analysis"
    geo = ff.Geography.read_csv(src / "geography.csv")
    c = ff.read_centroids(src / "geography.csv", geo)
    assert list(c.index) == list(geo.geoids)
    assert c.loc["060010001001", "latitude"] == 37.7
    # A unit without a row is an InputError naming the file, as for --centroids.
    short = tmp_path / "short.csv"
    short.write_text("\n".join((src / "geography.csv").read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(ff.InputError, match="short.csv"):
        ff.read_centroids(short, geo)
