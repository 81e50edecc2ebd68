"""Queries never make this server contact another host.

pyoxigraph evaluates ``SERVICE <iri>`` by sending an HTTP request to that IRI, and its Python
API has no switch to stop it, so a query that asks for a remote service is refused before it
runs. The keyword is looked for outside strings, IRIs, comments, variables and the local parts
of prefixed names, wherever it stands: oxigraph's parser needs no space around a keyword, so
``1SERVICE``, ``trueSERVICE`` and ``SERVICESILENT`` each hold it. A false alarm costs a clear
403, a miss would let strangers use the server to reach other machines.
"""

from __future__ import annotations

import re

from .errors import Forbidden

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


def code_only(query: str) -> str:
    """``query`` with its strings, IRIs, comments, variables and local names blanked out, each character by a space.

    What is left is keywords, prefixes and punctuation, at their original positions, so a
    match in it can be used to edit the query itself.
    """
    return _NOT_CODE.sub(lambda text: " " * len(text.group()), query)


def refuse_remote_services(query: str) -> None:
    """Raise Forbidden if ``query`` asks for a federated SERVICE."""
    if _SERVICE.search(code_only(query)):
        raise Forbidden("SERVICE is not allowed: this endpoint answers from its own graph "
                        "and never contacts other hosts")
