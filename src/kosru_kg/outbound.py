"""Queries never make this server contact another host.

pyoxigraph evaluates ``SERVICE <iri>`` by sending an HTTP request to that IRI, and its Python
API has no switch to stop it, so a query that asks for a remote service is refused before it
runs. The keyword is looked for outside strings, IRIs and comments; a false alarm costs a
clear 403, a miss would let strangers use the server to reach other machines.
"""

from __future__ import annotations

import re

from .errors import Forbidden

_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|\#[^\n\r]*",
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.IGNORECASE)


def code_only(query: str) -> str:
    """``query`` with its strings, IRIs and comments blanked out, each character by a space.

    What is left is keywords, names, variables and punctuation, at their original positions,
    so a match in it can be used to edit the query itself.
    """
    return _NOT_CODE.sub(lambda text: " " * len(text.group()), query)


def refuse_remote_services(query: str) -> None:
    """Raise Forbidden if ``query`` asks for a federated SERVICE."""
    if _SERVICE.search(code_only(query)):
        raise Forbidden("SERVICE is not allowed: this endpoint answers from its own graph "
                        "and never contacts other hosts")
