"""docs/python.md's ```python blocks run, in order, as one script (in a scratch directory)."""

import os
import re

import pytest

from conftest import SOURCE_DIR

DOC = SOURCE_DIR / "docs" / "python.md"


def python_blocks(text):
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_docs_python_examples_run(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")  # the example ends with a plot
    blocks = python_blocks(DOC.read_text())
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("FLOWFIT_SOURCE_DIR", str(SOURCE_DIR))
    scope = {"__name__": "docs_python_md"}
    for i, block in enumerate(blocks):
        code = compile(block, f"{DOC}:block{i + 1}", "exec")
        exec(code, scope)  # noqa: S102 - the documented example is the test
    assert os.path.exists("county_out_migration.png")
