"""Renders a `ValidationReport` as text for people, JSON for machines, or a SHACL report in Turtle."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from mdq_graph.graph.loader import OxTerm
from mdq_graph.graph.namespaces import XSD
from mdq_graph.validate import REPORT_FORMATS
from mdq_graph.validate.validation import (
    REPORT_PREFIXES,
    Finding,
    PropertyPath,
    Severity,
    ValidationReport,
    short_name,
)

#: The version of the JSON report's layout (README, "Validation"); raised when a field changes meaning.
JSON_REPORT_VERSION = 1
_XSD_STRING = str(XSD.string)


def render_text(report: ValidationReport) -> str:
    """Findings grouped by resource (with its label), each with its property, value, severity, message,
    the file and line that state it, and the shape; then a summary line."""
    lines: list[str] = []
    groups: dict[OxTerm, list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault(finding.focus_node, []).append(finding)
    for focus, findings in groups.items():
        label = findings[0].focus_label
        lines.append(f"{_short(focus)}" + (f"  {label}" if label else ""))
        for f in findings:
            what = _short(f.path) if f.path is not None else "(the resource)"
            if f.value is not None:
                what += f" = {_short(f.value)}"
            lines.append(f"  {f.severity.value:<9} {what}")
            lines.append(f"            {f.message}")
            where = _where(f)
            shape = f" [{_short(f.shape)}]" if f.shape is not None else ""
            lines.append(f"            at {where}{shape}")
        lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """The report as JSON (layout documented in the README, versioned by JSON_REPORT_VERSION)."""
    document: dict[str, Any] = {
        "version": JSON_REPORT_VERSION,
        "conforms": report.conforms,
        "strict": report.strict,
        "counts": {s.value: report.count(s) for s in Severity},
        "findings": [_finding_json(f) for f in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """The standard SHACL validation report (sh:ValidationReport) in Turtle, written by pyoxigraph."""
    written = ox.serialize(report.graph, format=ox.RdfFormat.TURTLE, prefixes=REPORT_PREFIXES)
    return (written or b"").decode("utf-8")


RENDERERS: dict[str, Callable[[ValidationReport], str]] = dict(
    zip(REPORT_FORMATS, (render_text, render_json, render_turtle), strict=True)
)


def _finding_json(f: Finding) -> dict[str, Any]:
    """One finding as a JSON object: IRIs in full, values in N-Triples syntax."""
    return {
        "severity": f.severity.value,
        "focus_node": _identifier(f.focus_node),
        "focus_label": f.focus_label,
        "path": _path_json(f.path),
        "value": str(f.value) if f.value is not None else None,
        "message": f.message,
        "message_ja": f.message_ja,
        "source_file": f.source_file,
        "source_line": f.source_line,
        "shape": _identifier(f.shape) if f.shape is not None else None,
        "constraint": f.constraint.value if f.constraint is not None else None,
    }


def _identifier(node: OxTerm) -> str:
    """An IRI as it is, a blank node as _:label."""
    return node.value if isinstance(node, ox.NamedNode) else str(node)


def _path_json(path: ox.NamedNode | PropertyPath | None) -> str | None:
    """A property as its IRI; a longer path in SPARQL property-path syntax with full IRIs."""
    if path is None:
        return None
    return path.value if isinstance(path, ox.NamedNode) else path.sparql


def _short(term: OxTerm | PropertyPath | None) -> str:
    """A term as the data files write it: <meeting/mdq-7> under the id/ base, else a prefixed name;
    a literal in Turtle syntax, its datatype a prefixed name."""
    if isinstance(term, PropertyPath):
        return term.short
    if isinstance(term, ox.NamedNode):
        return short_name(term.value)
    if isinstance(term, ox.Literal):
        quoted = str(ox.Literal(term.value))  # the lexical form, escaped as N-Triples escapes it
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype.value == _XSD_STRING:
            return quoted
        return f"{quoted}^^{short_name(term.datatype.value)}"
    return str(term) if term is not None else ""


def _where(f: Finding) -> str:
    """file:line, the file alone, or why there is none."""
    if f.source_file is None:
        return "(not stated in any file: added by the loader)"
    return f"{f.source_file}:{f.source_line}" if f.source_line else f.source_file


def _summary(report: ValidationReport) -> str:
    """One line: conforms or not, and how many findings of each severity on how many resources;
    when warnings or infos pass, that SHACL's report still says sh:conforms false."""
    counts = [
        f"{report.count(s)} {s.value.lower()}{'s' if report.count(s) != 1 else ''}"
        for s in Severity
    ]
    resources = len({f.focus_node for f in report.findings})
    found = f"{', '.join(counts)} on {resources} resource{'s' if resources != 1 else ''}"
    if not report.findings:
        return "Conforms: no findings."
    if report.conforms:
        return f"Conforms, with {found} (the SHACL report says sh:conforms false: it has results)."
    strict = " (--strict: warnings fail)" if report.strict else ""
    return f"Does not conform{strict}: {found}."
