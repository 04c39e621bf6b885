"""Shared fixtures of the Python suite: paths of the test data and of the flowfit CLI."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("FLOWFIT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DATA = SOURCE_DIR / "tests" / "data"
GOLDEN = DATA / "golden"


@pytest.fixture
def golden() -> Path:
    return GOLDEN


@pytest.fixture
def cli_data() -> Path:
    return DATA / "cli"


def cli_path():
    exe = os.environ.get("FLOWFIT_CLI")
    if exe and Path(exe).exists():
        return exe
    for candidate in (SOURCE_DIR / "build" / "flowfit",):
        if candidate.exists():
            return str(candidate)
    return shutil.which("flowfit")


@pytest.fixture
def cli():
    """Runs the flowfit command line (skips when it is not built)."""
    exe = cli_path()
    if exe is None:
        pytest.skip("the flowfit CLI is not built")

    def run(*args, cwd=None):
        return subprocess.run([exe, "-q", *map(str, args)], cwd=cwd, check=True,
                              capture_output=True, text=True)

    return run
