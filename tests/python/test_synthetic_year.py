"""A small national synthetic year (`flowfit synth --nnz 1e6`, 217,740 CBGs): the whole
pipeline from Python (run_year, matrix in memory) gives the CLI's result."""

import numpy as np
import pytest
import scipy.sparse as sp

import flowfit as ff


@pytest.fixture(scope="module")
def synth_year(tmp_path_factory):
    from conftest import cli_path

    exe = cli_path()
    if exe is None:
        pytest.skip("the flowfit CLI is not built")
    import subprocess

    d = tmp_path_factory.mktemp("synth")
    subprocess.run([exe, "-q", "synth", "--out", str(d / "s"), "--nnz", "1e6", "--no-truth",
                    "--county-iterations", "50"], check=True, capture_output=True)
    subprocess.run([exe, "-q", "--backend", "cpu", "run", str(d / "s" / "plan.toml")],
                   check=True, capture_output=True)
    return d / "s"


def test_run_year_on_a_synthetic_national_year_matches_the_cli(synth_year):
    cli_out = sp.load_npz(synth_year / "harmonized" / "flows_2018.npz")
    observed = ff.read_npz(synth_year / "observed_2018.npz")
    fitted, report = ff.run_year(synth_year / "plan.toml", 2018, observed, backend="cpu")
    assert fitted.shape == (217740, 217740)
    np.testing.assert_array_equal(fitted.indptr, cli_out.indptr)
    np.testing.assert_array_equal(fitted.indices, cli_out.indices)
    np.testing.assert_allclose(fitted.data, cli_out.data, rtol=1e-12, atol=0)
    assert [s["kind"] for s in report["stages"]] == [
        "diagonal_clip", "cbg_rows", "state_nonmovers", "state_flows", "county_ipf"]
