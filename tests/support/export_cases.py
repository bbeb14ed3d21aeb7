"""The inputs the export tests write each format from, named for what each shows."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TEST_DATA

EXPORT_DATA = TEST_DATA / "export"
LITERAL_FORMS = EXPORT_DATA / "literal-forms.ttl"

CASE_NAMES = ["bundled", "synth", "blank-nodes-and-literals", "tricky-terms"]
#: The cases a store holds as the files state them (the rest are exported from the files).
STORE_CASES = [name for name in CASE_NAMES if name != "tricky-terms"]


def export_cases(synth: Path) -> dict[str, list[Path] | None]:
    """Each case's files (None: the bundled data); `synth` is a small synthetic corpus."""
    return {
        "bundled": None,
        "synth": [synth],
        # Blank nodes in two files under one label, triples outside any named graph, literals
        # rdflib rewrites: the store must hold what rdflib holds (and is read where it is).
        "blank-nodes-and-literals": [EXPORT_DATA / "blank-nodes.trig", LITERAL_FORMS],
        # Literals an Oxigraph store keeps as values ("1.0E3"^^xsd:double): exported from the
        # files, the rdflib way; a store of them cannot give the same bytes.
        "tricky-terms": [EXPORT_DATA / "tricky-terms.ttl"],
    }
