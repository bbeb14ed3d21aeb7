"""The inputs the export tests write each format from, named for what each shows."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TEST_DATA

EXPORT_DATA = TEST_DATA / "export"
LITERAL_FORMS = EXPORT_DATA / "literal-forms.trig"

CASE_NAMES = ["bundled", "synth", "blank-nodes-outside-graphs", "literal-forms", "tricky-terms"]
#: The cases a store holds as the files state them (in the rest, the store holds some literal as
#: its value, in another lexical form; the export of the files keeps it as stated).
STORE_CASES = CASE_NAMES[:3]


def export_cases(synth: Path) -> dict[str, list[Path] | None]:
    """Each case's files (None: the bundled data); `synth` is a small synthetic corpus."""
    return {
        "bundled": None,
        "synth": [synth],
        # Blank nodes in two files under one label, triples outside any named graph.
        "blank-nodes-outside-graphs": [
            EXPORT_DATA / "blank-nodes.trig",
            EXPORT_DATA / "outside-graphs.ttl",
        ],
        # Literals an Oxigraph store keeps as values ("1.0E3"^^xsd:double), in and outside a
        # named graph: every export writes them as stated.
        "literal-forms": [LITERAL_FORMS],
        # Terms the writers must escape or spell in full, and such literals among them.
        "tricky-terms": [EXPORT_DATA / "tricky-terms.ttl"],
    }
