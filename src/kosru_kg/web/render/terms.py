"""How RDF terms look on a page: resources by label and linked locally, dates readable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kosru_kg.query.backend import Backend
from kosru_kg.vocab import NAMING, ONTOLOGY_IRI, PREFIXES, SUMMARY, names

XSD = PREFIXES["xsd"]
LABEL_QUERY = f"""
SELECT ?s ?naming ?label WHERE {{
  VALUES ?s {{ %s }}
  VALUES ?naming {{ {" ".join(str(p) for p in (*NAMING, SUMMARY))} }}
  ?s ?naming ?label
}}"""


@dataclass(frozen=True)
class TermView:
    """What a template needs to show one term."""

    text: str
    href: str | None = None  # a link, local for resources of this dataset
    iri: str | None = None
    datatype: str | None = None
    language: str | None = None
    title: str | None = None  # a linked resource's one-line summary, shown when pointed at


class Names(dict):
    """IRI → name, with each named resource's one-line summary beside it (``summaries``)."""

    def __init__(self, *args, summaries: dict[str, str] | None = None):
        super().__init__(*args)
        self.summaries = summaries or {}


def labels(backend: Backend, terms: Iterable) -> Names:
    """English labels (and summaries) of the IRIs among ``terms``, fetched in one query per 500."""
    iris = sorted({t.value for t in terms if isinstance(t, NamedNode)})
    found = Names()
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        triples = [Triple(row["s"], row["naming"], row["label"]) for row in backend.query(LABEL_QUERY % values)]
        found.update((iri, name.value) for iri, name in names(triples).items())
        found.summaries.update(summaries(triples))
    return found


def summaries(triples: Iterable[Triple]) -> dict[str, str]:
    """The one-line summary of each resource of ``triples`` that has one."""
    return {t.subject.value: t.object.value for t in triples if t.predicate == SUMMARY}


def local_path(iri: str, base_iri: str) -> str | None:
    """The path on this server that serves ``iri``, if it belongs to the dataset."""
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + iri[len(ONTOLOGY_IRI):]
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri):]
    return None


def view(term, names: dict[str, str], base_iri: str, root: str = "") -> TermView:
    """A term ready for display; ``root`` is the app's URL prefix."""
    if term is None:
        return TermView("")
    if isinstance(term, NamedNode):
        path = local_path(term.value, base_iri)
        href = root + path if path else term.value
        return TermView(names.get(term.value, _short(term.value)), href=href, iri=term.value,
                        title=getattr(names, "summaries", {}).get(term.value))
    if isinstance(term, BlankNode):
        return TermView(f"_:{term.value}")
    if isinstance(term, Triple):  # an RDF 1.2 triple term, which any query can make with TRIPLE() or <<( )>>
        parts = (view(part, names, base_iri, root).text for part in (term.subject, term.predicate, term.object))
        return TermView(f"<< {' '.join(parts)} >>")
    assert isinstance(term, Literal)
    datatype = term.datatype.value if term.datatype else None
    return TermView(_format_literal(term.value, datatype), datatype=datatype, language=term.language)


def _short(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _format_literal(value: str, datatype: str | None) -> str:
    """Dates as people write them ("17 February 2008", "March 2014"); other values as they are."""
    try:
        if datatype == XSD + "date":
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
        if datatype == XSD + "gYearMonth":
            return dt.date.fromisoformat(value + "-01").strftime("%B %Y")
    except ValueError:
        return value
    return value


def view_date(text: str) -> str:
    """An ISO date of any precision as people write it ("17 February 2008", "March 2014", "2012")."""
    datatype = {10: "date", 7: "gYearMonth"}.get(len(text))
    return _format_literal(text, XSD + datatype) if datatype else text
