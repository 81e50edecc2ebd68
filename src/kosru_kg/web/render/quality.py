"""How a source's class and a claim's verification read on a page: the words beside them, to translate.

The classes are concepts of the ``source-class`` scheme (``data/concepts.csv``), written on each
source as ``kosru:sourceClass``; a claim resting only on ``weak`` sources is ``unverified``
(``kosru:verification``), which the mapping derives. The graph's labels of these concepts are
English; pages show the words below, translated.
"""

from __future__ import annotations

from kosru_kg.web.i18n import N_

# The local name of each source-class concept → what a page calls it (translated where shown).
SOURCE_CLASSES = {
    "official-source": N_("official source"),
    "news-source": N_("news source"),
    "reference-source": N_("reference source"),
    "weak-source": N_("weak source"),
}
UNVERIFIED = "unverified"  # the local name of the verification concept a page marks


def source_class(iri: str | None) -> str | None:
    """The words for the source-class concept ``iri`` (untranslated msgid), or None for no class."""
    if iri is None:
        return None
    return SOURCE_CLASSES.get(iri.rsplit("/", 1)[-1])


def is_unverified(iri: str | None) -> bool:
    return iri is not None and iri.rsplit("/", 1)[-1] == UNVERIFIED
