"""Bound variables written into the query text, for engines reached over the SPARQL Protocol.

pyoxigraph binds ``substitutions`` inside the engine; the SPARQL 1.1 Protocol has no such
parameter. So a query sent to another engine carries its bindings as a VALUES block at the
start of its WHERE group, and again at the start of every inner group that names a bound
variable: a FILTER sees only its own group's variables, so a filter inside a UNION branch or
an EXISTS must get the value where it stands, as substitution gives it; so must a subquery
that projects the variable. Every copy binds the same value, so the joins between groups are
unchanged.
Values are written as N-Triples terms, which escape every character that could end them,
so no value can change what the query asks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pyoxigraph import Literal, NamedNode, Variable

from kosru_kg.errors import BadRequest
from kosru_kg.query.safety import code_only

# The query form's keyword: the first one outside the prologue, and not part of a prefixed name.
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_SPACE = re.compile(r"\s*")
_SUBSELECT = re.compile(r"\s*SELECT(?![\w:-])", re.IGNORECASE)
_BRACKETS = re.compile(r"[(){}]")
_PROJECTED = re.compile(r"[?$](?P<variable>\w+)|[()]")
_DATA_BLOCK = re.compile(r"VALUES\s*(?:\([^(){}]*\)\s*)?\s*\Z", re.IGNORECASE)  # what precedes a VALUES block's '{'



def query_form(query: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; a BadRequest if the query has no form."""
    return _form(code_only(query)).group(1).upper()


def with_values(query: str, bindings: Sequence[tuple[Variable, NamedNode | Literal]]) -> str:
    """``query`` with ``bindings`` as a VALUES block at the start of its WHERE group.

    A CONSTRUCT's template is skipped, and the short form ``CONSTRUCT WHERE { P }`` is written
    out as ``CONSTRUCT { P } WHERE { P }`` so that its pattern may hold the block.
    """
    if not bindings:
        return query
    code = code_only(query)
    form = _form(code)
    start = form.end()
    short_construct = False
    if form.group(1).upper() == "CONSTRUCT":
        after = _SPACE.match(code, start).end()
        short_construct = not code.startswith("{", after)
        if not short_construct:
            start = _closing(code, after) + 1
    opening = _group_start(code, start)
    closing = _closing(code, opening)
    values = _values_block(bindings)
    template = "{" + query[opening + 1:closing] + "}"
    subquery = _SUBSELECT.match(code, opening + 1)  # a group that is one subquery holds nothing else
    inside = _projected(query, code, subquery.end(), bindings) if subquery else bindings
    inner_blocks = [(inner, _values_block(named))
                    for inner, end, reaching in _inner_groups(query, code, opening, closing, inside)
                    if (named := _named_in(query[inner:end], reaching))]
    for inner, block in reversed(inner_blocks):  # from the last, so the earlier positions still hold
        query = f"{query[:inner + 1]} {block} {query[inner + 1:]}"
    closing = _closing(code_only(query), opening)
    if subquery:
        edited = f"{query[:opening + 1]} {values} {{{query[opening + 1:closing]}}} {query[closing:]}"
    else:
        edited = f"{query[:opening + 1]} {values} {query[opening + 1:]}"
    if short_construct:
        edited = f"{edited[:form.end()]} {template}{edited[form.end():]}"
    return edited


def _named_in(text: str, bindings: Sequence[tuple[Variable, NamedNode | Literal]]) -> list:
    """The bindings whose variable ``text`` names (a name inside a string counts too: binding it is harmless)."""
    return [(variable, value) for variable, value in bindings
            if re.search(rf"[?$]{re.escape(variable.value)}(?!\w)", text)]


def _values_block(bindings: Sequence[tuple[Variable, NamedNode | Literal]]) -> str:
    for variable, value in bindings:
        if not isinstance(value, (NamedNode, Literal)):
            raise TypeError(f"?{variable.value} can only be bound to an IRI or a literal over the SPARQL "
                            f"protocol, not {value!r}")
    names = " ".join(str(variable) for variable, _ in bindings)
    terms = " ".join(str(value) for _, value in bindings)
    return f"VALUES ({names}) {{ ({terms}) }}"


def _form(code: str) -> re.Match:
    form = _FORM.search(code)
    if form is None:
        raise BadRequest("malformed query: it is none of SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


def _group_start(code: str, start: int) -> int:
    """The first '{' at or after ``start`` outside parentheses (a projection may hold EXISTS { })."""
    depth = 0
    for bracket in _BRACKETS.finditer(code, start):
        character = bracket.group()
        if character == "{" and depth <= 0:
            return bracket.start()
        depth += {"(": 1, ")": -1}.get(character, 0)
    raise BadRequest("malformed query: it has no WHERE group to bind variables in")


def _inner_groups(query: str, code: str, opening: int, closing: int,
                  bindings: Sequence[tuple[Variable, NamedNode | Literal]]):
    """Each group pattern strictly inside the group at ``opening``, with its end and the bindings that reach it.

    VALUES data blocks are not groups, so not entered. A subquery's variables are its own, but
    for those its projection lists: as pyoxigraph substitutes, a binding reaches into a subquery
    that projects its variable, and only such bindings do.
    """
    position = opening + 1
    while (inner := code.find("{", position, closing)) != -1:
        end = _closing(code, inner)
        if _DATA_BLOCK.search(code, 0, inner):
            pass
        elif subquery := _SUBSELECT.match(code, inner + 1):
            if projected := _projected(query, code, subquery.end(), bindings):
                yield from _inner_groups(query, code, inner, end, projected)
        else:
            yield inner, end, bindings
            position = inner + 1
            continue
        position = end + 1


def _projected(query: str, code: str, start: int, bindings: Sequence[tuple[Variable, NamedNode | Literal]]) -> list:
    """The bindings whose variable a subquery's projection (from ``start``, after SELECT) lists by itself,
    outside parentheses: pyoxigraph reaches no further (not into ``*``, nor into ``(?x AS ?y)``)."""
    names, depth = set(), 0
    for token in _PROJECTED.finditer(query, start, _group_start(code, start)):
        if token.group("variable") is None:
            depth += {"(": 1, ")": -1}.get(code[token.start()], 0)  # a bracket of the code, not of a string
        elif depth == 0:
            names.add(token.group("variable"))
    return [(variable, value) for variable, value in bindings if variable.value in names]


def _closing(code: str, opening: int) -> int:
    """The position of the '}' that closes the '{' at ``opening``."""
    depth = 0
    for bracket in _BRACKETS.finditer(code, opening):
        depth += {"{": 1, "}": -1}.get(bracket.group(), 0)
        if depth == 0:
            return bracket.start()
    raise BadRequest("malformed query: a '{' is never closed")
