"""run(plan) and run_year from Python against `flowfit run` on the bundled example."""

import shutil
import tomllib

import numpy as np
import pytest
import scipy.sparse as sp

import flowfit as ff


@pytest.fixture
def plan_dir(cli_data, tmp_path):
    """A copy of tests/data/cli's plan and inputs, writing npz outputs."""
    d = tmp_path / "example"
    shutil.copytree(cli_data, d)
    text = (d / "plan.toml").read_text().replace('format = "mtx"', 'format = "npz"')
    (d / "plan.toml").write_text(text)
    return d


def test_run_a_toml_plan_like_the_cli(plan_dir, cli, tmp_path):
    report = ff.run(plan_dir / "plan.toml", backend="cpu")
    assert (plan_dir / "out" / "run_report.json").exists()
    ours = sp.load_npz(plan_dir / "out" / "flows_2015.npz")
    cli("--backend", "cpu", "run", plan_dir / "plan.toml", "--output-dir", tmp_path / "cli_out")
    theirs = sp.load_npz(tmp_path / "cli_out" / "flows_2015.npz")
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-12, atol=0)
    kinds = [s["kind"] for s in report["years"][0]["stages"]]
    assert kinds == ["diagonal_clip", "cbg_rows", "state_nonmovers", "state_flows", "county_ipf"]
    assert report["years"][0]["year"] == 2015


def test_run_a_dict_plan(plan_dir):
    plan = tomllib.loads((plan_dir / "plan.toml").read_text())
    plan["output"]["dir"] = "dict_out"
    events = []
    report = ff.run(plan, base_dir=plan_dir, backend="cpu",
                    progress=lambda *e: events.append(e))
    assert (plan_dir / "dict_out" / "flows_2015.npz").exists()
    assert events and events[-1][0] == 2015
    assert report["years"][0]["stages"][-1]["result"]["iterations"] == 3000


def test_run_year_in_memory_matches_run(plan_dir):
    full = ff.run(plan_dir / "plan.toml", backend="cpu")
    written = sp.load_npz(plan_dir / "out" / "flows_2015.npz")
    m = ff.read_matrix(plan_dir / "flows_2015.mtx")
    fitted, report = ff.run_year(plan_dir / "plan.toml", 2015, m, backend="cpu")
    np.testing.assert_array_equal(fitted.indices, written.indices)
    np.testing.assert_allclose(fitted.data, written.data, rtol=1e-12, atol=0)
    assert [s["kind"] for s in report["stages"]][-1] == "county_ipf"
    assert [s["name"] for s in report["stages"]][1] == "stage1_cbg_rows"
    # The final audit, as the run report has it: every stage's targets on the final matrix.
    audit, want = report["final_audit"], full["years"][0]["final_audit"]
    assert [a["name"] for a in audit] == [a["name"] for a in want]
    for a, b in zip(audit, want):
        assert a["max_rel"] == pytest.approx(b["max_rel"], rel=1e-9, abs=1e-14)
        assert a["median_rel"] == pytest.approx(b["median_rel"], rel=1e-9, abs=1e-14)
        assert a["worst_group"] == b["worst_group"] or a["max_rel"] < 1e-12
    assert audit[1]["max_rel"] > 1e-3  # stage 1's CBG rows moved by the later stages


def test_plan_errors_name_file_line_and_key(plan_dir):
    bad = plan_dir / "bad.toml"
    bad.write_text((plan_dir / "plan.toml").read_text().replace("max_iterations = 3000",
                                                                "max_iterations = -3"))
    with pytest.raises(ff.PlanError) as e:
        ff.run(bad)
    assert e.value.file.endswith("bad.toml") and e.value.line > 0
    assert e.value.key == "stages[4].max_iterations"
    assert isinstance(e.value, ValueError)
    with pytest.raises(ff.PlanError, match="did you mean 'max_iterations'"):
        ff.run({"geography": "geography.csv", "census": {"golden_dir": "census"},
                "years": [{"year": 2015, "matrix": "flows_2015.mtx"}],
                "stages": [{"kind": "county_ipf", "max_iteration": 3}],
                "output": {"dir": "o"}}, base_dir=plan_dir)


def test_plan_toml_writes_every_value_kind():
    text = ff.plan_toml({"name": 'a "quoted" name', "threads": 2, "x": 1e-9, "flag": True,
                         "years": [2014, 2015], "output": {"dir": "out"}})
    assert tomllib.loads(text) == {"name": 'a "quoted" name', "threads": 2, "x": 1e-9,
                                   "flag": True, "years": [2014, 2015], "output": {"dir": "out"}}
