"""`mdq-graph validate`: exit codes, the three output formats, extra shapes, and the bundled data broken
in each of the ways people break it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH
from rdflib.util import from_n3

from mdq_graph.cli import main
from mdq_graph.graph.loader import load_dataset
from mdq_graph.graph.resources import data_dir
from mdq_graph.validate.validation import SHAPES, load_shapes
from tests.conftest import TEST_DATA

INVALID = TEST_DATA / "shapes" / "invalid"
EXTRA = TEST_DATA / "shapes" / "extra"
FINDING_KEYS = {
    "severity", "focus_node", "focus_label", "path", "value", "message", "message_ja",
    "source_file", "source_line", "shape", "constraint",
}  # fmt: skip


def _json(runner: CliRunner, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(main, ["validate", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def _line_of(path: Path, text: str) -> int:
    """The number of the first line of `path` that holds `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_the_bundled_graph_conforms(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("Conforms")


def test_strict_fails_on_warnings(runner: CliRunner) -> None:
    _, report = _json(runner)
    code, strict = _json(runner, "--strict")
    assert strict["strict"] is True
    assert code == (1 if report["counts"]["Warning"] else 0)
    assert strict["conforms"] is (code == 0)


def test_json_report_layout(runner: CliRunner) -> None:
    code, report = _json(runner, str(INVALID / "end-before-start.ttl"))
    assert code == 1
    assert set(report) == {"version", "conforms", "strict", "counts", "findings"}
    assert report["version"] == 1 and report["conforms"] is False
    assert report["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    (finding,) = report["findings"]
    assert set(finding) == FINDING_KEYS
    assert finding["focus_node"] == "https://w3id.org/mdq/id/meeting/mdq-7"
    assert finding["path"] == "https://schema.org/endDate"
    assert from_n3(finding["value"]) == Literal(
        "2025-09-10", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    assert finding["source_file"].endswith("end-before-start.ttl")
    assert finding["source_line"] == _line_of(
        INVALID / "end-before-start.ttl", 'schema:endDate "2025-09-10"'
    )
    assert finding["shape"] == SHAPES.EventEndsOnOrAfterStart.value
    assert "終了日" in finding["message_ja"]


def test_text_report_groups_findings_by_resource(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(INVALID / "country-without-iso-codes.ttl")])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "<country/jp>  Japan"
    assert [line.split()[:2] for line in lines if line.startswith("  Violation")] == [
        ["Violation", "mdq:isoAlpha2"],
        ["Violation", "mdq:isoAlpha3"],
    ]
    where = _line_of(INVALID / "country-without-iso-codes.ttl", "<country/jp> a mdq:Country")
    assert f"country-without-iso-codes.ttl:{where} " in result.output
    assert lines[-1] == "Does not conform: 2 violations, 0 warnings, 0 infos on 1 resource."


def test_turtle_report_is_the_standard_shacl_report(runner: CliRunner) -> None:
    fixture = INVALID / "organiser-given-as-a-name.ttl"
    result = runner.invoke(main, ["validate", "--format", "turtle", str(fixture)])
    assert result.exit_code == 1, result.output
    ours = Graph().parse(data=result.output, format="turtle")
    (report,) = ours.subjects(RDF.type, SH.ValidationReport)
    assert ours.value(report, SH.conforms) == Literal(False)
    # Without quote findings, it is pySHACL's own report for the same data and shapes.
    from pyshacl import validate

    _, theirs, _ = validate(
        load_dataset([fixture]),
        shacl_graph=load_shapes().to_rdflib(),
        inference="none",
        advanced=True,
        allow_infos=True,
        allow_warnings=True,
    )
    assert isomorphic(ours, theirs)


def test_turtle_report_carries_the_quote_findings(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["validate", "-f", "turtle", str(INVALID / "quote-with-shifted-offsets.ttl")]
    )
    assert result.exit_code == 1, result.output
    graph = Graph().parse(data=result.output, format="turtle")
    (finding,) = graph.subjects(SH.sourceShape, URIRef(SHAPES.QuoteIsVerbatimInItsSourceText.value))
    assert graph.value(finding, SH.resultSeverity) == SH.Violation
    assert graph.value(finding, SH.focusNode) == URIRef("https://w3id.org/mdq/id/quote/en-09")


def test_output_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(main, ["validate", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["conforms"] is True


def test_global_data_option_is_validated_when_no_path_is_given(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--data", str(INVALID / "end-before-start.ttl"), "validate"])
    assert result.exit_code == 1, result.output


def test_extra_shapes_add_a_portals_rules(runner: CliRunner) -> None:
    code, report = _json(runner, "--shapes", str(EXTRA / "press-release-needs-contact-point.ttl"))
    assert code == 1
    (violation,) = [f for f in report["findings"] if f["severity"] == "Violation"]
    assert violation["focus_node"] == "https://w3id.org/mdq/id/source/cao-2025-09-22-mdq7-ja"
    assert (
        violation["shape"] == "https://portal.example.org/shapes#PressReleaseContact-contactPoint"
    )


def test_a_reference_to_an_undefined_property_shape_is_left_out(runner: CliRunner) -> None:
    shapes = EXTRA / "refers-to-an-undefined-property-shape.ttl"
    code, report = _json(runner, "--shapes", str(shapes))
    assert code == 1
    assert [f["shape"] for f in report["findings"] if f["severity"] == "Violation"] == [
        "https://portal.example.org/shapes#PressRelease-contactPoint"
    ]


def test_unusable_shapes_are_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--shapes", str(EXTRA / "min-count-in-words.ttl")])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "min-count-in-words.ttl" in result.output and "sh:minCount" in result.output


def test_unreadable_shapes_give_their_line(runner: CliRunner) -> None:
    broken = TEST_DATA / "unreadable" / "missing-semicolon.ttl"
    result = runner.invoke(main, ["validate", "--shapes", str(broken)])
    assert result.exit_code == 2 and "missing-semicolon.ttl:6:1:" in result.output


# --- The bundled data, broken as people break it --------------------------------------------------

#: (case, file in data/, text as it is, text after the mistake, a shape that must catch it)
BREAKAGES = [
    ("end-before-start", "release-en.trig",
     'schema:endDate "2025-09-12"^^xsd:date', 'schema:endDate "2025-09-09"^^xsd:date',
     "EventEndsOnOrAfterStart"),
    ("date-as-plain-string", "release-ja.trig",
     'schema:startDate "2025-09-10"^^xsd:date', 'schema:startDate "2025-09-10"',
     "SchemaStartDate-startDate"),
    ("organiser-given-as-a-name", "release-en.trig",
     "mdq:organiser <org/cabinet-office> ;", 'mdq:organiser "Cabinet Office"@en ;',
     "Event-organiser"),
    ("country-without-iso-codes", "reference.trig",
     'mdq:isoAlpha2 "AU" ; mdq:isoAlpha3 "AUS" ; ', "",
     "ParticipantHasCodesAndWikidata"),
    ("wikidata-page-instead-of-entity", "reference.trig",
     "mdq:wikidata wd:Q17 ;", "mdq:wikidata <https://www.wikidata.org/wiki/Q17> ;",
     "WikidataUse-wikidata"),
    ("label-without-language-tag", "reference.trig",
     'rdfs:label "Tokyo"@en , "東京"@ja', 'rdfs:label "Tokyo" , "東京"@ja',
     "NamedResource-label"),
    ("duplicate-ordinals-in-series", "release-en.trig",
     "<event/mofa-quantum-meeting-2025-09> a mdq:Event ;",
     "<event/mofa-quantum-meeting-2025-09> a mdq:Meeting ; mdq:meetingOf <series/mdq> ; mdq:ordinal 7 ;",
     "SeriesOrdinalsAreDistinct"),
    ("quote-with-wrong-offsets", "release-en.trig",
     "oa:start 950 ; oa:end 1240", "oa:start 950 ; oa:end 1245",
     "QuoteOffsetsSpanTheExactText"),
    ("quote-with-shifted-offsets", "release-en.trig",
     "oa:start 950 ; oa:end 1240", "oa:start 951 ; oa:end 1241",
     "QuoteIsVerbatimInItsSourceText"),
    ("named-graph-without-source", "vocabulary.trig",
     "        prov:wasDerivedFrom <source/cao-2025-09-22-mdq7-en> , <source/cao-2025-09-22-mdq7-ja> ;\n"
     "        dct:source <source/cao-2025-09-22-mdq7-en> , <source/cao-2025-09-22-mdq7-ja> ;\n", "",
     "NamedGraphHasSource"),
]  # fmt: skip


def _broken_copy(tmp_path: Path, file: str, before: str, after: str) -> Path:
    """A copy of the bundled data (with its source texts) with one edit."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    target = copy / file
    text = target.read_text(encoding="utf-8")
    assert text.count(before) == 1, f"{file} no longer holds {before!r} exactly once"
    target.write_text(text.replace(before, after), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("file", "before", "after", "shape"),
    [case[1:] for case in BREAKAGES],
    ids=[case[0] for case in BREAKAGES],
)
def test_breaking_the_bundled_data_is_caught(
    file: str, before: str, after: str, shape: str, runner: CliRunner, tmp_path: Path
) -> None:
    copy = _broken_copy(tmp_path, file, before, after)
    code, report = _json(runner, str(copy))
    assert code == 1, report
    caught = [f for f in report["findings"] if f["shape"] == SHAPES[shape].value]
    assert caught and all(f["severity"] == "Violation" for f in caught)
    assert any(f["source_file"].endswith(file) for f in caught)


def test_removing_a_japanese_label_is_a_warning(runner: CliRunner, tmp_path: Path) -> None:
    copy = _broken_copy(
        tmp_path, "release-ja.trig", '<country/jp> a mdq:Country ; rdfs:label "日本"@ja .\n', ""
    )
    # and the statement nodes that give the removed triples their evidence
    release = copy / "release-ja.trig"
    release.write_text(
        re.sub(
            r"    <statement/ja/country/jp/[^>]*> a rdf:Statement ;\n.*?\.\n",
            "",
            release.read_text(encoding="utf-8"),
            flags=re.S,
        ),
        encoding="utf-8",
    )
    text = (copy / "reference.trig").read_text(encoding="utf-8")
    (copy / "reference.trig").write_text(
        text.replace('"Japan"@en , "日本"@ja', '"Japan"@en'), encoding="utf-8"
    )
    code, report = _json(runner, str(copy))
    assert any(
        f["focus_node"] == "https://w3id.org/mdq/id/country/jp"
        and f["shape"] == SHAPES.JapaneseLabelExpected.value
        and f["severity"] == "Warning"
        for f in report["findings"]
    )
    # Without a Japanese name of Japan, no Japanese quote can be shown to name it: the evidence
    # check says so, and nothing else is a violation.
    violations = [f for f in report["findings"] if f["severity"] == "Violation"]
    assert code == 1
    assert {(f["shape"], f["value"]) for f in violations} == {
        (SHAPES.EvidenceStatesTheValue.value, "<https://w3id.org/mdq/id/country/jp>")
    }


def test_a_broken_turtle_file_in_the_data_gives_exit_2_with_its_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    copy = _broken_copy(tmp_path, "release-en.trig", "mdq:ordinal 7 ;", "mdq:ordinal 7")
    result = runner.invoke(main, ["validate", str(copy)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "release-en.trig:" in line and "bad syntax" in line and "Traceback" not in line
    assert line.split("release-en.trig:")[1].split(":")[0].isdigit()
