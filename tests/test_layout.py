"""The package's layout: rooms by capability, imports only going down, no circle.

Every `import` of the package is read from the source (module level and inside functions alike:
a lazy import is still a dependency), and each module's room is checked against the rooms below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "src" / "mdq_graph"

#: What each room may import besides itself. The order, top to bottom: the door (`cli`, `push`,
#: `synth`), `web`, `export`, `catalog`, then `query` and `validate` beside each other, `formats`,
#: `graph`, and the shared modules every layer needs (`errors`, `output`, `collector`, `version`).
SHARED = frozenset({"errors", "output", "collector", "version"})
BELOW: dict[str, frozenset[str]] = {
    "shared": frozenset(),
    "graph": frozenset({"shared"}),
    "formats": frozenset({"shared", "graph"}),
    "query": frozenset({"shared", "graph", "formats"}),
    "validate": frozenset({"shared", "graph", "formats"}),
    "catalog": frozenset({"shared", "graph", "formats"}),
    "export": frozenset({"shared", "graph", "formats", "catalog"}),
    "web": frozenset({"shared", "graph", "formats", "catalog", "export", "query"}),
}
#: The door: the command line and the commands that stand on their own. Nothing but the door
#: imports them.
DOOR = frozenset({"cli", "__main__", "push", "synth"})

#: The rooms a newcomer should find from the folder listing.
ROOMS = ("graph", "formats", "catalog", "export", "query", "validate", "web", "synth")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    """`mdq_graph.graph.store` -> graph; `mdq_graph.errors` -> shared; `mdq_graph.cli` -> cli."""
    parts = module.split(".")
    if len(parts) == 1:
        return "face"  # the package itself
    top = parts[1]
    return "shared" if top in SHARED else top


def imported(source: str, all_modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The package's modules that the module `source` imports, with the line of each import."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mdq_graph"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("mdq_graph"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub if sub in all_modules else node.module), node.lineno


def test_every_room_is_a_folder_of_the_package() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert set(ROOMS) <= folders
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    # At the door only the command line, the stand-alone commands and what every layer shares.
    assert loose == sorted(
        ["__init__.py", "__main__.py", "cli.py", "push.py", *(f"{m}.py" for m in SHARED)]
    )


def test_the_package_face_imports_nothing_eagerly() -> None:
    """`import mdq_graph` must not drag any layer in."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        assert not isinstance(node, ast.Import | ast.ImportFrom) or not (
            getattr(node, "module", "") or ""
        ).startswith("mdq_graph"), ast.unparse(node)


def layer_violations(extra: dict[str, str] | None = None) -> list[str]:
    """Every import that does not go down; `extra` adds modules (name: source) to the package."""
    all_modules = modules()
    sources = {name: path.read_text(encoding="utf-8") for name, path in all_modules.items()}
    sources.update(extra or {})
    found = []
    for name, source in sources.items():
        own = room(name)
        if own == "face":
            continue
        where = all_modules[name].relative_to(REPO) if name in all_modules else name
        for target, line in imported(source, all_modules):
            other = room(target)
            if other in ("face", own) or own in DOOR:
                continue
            if other in DOOR:
                found.append(f"{where}:{line}: {name} imports the door ({target})")
            elif other not in BELOW[own]:
                found.append(
                    f"{where}:{line}: {name} ({own}) imports {target} ({other}), not below it"
                )
    return found


def test_imports_only_go_down() -> None:
    assert layer_violations() == []


def test_no_module_imports_in_a_circle() -> None:
    all_modules = modules()
    edges = {
        name: {
            t
            for t, _ in imported(path.read_text(encoding="utf-8"), all_modules)
            if t in all_modules and t != name
        }
        for name, path in all_modules.items()
    }
    # A package's face that imports its own modules (lazily) counts like any module: a module
    # that imports the face back closes a circle.
    circles = strongly_connected(edges)
    assert [sorted(c) for c in circles if len(c) > 1] == []


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of the import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            out.append(component)

    for node in edges:
        if node not in index:
            visit(node)
    return out


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from mdq_graph.web.server import create_app\n", "imports mdq_graph.web.server (web)"),
        ("from mdq_graph.cli import main\n", "imports the door"),
    ],
    ids=["graph-imports-web", "graph-imports-the-door"],
)
def test_the_rule_catches_an_upward_import(source: str, expected: str) -> None:
    """The check is not vacuous: a graph module importing upward is reported."""
    found = layer_violations({"mdq_graph.graph.probe": source})
    assert any(expected in v for v in found), found


def test_tests_mirror_the_layout() -> None:
    tests = REPO / "tests"
    for name in ("graph", "formats", "catalog", "export", "query", "validate", "web"):
        assert any((tests / name).glob("test_*.py")), name
