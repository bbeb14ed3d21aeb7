"""The wheel carries the ontology, data, shapes and queries, and the installed CLI works anywhere."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the repository, as `pip install .` would build it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("mdq_graph-*.whl")
    return built


def test_wheel_carries_the_bundled_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data", "shapes", "queries"):
        source_files = {
            p.relative_to(REPO / folder).as_posix()
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        packed = {
            n.split(f"mdq_graph/_bundle/{folder}/", 1)[1]
            for n in names
            if f"_bundle/{folder}/" in n
        }
        assert source_files and source_files <= packed, f"{folder}: missing {source_files - packed}"
    assert "mdq_graph/py.typed" in names


def venv_site_packages(python: Path) -> Path:
    """The site-packages folder of the virtual environment whose interpreter is `python`."""
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(found.stdout.strip())


def test_installed_cli_works_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Reuse the test environment's packages (rdflib, pyshacl, ...): no network needed. Not with
    # `system_site_packages`, which inside a virtual environment gives the base interpreter's
    # packages, not this environment's: a .pth file lists this environment's folders, after the
    # new one's own, so the wheel installed there is the mdq_graph it imports.
    (venv_site_packages(python) / "test-environment.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--force-reinstall",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The installed package only: not the source tree a PYTHONPATH may name.
    clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    cli = env_dir / "bin" / "mdq-graph"

    def elsewhere_run(*command: str | Path) -> str:
        """`command` from the other folder, with only the installed package; its output."""
        done = subprocess.run(
            [str(part) for part in command],
            cwd=elsewhere,
            check=True,
            capture_output=True,
            text=True,
            env=clean,
        )
        return done.stdout

    elsewhere_run(cli, "export", "--format", "json-ld", "-o", "mdq.jsonld")
    exported = json.loads((elsewhere / "mdq.jsonld").read_text(encoding="utf-8"))
    assert "https://w3id.org/mdq/id/meeting/mdq-7" in json.dumps(exported)
    info = elsewhere_run(cli, "info", "--json")
    where = elsewhere_run(
        python, "-c", "import mdq_graph.graph.resources as r; print(r.data_dir())"
    )
    assert "_bundle" in where and str(env_dir) in where
    assert json.loads(info)["total_triples"] > 2000
