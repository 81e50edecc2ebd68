"""Queries never make this server contact another host, nor bring it down by their shape.

pyoxigraph evaluates ``SERVICE <iri>`` by sending an HTTP request to that IRI, and its Python
API has no switch to stop it, so a query that asks for a remote service is refused before it
runs. The keyword is looked for outside strings, IRIs, comments, variables and the local parts
of prefixed names, wherever it stands: oxigraph's parser needs no space around a keyword, so
``1SERVICE``, ``trueSERVICE`` and ``SERVICESILENT`` each hold it. A false alarm costs a clear
403, a miss would let strangers use the server to reach other machines.
"""

from __future__ import annotations

import functools
import re

from kosru_kg.errors import BadRequest, Forbidden

# Text that cannot hold the keyword. An escape (ex:a\#b) belongs to its prefixed name: it
# starts no comment or string.
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|\#[^\n\r]*"
    r"|[?$]\w+"  # a variable
    r"|(?<=:)(?:[\w\-.:%]|\\.)+"  # the local part of a prefixed name or blank node label (the colon stays)
    r"|\\.",
    re.DOTALL,
)
_SERVICE = re.compile(r"SERVICE", re.IGNORECASE)
# The queries being served now. A query sent to /sparql is masked and checked as the request is
# read, its form is read from the masked text, and the backend checks it again before it runs:
# the first masking and check serve all three (they were a tenth of the web process's time).
RECENT_QUERIES = 16


@functools.lru_cache(maxsize=RECENT_QUERIES)
def code_only(query: str) -> str:
    """``query`` with its strings, IRIs, comments, variables and local names blanked out, each character by a space.

    What is left is keywords, prefixes and punctuation, at their original positions, so a
    match in it can be used to edit the query itself.
    """
    return _NOT_CODE.sub(lambda text: " " * len(text.group()), query)


@functools.lru_cache(maxsize=RECENT_QUERIES)  # a refusal raises, so only safe queries are remembered
def refuse_unsafe(query: str) -> None:
    """Raise if ``query`` must never run: Forbidden for a federated SERVICE, BadRequest for nesting
    deep enough to bring the parser down. One masking of the query serves both checks."""
    code = code_only(query)
    _refuse_remote_services(code)
    _refuse_deep_nesting(code)


def _refuse_remote_services(code: str) -> None:
    if _SERVICE.search(code):
        raise Forbidden("SERVICE is not allowed: this endpoint answers from its own graph "
                        "and never contacts other hosts")


MAX_NESTING = 256  # levels of nesting: far beyond any real query, far below what overflows the parser's stack
MAX_BLANK_NODE_NESTING = 32  # [ ... [ ... ] ]: preparing these takes time exponential in their depth
_BRACKET = re.compile(r"<<|>>|[(){}\[\]]")  # << >> enclose triple terms
_UNARY_RUN = re.compile(r"[!+\-^](?:\s*[!+\-^])*")  # !!x, - - x, ^^p: each operator is a level too


def _refuse_deep_nesting(code: str) -> None:
    """Oxigraph's parser recurses once per level and a few thousand levels overflow a thread's
    stack, which ends the whole process: so such a query is refused before it is parsed.
    """
    depth = deepest = square = deepest_square = 0
    for bracket in _BRACKET.findall(code):
        depth += 1 if bracket in ("(", "{", "[", "<<") else -1
        square += {"[": 1, "]": -1}.get(bracket, 0)
        deepest, deepest_square = max(deepest, depth), max(deepest_square, square)
    if deepest_square > MAX_BLANK_NODE_NESTING:
        raise BadRequest(f"the query nests blank nodes [ ] {deepest_square} deep; this endpoint takes at most "
                         f"{MAX_BLANK_NODE_NESTING}")
    unary = max((sum(not c.isspace() for c in run.group()) for run in _UNARY_RUN.finditer(code)), default=0)
    if max(deepest, unary) > MAX_NESTING:
        raise BadRequest(f"the query nests {max(deepest, unary)} levels deep (brackets or operators); this "
                         f"endpoint takes at most {MAX_NESTING}")
