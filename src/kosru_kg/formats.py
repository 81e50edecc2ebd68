"""The one table of formats: every negotiation, download, suffix and command-line option derives from it.

A row is a serialisation the site speaks: its short names (the ``format=`` parameter, the
command line, a question's suffix), its media type, its file suffix, the pyoxigraph format
that writes it, and the kind of answer it carries. Where a short name means two rows
("json": SPARQL JSON results or JSON-LD), the kind of the answer picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pyoxigraph import QueryResultsFormat, RdfFormat


class Kind(Enum):
    """What an answer is, and so which formats can carry it."""

    SOLUTIONS = "solutions"  # a SELECT query's rows
    BOOLEAN = "boolean"  # an ASK query's answer
    GRAPH = "graph"  # triples: CONSTRUCT and DESCRIBE answers, resource descriptions, dumps
    DATASET = "dataset"  # quads: the named graphs, in the dumps
    CHANGES = "changes"  # the triples added and removed between two versions
    DOCUMENT = "document"  # plain JSON for programs: search results, the list of versions
    PAGE = "page"  # HTML for people

    @classmethod
    def of_query_form(cls, form: str) -> Kind:
        """The kind of answer a query form (SELECT, ASK, CONSTRUCT, DESCRIBE) gives."""
        return {"SELECT": cls.SOLUTIONS, "ASK": cls.BOOLEAN}.get(form, cls.GRAPH)

    @property
    def carried_by(self) -> tuple[Kind, ...]:
        """The kinds of format rows that can carry this kind of answer."""
        if self in (Kind.SOLUTIONS, Kind.BOOLEAN):
            return (Kind.SOLUTIONS,)
        if self is Kind.GRAPH:
            return (Kind.GRAPH, Kind.DATASET)  # a graph written as quads is in the default graph
        return (self,)


@dataclass(frozen=True)
class Format:
    names: tuple[str, ...]  # short names, the first the canonical one; () for an alias reached by Accept only
    label: str
    media_type: str
    suffix: str  # file suffix, without the dot
    engine: RdfFormat | QueryResultsFormat | None  # what pyoxigraph writes it with; None for pages
    kind: Kind

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.media_type

    @property
    def file_name(self) -> str:
        """The dump's file name in this format."""
        return f"kosru.{self.suffix}"


FORMATS = (
    # SPARQL results, the default first.
    Format(("json",), "JSON", "application/sparql-results+json", "srj", QueryResultsFormat.JSON, Kind.SOLUTIONS),
    Format(("xml",), "XML", "application/sparql-results+xml", "srx", QueryResultsFormat.XML, Kind.SOLUTIONS),
    Format(("csv",), "CSV", "text/csv", "csv", QueryResultsFormat.CSV, Kind.SOLUTIONS),
    Format(("tsv",), "TSV", "text/tab-separated-values", "tsv", QueryResultsFormat.TSV, Kind.SOLUTIONS),
    # The plain-JSON alias of SPARQL JSON results that browsers' fetch() and many tools ask for.
    Format((), "JSON", "application/json", "json", QueryResultsFormat.JSON, Kind.SOLUTIONS),
    # Graphs, the default first (ties in negotiation go to the earlier row).
    # Beside each canonical name, the one SPARQLWrapper sends as format= (and rdflib calls it): Turtle is N3.
    Format(("turtle", "n3"), "Turtle", "text/turtle", "ttl", RdfFormat.TURTLE, Kind.GRAPH),
    Format(("ntriples",), "N-Triples", "application/n-triples", "nt", RdfFormat.N_TRIPLES, Kind.GRAPH),
    Format(("jsonld", "json", "json-ld"), "JSON-LD", "application/ld+json", "jsonld", RdfFormat.JSON_LD, Kind.GRAPH),
    Format(("rdfxml", "xml", "rdf+xml"), "RDF/XML", "application/rdf+xml", "rdf", RdfFormat.RDF_XML, Kind.GRAPH),
    # N-Triples' type before 2014, which rdflib still asks for (``parse(url, format="nt")``), and plain JSON,
    # which JSON-LD is: a graph asked for in either comes in N-Triples or JSON-LD, under the type asked for.
    Format((), "N-Triples", "text/plain", "nt", RdfFormat.N_TRIPLES, Kind.GRAPH),
    Format((), "JSON-LD", "application/json", "jsonld", RdfFormat.JSON_LD, Kind.GRAPH),
    # Datasets: the named graphs as quads.
    Format(("nquads",), "N-Quads", "application/n-quads", "nq", RdfFormat.N_QUADS, Kind.DATASET),
    Format(("trig",), "TriG", "application/trig", "trig", RdfFormat.TRIG, Kind.DATASET),
    # Changes between versions: RDF Patch (https://afs.github.io/rdf-patch/); text/rdf-patch is its older name.
    Format(("rdfp",), "RDF Patch", "application/rdf-patch", "rdfp", None, Kind.CHANGES),
    Format((), "RDF Patch", "text/rdf-patch", "rdfp", None, Kind.CHANGES),
    # Plain JSON documents.
    Format(("json",), "JSON", "application/json", "json", None, Kind.DOCUMENT),
    # Pages.
    Format(("html",), "HTML", "text/html", "html", None, Kind.PAGE),
)
# Each media type's first row: application/json is SPARQL results' alias here, as the query engines read it.
BY_MEDIA_TYPE = {f.media_type: f for f in reversed(FORMATS)}


