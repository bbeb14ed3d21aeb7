"""Decides whether a SHACL-SPARQL query may run once for all focus nodes, `$this` bound by a VALUES
block at the head of its WHERE clause, and still give what SHACL's pre-binding gives node by node.

SHACL (section 5.6.1) defines pre-binding as substitution: every `$this` in the query stands for the
focus node, wherever it is. Joining a VALUES block at the head of the outer group is the same thing
only where the query reads `$this` after the block has bound it, or where a pattern binds `$this` in
every one of its solutions (so that joining keeps exactly the substituted solutions). The check
walks the query's algebra (rdflib's translation, as the SPARQL specification defines it) with the
VALUES block in place:

- along the outer group (the operands that the block is joined into), a FILTER, a BIND, the
  condition of an OPTIONAL or a GROUP BY `$this` may read `$this`: it is bound there;
- inside any other pattern (a nested group, a UNION branch, the right side of an OPTIONAL, a
  sub-SELECT, a FILTER EXISTS pattern), `$this` may appear in triple patterns, and a FILTER, BIND or
  OPTIONAL there may read it only over a pattern that always binds it; a sub-SELECT that mentions
  `$this` must project it (grouping by it if it aggregates);
- MINUS, VALUES, SERVICE, LIMIT/OFFSET and `AS ?this` are refused, as are aggregates over more than
  one focus node: SHACL forbids the first ones in a pre-bound query, and the others would mix focus
  nodes.

Whatever fails the check raises `UnsupportedShapes`, and pySHACL runs the shapes. A quick reading of
the query's tokens first accepts the plain queries (every bundled one) without rdflib's parser,
which costs half a second to import; a test holds it to accept only what the algebra accepts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from rdflib import URIRef, Variable

from mdq_graph.validate.shacl_shapes import UnsupportedShapes, with_values

#: The value the check writes in the VALUES block, to find it in the algebra.
MARK = URIRef("urn:x-mdq:prebound-this")
THIS = Variable("this")
_AS_THIS = re.compile(r"\bAS\s+[?$]this\b", re.I)
_NESTED_SELECT_ALL = re.compile(r"\{\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.I)

_DESCRIBED = {"ToMultiSet": "VALUES", "Minus": "MINUS", "ServiceGraphPattern": "SERVICE"}
_FREE, _SAFE, _CERTAIN = "free", "safe", "certain"  # does not read $this / may / always binds it


class _Refused(Exception):
    """The query is not the same set-at-a-time as node by node."""


def check_prebinding(query: str) -> None:
    """`UnsupportedShapes` unless `query` (a SELECT), joined with the focus nodes by a VALUES block
    at the head of its WHERE clause, gives what SHACL's pre-binding gives for each of them."""
    if not _plainly_prebound(query):
        check_algebra(query)


def check_algebra(query: str) -> None:
    """`check_prebinding` by the query's algebra alone (the quick reading skipped)."""
    from rdflib.plugins.sparql import prepareQuery

    query = with_values(query, f"<{MARK}>")
    if _AS_THIS.search(query):
        raise UnsupportedShapes("a SPARQL query that binds $this with AS")
    if _NESTED_SELECT_ALL.search(query):  # SHACL's issue 84: it hides what it selects
        raise UnsupportedShapes("a SPARQL query with a nested SELECT *")
    try:
        parsed = prepareQuery(query)
    except Exception as err:  # rdflib's parser raises pyparsing's and its own exceptions
        raise UnsupportedShapes(f"a SPARQL query rdflib cannot read: {err}") from None
    try:
        if parsed.algebra.name != "SelectQuery" or not _outer(parsed.algebra.p):
            raise _Refused("the VALUES block is not at the head of the query's WHERE clause")
    except _Refused as why:
        raise UnsupportedShapes(
            f"a SPARQL query that cannot be pre-bound set-at-a-time: {why}"
        ) from None


