"""The ontology is OWL 2 DL and a DL reasoner (HermiT, as owlready2 ships it) finds it, and it with
the data, consistent, with no unsatisfiable class; data that breaks an axiom is found inconsistent.

HermiT runs on Java (Debian's default-jre-headless). Without Java or owlready2 these tests skip,
saying why, unless MDQ_REQUIRE_JAVA=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph

from mdq_graph import load_dataset
from mdq_graph.graph.resources import ontology_file
from tests.conftest import REPO, TEST_DATA

CHECKER = REPO / "tests" / "support" / "OwlDlCheck.java"
INCONSISTENT = sorted((TEST_DATA / "ontology" / "inconsistent").glob("*.ttl"))
pytestmark = pytest.mark.slow


def _missing(what: str) -> None:
    if os.environ.get("MDQ_REQUIRE_JAVA") == "1":
        pytest.fail(f"MDQ_REQUIRE_JAVA=1 but {what}")
    pytest.skip(what)


@pytest.fixture(scope="module")
def hermit_jar() -> Path:
    """HermiT's jar, as owlready2 (PyPI) ships it, with Java to run it."""
    if shutil.which("java") is None:
        _missing("no java (apt-get install default-jre-headless)")
    try:
        import owlready2
    except ImportError:
        _missing("no owlready2 (pip install owlready2)")
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    assert jar.is_file(), jar
    return jar


def check(jar: Path, graph: Graph, folder: Path, *, ignore_datatypes: bool = False) -> list[str]:
    """The checker's report on `graph`: `violation`, `consistent` and `unsatisfiable` lines."""
    path = folder / "ontology.owl"
    graph.serialize(path, format="xml")
    args = ["java", "-cp", str(jar), str(CHECKER), str(path)]
    if ignore_datatypes:
        args.append("--ignore-unsupported-datatypes")
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if line.strip()]


def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


def test_every_inconsistent_fixture_is_collected() -> None:
    assert len(INCONSISTENT) == 2


def test_the_ontology_is_owl2_dl_consistent_with_every_class_satisfiable(
    hermit_jar: Path, tmp_path: Path
) -> None:
    """Unchanged, with HermiT's strict datatype handling: every datatype in the OWL 2 map."""
    report = check(hermit_jar, ontology(), tmp_path)
    assert report == ["consistent\ttrue"], "\n".join(report)


def test_the_ontology_and_the_data_are_consistent(hermit_jar: Path, tmp_path: Path) -> None:
    """The data's dates (xsd:date, xsd:gYear) and geometries (geo:wktLiteral) are outside the OWL 2
    datatype map: HermiT takes their values as opaque, and SHACL checks them (shapes/)."""
    graph = Graph()
    for triple in load_dataset(inferred=False).triples((None, None, None)):
        graph.add(triple)
    assert len(graph) > len(ontology()) + 1000
    report = check(hermit_jar, graph, tmp_path, ignore_datatypes=True)
    verdicts = [line for line in report if not line.startswith("violation")]
    assert verdicts == ["consistent\ttrue"], "\n".join(verdicts)


@pytest.mark.parametrize("path", INCONSISTENT, ids=lambda path: path.stem)
def test_data_that_breaks_an_axiom_is_inconsistent(
    hermit_jar: Path, tmp_path: Path, path: Path
) -> None:
    graph = ontology()
    graph.parse(path, format="turtle")
    report = check(hermit_jar, graph, tmp_path)
    assert "consistent\tfalse" in report, "\n".join(report)


def test_owlready2_runs_hermit_on_the_ontology(hermit_jar: Path, tmp_path: Path) -> None:
    """The issue's own check: owlready2 loads the ontology and its HermiT accepts it."""
    import owlready2

    path = tmp_path / "mdq.nt"
    ontology().serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    loaded = world.get_ontology(path.as_uri()).load(format="ntriples")
    with loaded:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
