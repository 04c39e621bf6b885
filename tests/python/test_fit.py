"""fit() from Python: the golden county IPF, identical to the CLI, results as pandas/numpy,
zero-copy conversions, verdicts and the exception hierarchy."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import flowfit as ff
from flowfit import _matrix


def county_stage(case_dir, n, iterations=3000, **kw):
    geo = ff.Geography.read_csv(case_dir / "geography.csv")
    county = ff.Grouping.by_level(geo, "county")
    t = pd.read_csv(case_dir / "county_targets.csv", dtype={"county_fips": str}).set_index(
        "county_fips")
    margins = [
        ff.col_margin("county columns", county, t["col_target_t"], n_rows=n),
        ff.row_margin("county rows", county, t["row_target_t_minus_1"], n_cols=n),
    ]
    return geo, ff.Stage("county_ipf", margins, ff.StopRule.exactly(iterations), **kw)


def max_rel_diff(a, b):
    a, b = sp.csr_array(a), sp.csr_array(b)
    assert a.shape == b.shape and a.nnz == b.nnz
    np.testing.assert_array_equal(a.indices, b.indices)
    return float(np.max(np.abs(a.data - b.data) / np.maximum(np.abs(b.data), 1.0)))


def test_golden_county_ipf_matches_the_reference(golden):
    case = golden / "case02"
    start = ff.read_matrix(case / "after_stage3_state_flows.mtx")
    geo, stage = county_stage(case, start.shape[0])
    r = ff.fit(start, stage, backend="cpu")
    assert max_rel_diff(r.matrix, ff.read_matrix(case / "after_stage4_county_ipf.mtx")) <= 1e-9
    assert r.iterations == 3000
    assert r.verdict == "converged" and r.converged
    assert list(r.residuals.index) == ["county columns", "county rows"]
    assert (r.residuals["max_rel"] < 1e-9).all()
    assert r.history.dtype == np.float64 and r.history_iterations[0] == 1
    assert r.history_iterations[-1] == 3000
    assert r.history[-1] < r.history[0]
    assert set(r.timings) == {"aggregate_s", "fit_s", "apply_s", "total_s"}
    np.testing.assert_array_equal(start.data, ff.read_matrix(
        case / "after_stage3_state_flows.mtx").data)  # the input is not modified


def test_fit_is_identical_to_the_cli(golden, cli, tmp_path):
    case = golden / "case02"
    start = ff.read_matrix(case / "after_stage3_state_flows.mtx")
    geo, stage = county_stage(case, start.shape[0])
    t = pd.read_csv(case / "county_targets.csv", dtype=str)
    t[["county_fips", "col_target_t"]].set_axis(["group", "target"], axis=1).to_csv(
        tmp_path / "cols.csv", index=False)
    t[["county_fips", "row_target_t_minus_1"]].set_axis(["group", "target"], axis=1).to_csv(
        tmp_path / "rows.csv", index=False)
    cli("--backend", "cpu", "fit", "--matrix", case / "after_stage3_state_flows.mtx",
        "--geography", case / "geography.csv",
        "--margin", f"cols=county,targets={tmp_path / 'cols.csv'},name=county columns",
        "--margin", f"rows=county,targets={tmp_path / 'rows.csv'},name=county rows",
        "--iterations", "3000", "-o", tmp_path / "cli.npz")
    ours = ff.fit(start, stage, backend="cpu").matrix
    assert max_rel_diff(ours, sp.load_npz(tmp_path / "cli.npz")) <= 1e-12


def test_thread_count_does_not_change_the_result(golden):
    case = golden / "case02"
    start = ff.read_matrix(case / "after_stage3_state_flows.mtx")
    _, stage = county_stage(case, start.shape[0], iterations=200)
    one = ff.fit(start, stage, backend="cpu", threads=1).matrix
    two = ff.fit(start, stage, backend="cpu", threads=2).matrix
    np.testing.assert_array_equal(one.data, two.data)
    ref = ff.fit(start, stage, backend="reference").matrix
    assert max_rel_diff(ref, one) <= 1e-12


def test_inconsistent_targets_return_warn_or_raise(golden):
    case = golden / "case04"
    start = ff.read_matrix(case / "after_stage3_state_flows.mtx")
    _, stage = county_stage(case, start.shape[0], iterations=300)
    r = ff.fit(start, stage)
    assert r.verdict == "inconsistent_targets" and not r.converged
    assert "county" in r.verdict_detail
    with pytest.warns(UserWarning, match="inconsistent targets"):
        ff.fit(start, stage, on_inconsistent="warn")
    with pytest.raises(ff.InconsistentTargets) as e:
        ff.fit(start, stage, on_inconsistent="raise")
    assert e.value.result.verdict == "inconsistent_targets"
    assert isinstance(e.value, ValueError)


def test_csr_matrix_in_csr_matrix_out():
    m = sp.csr_matrix(np.array([[1.0, 2.0], [3.0, 4.0]]))
    rows = ff.Grouping.whole(2)
    stage = ff.Stage("total", [ff.row_margin("all", rows, [20.0], n_cols=2)])
    r = ff.fit(m, stage)
    assert isinstance(r.matrix, sp.csr_matrix)
    np.testing.assert_allclose(r.matrix.toarray(), [[2.0, 4.0], [6.0, 8.0]], rtol=1e-15)
    assert isinstance(ff.fit(sp.csr_array(m), stage).matrix, sp.csr_array)


def test_float64_int32_arrays_are_shared_not_copied():
    m = sp.random(50, 50, density=0.1, format="csr", random_state=0)
    assert m.indices.dtype == np.int32 and m.data.dtype == np.float64
    n_rows, n_cols, indptr, indices, data = _matrix.to_engine(m)
    assert indices is m.indices and data is m.data and indptr is m.indptr
    out = _matrix.from_engine((n_rows, n_cols, indptr, indices, data))
    assert np.shares_memory(out.data, m.data) and np.shares_memory(out.indices, m.indices)
    # fit returns new values on the input's (unchanged) pattern arrays
    stage = ff.Stage("total", [ff.row_margin("all", ff.Grouping.whole(50), [1.0], n_cols=50)])
    r = ff.fit(m, stage)
    assert np.shares_memory(r.matrix.indices, m.indices)
    assert np.shares_memory(r.matrix.indptr, m.indptr)
    assert not np.shares_memory(r.matrix.data, m.data)
    # other dtypes are converted (a copy)
    with pytest.warns(UserWarning, match="float32, converted to float64"):
        _, _, _, _, d32 = _matrix.to_engine(m.astype(np.float32))
    assert not np.shares_memory(d32, m.data)


def test_engine_output_is_not_copied(golden):
    arrays = ff._flowfit.read_matrix(str(golden / "case01" / "E_input.mtx"), "auto", "reject",
                                     False, None, None)
    out = _matrix.from_engine(arrays)
    assert np.shares_memory(out.data, arrays[4]) and np.shares_memory(out.indices, arrays[3])


def test_exception_hierarchy():
    m = sp.csr_array(np.eye(3))
    rows = ff.Grouping.whole(3)
    with pytest.raises(ff.ConfigError) as e:
        ff.fit(m, ff.Stage("bad", [ff.row_margin("all", rows, [1.0], n_cols=3)], 0))
    assert isinstance(e.value, ValueError) and isinstance(e.value, ff.Error)
    assert "max_iterations" in e.value.key
    with pytest.raises(ff.ConfigError, match="grouping|rows|fit"):
        ff.fit(sp.csr_array(np.eye(4)), ff.Stage("x", [ff.row_margin("all", rows, [1.0], n_cols=3)]))
    if not ff._flowfit.cuda_built() or ff._flowfit.cuda_device_count() == 0:
        with pytest.raises(ff.DeviceError):
            ff.fit(m, ff.Stage("s", [ff.row_margin("all", rows, [1.0], n_cols=3)]),
                   backend="cuda")
    with pytest.raises(TypeError, match="scipy.sparse"):
        ff.fit(np.eye(3), ff.Stage("s", [ff.row_margin("all", rows, [1.0], n_cols=3)]))


def test_clip_diagonal_inserts_missing_diagonals():
    m = sp.csr_array(np.array([[0.5, 2.0], [3.0, 0.0]]))
    out = ff.clip_diagonal(m)
    np.testing.assert_array_equal(out.toarray(), [[1.0, 2.0], [3.0, 1.0]])
