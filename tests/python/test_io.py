"""Matrix files through the Python API: exact round trips with scipy, GEOID labels in .npz,
.mtx, memory-mapped .ffm and triplet CSV, and aggregation."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import flowfit as ff


def random_csr(n_rows=40, n_cols=30, density=0.2, seed=1, cls=sp.csr_array):
    rng = np.random.default_rng(seed)
    m = sp.random(n_rows, n_cols, density=density, random_state=rng, format="csr")
    m.data = rng.lognormal(size=m.nnz)  # values with full 53-bit mantissas
    return cls(m)


def assert_same(a, b):
    assert a.shape == b.shape
    a, b = sp.csr_array(a), sp.csr_array(b)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)  # bit-exact


@pytest.mark.parametrize("compressed", [True, False])
def test_npz_round_trip_with_scipy_is_exact(tmp_path, compressed):
    m = random_csr()
    ff.write_npz(tmp_path / "a.npz", m, compressed=compressed)
    assert_same(sp.load_npz(tmp_path / "a.npz"), m)
    sp.save_npz(tmp_path / "b.npz", m)
    back = ff.read_npz(tmp_path / "b.npz")
    assert isinstance(back, sp.csr_array)
    assert_same(back, m)


def test_npz_geoids_are_an_extra_member_scipy_ignores(tmp_path):
    m = random_csr(4, 3, density=0.6)
    rows = ["010010201001", "010010201002", "010010202001", "020130001001"]
    cols = ["01001", "01003", "02013"]
    ff.write_npz(tmp_path / "g.npz", m, rows, col_geoids=cols)
    assert {"row_geoids", "col_geoids"} <= set(ff._io.npz_members(tmp_path / "g.npz"))
    assert_same(sp.load_npz(tmp_path / "g.npz"), m)  # scipy tolerates the extra members
    assert_same(ff.read_npz(tmp_path / "g.npz"), m)  # and so does flowfit's reader
    r, c = ff.read_npz_geoids(tmp_path / "g.npz")
    assert list(r) == rows and list(c) == cols
    assert r.dtype == object and isinstance(r[0], str)
    sp.save_npz(tmp_path / "plain.npz", m)
    assert ff.read_npz_geoids(tmp_path / "plain.npz") == (None, None)


def test_npz_geoids_must_match_the_shape(tmp_path):
    with pytest.raises(ValueError, match="2 GEOIDs for a dimension of 4"):
        ff.write_npz(tmp_path / "g.npz", random_csr(4, 4), ["01", "02"])


@pytest.mark.parametrize("ext", ["mtx", "ffm", "npz"])
def test_other_formats_round_trip_exactly(tmp_path, ext):
    m = random_csr(seed=3)
    ff.write_matrix(tmp_path / f"m.{ext}", m)
    assert_same(ff.read_matrix(tmp_path / f"m.{ext}"), m)


def test_kind_follows_the_request_and_the_input(tmp_path):
    m = random_csr(cls=sp.csr_matrix)
    ff.write_matrix(tmp_path / "m.mtx", m)
    assert isinstance(ff.read_matrix(tmp_path / "m.mtx", kind="matrix"), sp.csr_matrix)
    assert isinstance(ff.read_matrix(tmp_path / "m.mtx"), sp.csr_array)


def test_ffm_is_memory_mapped_read_only(tmp_path):
    m = random_csr(seed=4)
    ff.write_matrix(tmp_path / "m.ffm", m)
    mapped = ff.read_ffm(tmp_path / "m.ffm")
    assert_same(mapped, m)
    assert not mapped.data.flags.writeable
    assert not mapped.data.flags.owndata  # a view of the mapping, not a copy
    with pytest.raises(ValueError):
        mapped.data[0] = 1.0


def test_other_sparse_formats_are_converted_with_a_note(tmp_path):
    m = random_csr(seed=5)
    with pytest.warns(UserWarning, match="COO, converted to CSR"):
        ff.write_matrix(tmp_path / "c.mtx", sp.coo_array(m))
    assert_same(ff.read_matrix(tmp_path / "c.mtx"), m)


def test_64_bit_row_offsets_and_indices_are_accepted(tmp_path):
    m = random_csr(seed=6)
    big = m.copy()
    big.indptr = m.indptr.astype(np.int64)  # scipy's constructor would narrow them again
    big.indices = m.indices.astype(np.int64)
    assert big.indptr.dtype == np.int64 and big.indices.dtype == np.int64
    ff.write_matrix(tmp_path / "b.mtx", big)
    assert_same(ff.read_matrix(tmp_path / "b.mtx"), m)


def test_triplet_csv_uses_geoid_strings(tmp_path):
    geo = ff.Geography(["06001000100", "06001000200", "06003000100"])
    m = sp.csr_array(np.array([[1.5, 0, 2.0], [0, 3.0, 0], [0.25, 0, 0]]))
    ff.write_matrix(tmp_path / "t.csv", m, geography=geo)
    table = pd.read_csv(tmp_path / "t.csv", dtype=str)
    assert table["origin"].iloc[0] == "06001000100"
    assert_same(ff.read_matrix(tmp_path / "t.csv", geography=geo), m)
    frame = ff.to_frame(m, geo)
    assert list(frame.columns) == ["origin", "destination", "value"]
    assert frame.iloc[-1].tolist() == ["06003000100", "06001000100", 0.25]


def test_input_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.mtx"
    bad.write_text("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n1 3 2.0\n")
    with pytest.raises(ff.InputError) as e:
        ff.read_matrix(bad)
    assert e.value.file.endswith("bad.mtx")
    assert e.value.line == 4
    assert e.value.field == "col"
    assert isinstance(e.value, ValueError)  # catchable as a standard exception


def test_aggregate_to_counties(golden):
    geo = ff.Geography.read_csv(golden / "case02" / "geography.csv")
    m = ff.read_matrix(golden / "case02" / "E_input.mtx")
    agg = ff.aggregate(m, geo, "county")
    assert list(agg.row_labels) == sorted({g[:5] for g in geo.geoids})
    dense = m.toarray()
    county = np.array([g[:5] for g in geo.geoids])
    for i, a in enumerate(agg.row_labels[:3]):
        for j, b in enumerate(agg.col_labels[:3]):
            expected = dense[np.ix_(county == a, county == b)].sum()
            assert agg.matrix[i, j] == pytest.approx(expected, rel=1e-14)
    long = ff.aggregate(m, geo, "state", long=True)
    assert long["value"].sum() == pytest.approx(m.sum(), rel=1e-13)
    assert set(long["origin"]) == {"08", "17", "41"}


def test_aggregate_by_a_mapping_series(golden):
    geo = ff.Geography.read_csv(golden / "case02" / "geography.csv")
    m = ff.read_matrix(golden / "case02" / "E_input.mtx")
    region = pd.Series(np.where(geo.geoids.str.startswith("08"), "west", "rest"), index=geo.geoids)
    agg = ff.aggregate(m, geo, region)
    assert list(agg.row_labels) == ["rest", "west"]
    assert agg.matrix.sum() == pytest.approx(m.sum(), rel=1e-13)