#: What the quick check reads: comments, strings and IRIs (left out), braces, parentheses, `$this`,
#: words (keywords, prefixed names, variables), and any other character.
_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|'{3}.*?'{3}|"{3}.*?"{3}|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>)"""
    r"|(?P<this>[?$]this\b)|(?P<word>[?$]?[\w:.-]+)|(?P<other>\S)",
    re.S,
)
#: Words that take the query beyond the quick check (rdflib's algebra decides).
_BEYOND_QUICK = {"SELECT", "MINUS", "VALUES", "SERVICE", "OPTIONAL", "GROUP", "HAVING", "LIMIT",
                 "OFFSET", "ORDER"}  # fmt: skip


def _plainly_prebound(query: str) -> bool:
    """Whether `query` (without the VALUES block) is plainly one a VALUES block pre-binds, read
    without parsing it (rdflib's parser takes ~50 ms a query, and 0.5 s to import): triple
    patterns, FILTERs, BINDs, groups, UNIONs, GRAPH blocks, FILTER (NOT) EXISTS and sub-SELECTs
    that select `$this` and group by it; `$this` read by expressions only in the outer group
    (inside any block, only in triple patterns, which makes every block free of `$this` or sure to
    bind it), by an EXISTS inside a group only where a triple pattern of that group binds it;
    nothing after the WHERE clause. False means "not plainly": the algebra decides."""
    tokens = [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(query)]
    tokens = [t for t in tokens if t[0] != "skip"]
    upper = [text.upper() for _, text in tokens]
    if "WHERE" not in upper:
        return False
    start = upper.index("WHERE")
    head = tokens[:start]
    if upper[:start].count("SELECT") != 1 or ("other", "(") in head:
        return False
    if not any(kind == "this" for kind, _ in head) or upper[start + 1 : start + 2] != ["{"]:
        return False
    scanned = _Quick(tokens, upper).block(start + 1, top=True, in_exists=False)
    return scanned is not None and scanned[0] == len(tokens) - 1


class _Quick:
    """The quick reading of one query's tokens."""

    def __init__(self, tokens: list[tuple[str, str]], upper: list[str]) -> None:
        self.tokens, self.upper = tokens, upper

    def block(self, index: int, *, top: bool, in_exists: bool) -> tuple[int, bool, bool] | None:
        """Read the group that opens at `index`: (where it closes, whether a triple pattern of
        its own binds `$this`, whether `$this` is in it), or None if it is not plain."""
        binds = has_this = must_bind = False
        parentheses, previous = 0, ""
        while (index := index + 1) < len(self.tokens):
            kind, text = self.tokens[index]
            word = self.upper[index]
            if kind == "word" and word in _BEYOND_QUICK:
                return None
            if kind == "this":
                if previous == "AS" or (parentheses and not top):
                    return None  # bound again, or read by an expression inside a block
                has_this, binds = True, binds or not parentheses
            elif text == "{":
                if self.upper[index + 1 : index + 2] == ["SELECT"]:
                    found = self.subselect(index)
                else:
                    exists = previous == "EXISTS"
                    if exists and in_exists:
                        return None
                    found = self.block(index, top=False, in_exists=in_exists or exists)
                    if found is not None and exists and found[2] and not top:
                        must_bind = True
                if found is None:
                    return None
                operand = "UNION" in (previous, *self.upper[found[0] + 1 : found[0] + 2])
                binds = binds or (
                    found[1] and previous != "EXISTS" and not parentheses and not operand
                )
                index, has_this = found[0], has_this or found[2]
            elif text == "}":
                return None if must_bind and not binds else (index, binds, has_this)
            elif text in "()":
                parentheses += 1 if text == "(" else -1
            previous = word
        return None

    def subselect(self, index: int) -> tuple[int, bool, bool] | None:
        """Read a sub-SELECT block: it selects `$this`, its pattern binds it, and it groups by
        `$this` if it aggregates; as a block, it binds `$this`."""
        if "WHERE" not in self.upper[index:]:
            return None
        where = self.upper.index("WHERE", index)
        projection = self.tokens[index + 2 : where]
        if not any(kind == "this" for kind, _ in projection) or ("other", "*") in projection:
            return None
        pairs = itertools.pairwise(projection)
        if any(first[1].upper() == "AS" and second[0] == "this" for first, second in pairs):
            return None
        if self.upper[where + 1 : where + 2] != ["{"]:
            return None
        found = self.block(where + 1, top=False, in_exists=False)
        if found is None or not found[1]:
            return None
        after = found[0] + 1
        kinds = [kind for kind, _ in self.tokens[after : after + 4]]
        if self.upper[after : after + 2] == ["GROUP", "BY"] and kinds[2:4] == ["this", "other"]:
            close = after + 3
        elif ("other", "(") not in projection:
            close = after  # no aggregate: no GROUP BY needed
        else:
            return None
        return (close, True, True) if self.tokens[close][1] == "}" else None


def _outer(node: Any) -> bool:
    """Check a node of the outer group (whose left operand holds the VALUES block); whether the
    block was found."""
    name = node.name
    if name == "ToMultiSet" and node.p.name == "values":
        return any(row.get(THIS) == MARK for row in node.p.res)
    if name == "Slice":
        raise _Refused("LIMIT or OFFSET")
    if name == "Project":
        if THIS not in node.PV:
            raise _Refused("the query does not select $this")
        return _outer(node.p)
    if name in ("Distinct", "Reduced", "OrderBy"):
        return _outer(node.p)
    if name in ("Filter", "Extend"):
        if name == "Extend" and node.var == THIS and not isinstance(node.expr, Variable):
            raise _Refused(
                "$this bound again"
            )  # else the key of GROUP BY $this, as rdflib writes it
        _reads(node.expr)
        return _outer(node.p)
    if name == "AggregateJoin":
        group = node.p
        if THIS not in (group.expr or []):
            raise _Refused("an aggregate that is not grouped by $this")
        return _outer(group.p)
    if name in ("Join", "LeftJoin"):
        _pattern(node.p2)
        if name == "LeftJoin" and node.expr is not None:
            _reads(node.expr)
        return _outer(node.p1)
    raise _Refused(_DESCRIBED.get(name, f"{name} around the VALUES block"))


def _pattern(node: Any) -> str:
    """Whether a pattern evaluated on its own reads `$this` (free, safe or certain to bind it);
    `_Refused` where joining it with the focus nodes is not substituting them."""
    name = node.name
    if name == "BGP":
        return _CERTAIN if any(THIS in triple for triple in node.triples) else _FREE
    if name == "Join":
        kinds = {_pattern(node.p1), _pattern(node.p2)}
        return _CERTAIN if _CERTAIN in kinds else (_SAFE if _SAFE in kinds else _FREE)
    if name == "Union":
        kinds = {_pattern(node.p1), _pattern(node.p2)}
        return kinds.pop() if len(kinds) == 1 else _SAFE
    if name == "LeftJoin":
        left, right = _pattern(node.p1), _pattern(node.p2)
        reads = node.expr is not None and _reads(node.expr)
        if left == _CERTAIN:
            return _CERTAIN
        if right == _FREE and not reads:
            return left
        raise _Refused("$this in an OPTIONAL whose left side does not bind it")
    if name in ("Filter", "Extend"):
        if name == "Extend" and node.var == THIS:
            return _group_key(node)
        kind = _pattern(node.p)
        if _reads(node.expr) and kind != _CERTAIN:
            raise _Refused(f"$this read by a nested {'FILTER' if name == 'Filter' else 'BIND'}")
        return kind
    if name == "Graph":
        kind = _pattern(node.p)
        return _CERTAIN if node.term == THIS else kind
    if name in ("Distinct", "Reduced", "OrderBy"):
        return _pattern(node.p)
    if name == "ToMultiSet" and node.p.name == "Project":
        return _subselect(node.p)
    if name == "AggregateJoin":
        if THIS in (node.p.expr or []) and _pattern(node.p.p) == _CERTAIN:
            return _CERTAIN
        if not _mentions(node):
            return _FREE
        raise _Refused("an aggregate over $this that is not grouped by it")
    if name == "Slice":
        raise _Refused("LIMIT or OFFSET in a sub-SELECT")
    raise _Refused(_DESCRIBED.get(name, name))


def _group_key(node: Any) -> str:
    """A sub-SELECT's `$this` as the key it groups by (the only `AS ?this` rdflib writes itself)."""
    if _pattern(node.p) == _CERTAIN and isinstance(node.expr, Variable):
        return _CERTAIN
    raise _Refused("$this bound again")


def _subselect(project: Any) -> str:
    """A sub-SELECT: it must project `$this` if it mentions it."""
    if THIS in project.PV:
        return _pattern(project.p)
    if _mentions(project.p):
        raise _Refused("a sub-SELECT that mentions $this without selecting it")
    return _FREE


def _reads(expression: Any) -> bool:
    """Whether an expression reads `$this` (in itself or in an EXISTS pattern, which is checked)."""
    found = False
    for part in _parts(expression):
        if part == THIS:
            found = True
        elif getattr(part, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            found = _pattern(_translated(part.graph)) != _FREE or found
    return found


def _translated(pattern: Any) -> Any:
    """An EXISTS pattern in algebra form (rdflib leaves it as parsed until it runs it)."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

    return (
        pattern if pattern.name != "GroupGraphPatternSub" else translateGroupGraphPattern(pattern)
    )


def _mentions(node: Any) -> bool:
    """Whether `$this` appears anywhere in an algebra node."""
    return any(part == THIS for part in _parts(node, into_exists=True))


def _parts(node: Any, *, into_exists: bool = False) -> Iterator[Any]:
    """`node` and everything in it (an EXISTS's pattern only `into_exists`)."""
    yield node
    if getattr(node, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS") and not into_exists:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "_vars":
                yield from _parts(value, into_exists=into_exists)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _parts(value, into_exists=into_exists)