def of_kind(*kinds: Kind) -> tuple[Format, ...]:
    """The rows of these kinds, in the table's order (so the first is the default)."""
    return tuple(f for f in FORMATS if f.kind in kinds)


def for_answer(kind: Kind) -> tuple[Format, ...]:
    """The formats that can carry an answer of ``kind``, its default first."""
    return of_kind(*kind.carried_by)


def named(name: str, kind: Kind) -> Format | None:
    """The format a short name means for an answer of ``kind``, or None."""
    return next((f for f in for_answer(kind) if name in f.names), None)


def names(kinds: tuple[Kind, ...] | None = None) -> tuple[str, ...]:
    """Every short name (of rows of ``kinds``, or all), in the table's order, each once."""
    rows = FORMATS if kinds is None else of_kind(*kinds)
    return tuple(dict.fromkeys(name for f in rows for name in f.names))


def media_types_named(name: str) -> tuple[str, ...]:
    """The media types a short name may mean, of every kind (``format=json`` fits results and JSON-LD)."""
    return tuple(f.media_type for f in FORMATS if name in f.names)


def named_rows(rows: tuple[Format, ...]) -> tuple[Format, ...]:
    """The rows that are formats of their own, not aliases reached by Accept only."""
    return tuple(f for f in rows if f.names)


# The formats of the downloads: the default graph in each graph format, the named graphs in each dataset format.
DUMPS = named_rows(of_kind(Kind.GRAPH, Kind.DATASET))
# What an engine is asked to answer in when the answer is parsed, not sent on (N-Triples: line-based, it streams).
PARSED = {Kind.SOLUTIONS: BY_MEDIA_TYPE["application/sparql-results+json"],
          Kind.BOOLEAN: BY_MEDIA_TYPE["application/sparql-results+json"],
          Kind.GRAPH: BY_MEDIA_TYPE["application/n-triples"]}


def dump(name: str) -> Format:
    """The download format of that name (``turtle``, ``nquads``, …)."""
    return next(f for f in DUMPS if f.name == name)


def dump_file(file_name: str) -> Format | None:
    """The download format whose file is called ``file_name`` (``kosru.ttl``, …), or None."""
    return next((f for f in DUMPS if f.file_name == file_name), None)


def canonical(fmt: Format) -> Format:
    """The named row an alias reached by Accept only stands for (``text/plain``: N-Triples), or ``fmt`` itself:
    what a query engine is asked to write."""
    return fmt if fmt.names else next(f for f in of_kind(fmt.kind) if f.names and f.engine == fmt.engine)
