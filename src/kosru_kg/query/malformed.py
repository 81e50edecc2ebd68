"""Why the engine refused a query, said so that a person can fix it.

Oxigraph reports a prefixed name whose prefix is not declared as "Prefix not found" in a list of
every character a name may hold, Unicode ranges and all, and names neither the prefix nor the fix.
So the refused query is read for the prefixes it uses and never declares: each is named, with the
PREFIX line to add when the project knows it (``vocab.PREFIXES``). Any other message keeps the
parser's words and position, without the character ranges.
"""

from __future__ import annotations

import re

from kosru_kg.query.safety import code_only
from kosru_kg.vocab import PREFIXES

# In the query's code (strings, IRIs, comments, variables and local names blanked out): a prefix
# and its colon, where a name may start (so not the "_" of a blank node's "_:").
_PNAME_NS = r"(?<![\w.:\-])((?:[^\W\d_](?:[\w.\-]*[\w\-])?)?):"
_DECLARED = re.compile(r"(?<!\w)PREFIX\s+" + _PNAME_NS, re.IGNORECASE)
_USED = re.compile(_PNAME_NS)
# One of the parser's character classes, e.g. ['A' ..= 'Z' | 'a' ..= 'z'], quoted characters kept whole.
_CHARACTER_CLASS = re.compile(r"\[(?:'(?:\\.|[^'\\])*'|[^\]'])*\]")
_RANGES = "a character allowed here"


def explain(query: str, message: str) -> str:
    """The message for a query the engine could not parse, ``message`` being the engine's."""
    missing = undeclared_prefixes(query)
    if missing:
        return "\n".join(_advice(prefix) for prefix in missing)
    return _without_character_ranges(message)


def undeclared_prefixes(query: str) -> list[str]:
    """The prefixes ``query`` uses in prefixed names without declaring them, in the order they first appear."""
    code = code_only(query)
    declared = {match.group(1) for match in _DECLARED.finditer(code)}
    code = _DECLARED.sub(lambda match: " " * len(match.group()), code)
    return list(dict.fromkeys(name for name in _USED.findall(code) if name not in declared))


def _advice(prefix: str) -> str:
    if prefix in PREFIXES:
        return (f"the prefix {prefix}: is not declared; add the line "
                f"PREFIX {prefix}: <{PREFIXES[prefix]}> at the top of the query")
    return (f"the prefix {prefix}: is not declared; declare it at the top of the query "
            f"with a line PREFIX {prefix}: <namespace IRI>")


def _without_character_ranges(message: str) -> str:
    """The parser's message with the character classes that hold ranges said once, as "a character allowed here"."""
    said = []

    def once(match: re.Match) -> str:
        if "..=" not in match.group():
            return match.group()
        said.append(match)
        return _RANGES if len(said) == 1 else ""

    text = re.sub(r"\s*\n\s*", " ", _CHARACTER_CLASS.sub(once, message))
    return re.sub(r"(?:,\s*)+(?=,|$)", "", text)  # the separators of the classes left out
