"""The ontology as a document: ``kosru.ttl`` as written, and the terms a reader looks up in it.

Read from the file rather than the store so that the Turtle served at the ontology IRI is
the authored file, comments and all, and the other formats and the HTML page say exactly
what it says.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from kosru_kg import formats
from kosru_kg.graph import serialization
from kosru_kg.graph.build import read_ontology
from kosru_kg.vocab import KOSRU, ONTOLOGY_IRI, RDF_TYPE, names, term

FILE_NAME = "kosru.ttl"
# The kinds of term a reader looks up.
KINDS = {
    term("owl:Class"): "class",
    term("owl:ObjectProperty"): "object property",
    term("owl:DatatypeProperty"): "datatype property",
    term("owl:AnnotationProperty"): "annotation property",
    term("rdfs:Datatype"): "datatype",
}
RDF_FIRST, RDF_REST, RDF_NIL = term("rdf:first"), term("rdf:rest"), term("rdf:nil")

# One class or datatype; several are their union (owl:unionOf).
Expression = tuple[NamedNode, ...]


@dataclass(frozen=True)
class Term:
    iri: NamedNode
    kind: str  # a value of KINDS
    label: Literal | None = None
    definition: Literal | None = None
    comment: Literal | None = None
    parents: tuple[Expression, ...] = ()  # superclasses or superproperties
    equivalents: tuple[Expression, ...] = ()
    domain: tuple[Expression, ...] = ()
    range: tuple[Expression, ...] = ()

    @property
    def anchor(self) -> str:
        """The fragment of a kosru: term's IRI: ``Recognition`` in ``…/ontology#Recognition``."""
        return self.iri.value.removeprefix(KOSRU)


@dataclass(frozen=True)
class Ontology:
    turtle: bytes  # the file as written
    triples: tuple[Triple, ...]
    about: dict[NamedNode, tuple]  # the ontology header: property → its values
    terms: tuple[Term, ...]  # the kosru: terms, by name
    reused: tuple[Term, ...]  # terms of other vocabularies that the file declares
    _rendered: dict = field(default_factory=dict, compare=False, repr=False)

    def first(self, prefixed: str):
        """The header's first value of a property, or None."""
        return next(iter(self.about.get(term(prefixed), ())), None)

    def serialise(self, fmt: formats.Format, base_iri: str) -> bytes:
        """The ontology in ``fmt``: Turtle is the file itself; the others are made once, then kept."""
        if fmt.engine == RdfFormat.TURTLE:
            return self.turtle
        key = (fmt.name, base_iri)
        if key not in self._rendered:
            self._rendered[key] = serialization.render(serialization.canonical(self.triples), fmt, base_iri)
        return self._rendered[key]


def load(ontology_dir: Path) -> Ontology:
    triples = read_ontology(ontology_dir)
    index: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        index[t.subject][t.predicate].append(t.object)
    labels = names(triples)
    terms = sorted((_term(iri, index, labels) for iri in list(index) if isinstance(iri, NamedNode) and _kind(iri, index)),
                   key=lambda t: t.iri.value.lower())
    return Ontology(
        turtle=(Path(ontology_dir) / FILE_NAME).read_bytes(),
        triples=triples,
        about={p: tuple(values) for p, values in index[NamedNode(ONTOLOGY_IRI)].items()},
        terms=tuple(t for t in terms if t.iri.value.startswith(KOSRU)),
        reused=tuple(t for t in terms if not t.iri.value.startswith(KOSRU)),
    )


def _kind(node, index) -> str | None:
    return next((KINDS[t] for t in index[node][RDF_TYPE] if t in KINDS), None)


def _term(iri: NamedNode, index, labels: dict[str, Literal]) -> Term:
    about = index[iri]

    def one(prefixed: str) -> Literal | None:
        return next(iter(about.get(term(prefixed), ())), None)

    def expressions(*prefixed: str) -> tuple[Expression, ...]:
        return tuple(_expression(node, index) for p in prefixed for node in about.get(term(p), ()))

    return Term(iri=iri, kind=_kind(iri, index), label=labels.get(iri.value), definition=one("skos:definition"),
                comment=one("rdfs:comment"), parents=expressions("rdfs:subClassOf", "rdfs:subPropertyOf"),
                equivalents=expressions("owl:equivalentClass"), domain=expressions("rdfs:domain"),
                range=expressions("rdfs:range"))


def _expression(node, index) -> Expression:
    """A named class, or the members of a union given as a blank node."""
    if isinstance(node, BlankNode):
        members = []
        for head in index[node].get(term("owl:unionOf"), ()):
            while head != RDF_NIL:
                members += index[head][RDF_FIRST]
                head = index[head][RDF_REST][0]
        return tuple(members)
    return (node,)
