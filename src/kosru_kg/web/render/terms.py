"""How RDF terms look on a page: resources by label in the page's language and linked locally, values readable.

Labels: the page's language where the graph has a label in it, else English, marked as such
(``TermView.language``) so the page shows it in a ``lang="en"`` span. Dates, numbers and
booleans are written by Babel and the catalogs in the page's language (English pages:
"17 February 2008", "2,500", "yes").
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from flask_babel import get_locale, gettext
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kosru_kg.query.backend import Backend
from kosru_kg.vocab import BOOLEAN_VALUES, NAMING, ONTOLOGY_IRI, PREFIXES, SUMMARY, names
from kosru_kg.web.i18n import N_

XSD = PREFIXES["xsd"]
SKOSXL = PREFIXES["skosxl"]
LABEL_QUERY = f"""
SELECT ?s ?naming ?label WHERE {{
  VALUES ?s {{ %s }}
  {{ VALUES ?naming {{ {" ".join(str(p) for p in NAMING)} }}
    ?s ?naming ?label }}
  UNION
  {{ ?s <{SKOSXL}literalForm> ?label .  # a SKOS-XL label resource is named by its text
    BIND({NAMING[0]} AS ?naming) }}
  UNION
  {{ ?s {SUMMARY} ?label . BIND({SUMMARY} AS ?naming) }}  # a fact's one-line summary
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
    """IRI → name (text in the page's language, else a Literal), with each resource's summary (``summaries``)."""

    def __init__(self, *args, summaries: dict[str, str] | None = None):
        super().__init__(*args)
        self.summaries = summaries or {}


def labels(backend: Backend, terms: Iterable, language: str = "en") -> Names:
    """Labels of the IRIs among ``terms``, fetched in one query: in ``language`` where the graph has one.

    A label in the wanted language is a plain string; any other (the English one) is kept as its
    Literal, so that ``view`` can mark its language.
    """
    iris = sorted({t.value for t in terms if isinstance(t, NamedNode)})
    found = Names()
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        rows = backend.query(LABEL_QUERY % values)
        triples = [Triple(row["s"], row["naming"], row["label"]) for row in rows]
        found.update(named(names(triples, language), language))
        found.summaries.update(summaries(triples, language))
    return found


def summaries(triples: Iterable[Triple], language: str = "en") -> dict[str, str]:
    """The one-line summary of each resource of ``triples`` that has one, in ``language`` where it is written in it."""
    return {iri: summary.value for iri, summary in names(triples, language, (SUMMARY,)).items()}


def named(best: dict[str, Literal], language: str) -> dict[str, str | Literal]:
    """``vocab.names``'s choices for ``view``: text where the label is in ``language``, else the Literal."""
    return {iri: name.value if _in(name, language) else name for iri, name in best.items()}


def _in(name: Literal, language: str) -> bool:
    return (name.language or "en").lower() == language.lower()


def local_path(iri: str, base_iri: str) -> str | None:
    """The path on this server that serves ``iri``, if it belongs to the dataset."""
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + iri[len(ONTOLOGY_IRI):]
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri):]
    return None


def view(term, names: dict[str, str | Literal], base_iri: str, root: str = "") -> TermView:
    """A term ready for display; ``root`` is the app's URL prefix.

    ``names`` gives a resource's name as text (in the page's language) or as a Literal in another
    language, which the view keeps (``language``) so the page marks it.
    """
    if term is None:
        return TermView("")
    if isinstance(term, NamedNode):
        path = local_path(term.value, base_iri)
        href = root + path if path else term.value
        name = names.get(term.value, _short(term.value))
        title = getattr(names, "summaries", {}).get(term.value)
        if isinstance(name, Literal):
            return TermView(name.value, href=href, iri=term.value, language=name.language or "en", title=title)
        return TermView(name, href=href, iri=term.value, title=title)
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


# Numbers of these types are written the page's way (2 500 in Russian, 2,500 in English, 0,5 in Albanian).
NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "long", "int", "short",
                                    "nonNegativeInteger", "positiveInteger")}


def _format_literal(value: str, datatype: str | None) -> str:
    """Values as people read them in the page's language: dates ("17 February 2008", "March 2014"),
    yes and no for booleans, numbers with the language's separators; other values as they are."""
    try:
        if datatype == XSD + "date":
            return format_date(dt.date.fromisoformat(value), format="long", locale=_locale())
        if datatype == XSD + "gYearMonth":
            return format_skeleton("yMMMM", dt.date.fromisoformat(value + "-01"), locale=_locale())
        if datatype == XSD + "boolean" and value.strip() in BOOLEAN_VALUES:
            return gettext(N_("yes") if BOOLEAN_VALUES[value.strip()] else N_("no"))
        if datatype in NUMERIC:
            number = decimal.Decimal(value.strip())
            # Four digits are not grouped (CLDR's minimum grouping digits of 2): a year reads 2008, not 2,008.
            return value if abs(number) < 10000 and number == number.to_integral() else format_decimal(
                number, locale=_locale())
    except (ValueError, decimal.InvalidOperation):
        return value
    return value


def _locale():
    """The page's locale; outside a request, English as the pages write it."""
    return get_locale() or "en_GB"


def view_date(text: str) -> str:
    """An ISO date of any precision as people write it in the page's language ("17 February 2008", "2012")."""
    datatype = {10: "date", 7: "gYearMonth"}.get(len(text))
    return _format_literal(text, XSD + datatype) if datatype else text
