"""ruff and mypy are part of the suite, so CI fails on a lint or type error."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import REPO

PYTHON_FOLDERS = [name for name in ("src", "tests", "bench") if (REPO / name).is_dir()]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["ruff", "check", *PYTHON_FOLDERS], id="ruff-check"),
        pytest.param(["ruff", "format", "--check", *PYTHON_FOLDERS], id="ruff-format"),
        pytest.param([sys.executable, "-m", "mypy"], id="mypy"),
    ],
)
def test_code_is_clean(command: list[str]) -> None:
    if shutil.which(command[0]) is None and command[0] != sys.executable:
        pytest.skip(f"{command[0]} is not installed (pip install -e '.[test]')")
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
