"""The VoID description of the dataset: what it is, its licence and sources, its size and shape, where to get it.

Every number is counted with SPARQL on the backend's default graph (which holds every
triple of the dataset), so the description always matches the version being served. It
carries the version, not a date, so that two builds of the same data are described alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, Variable

from kosru_kg.query.backend import Backend
from kosru_kg.vocab import CC_BY_SA_4, KOSRU, PREFIXES, RDF_TYPE, Minter, term

TITLE = "kosru-kg: Kosovo–Russia relations"
DESCRIPTION = (
    "A linked-data knowledge graph of the relations between Kosovo and Russia: recognitions of "
    "Kosovo and reported withdrawals, memberships and vetoes in international bodies, stances, "
    "statements, and sporting and cultural contacts. Every fact names its sources."
)

TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
    (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
CLASSES = "SELECT DISTINCT ?class WHERE { ?s a ?class } ORDER BY ?class"
PROPERTY_PARTITIONS = "SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o } GROUP BY ?property ORDER BY ?property"
GRAPHS = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
SOURCES = f"""PREFIX kosru: <{KOSRU}> PREFIX rdfs: <{PREFIXES["rdfs"]}> PREFIX schema: <{PREFIXES["schema"]}>
    SELECT DISTINCT ?url WHERE {{ ?source a/rdfs:subClassOf* kosru:Source ; schema:url ?url }} ORDER BY ?url"""
FIRST_CLAIM = f"SELECT ?r WHERE {{ ?r a <{KOSRU}PositionClaim> }} ORDER BY ?r LIMIT 1"
DESCRIBED = "ASK { ?s ?p ?o }"


def describe(backend: Backend, base_iri: str, *, sparql_endpoint: str, dumps: Sequence[str],
             catalogue: str | None = None) -> list[Triple]:
    """The VoID triples for the dataset ``{base}dataset`` served by ``backend``.

    ``catalogue``, the URL of the DCAT catalogue, is linked with ``rdfs:seeAlso``, and the
    catalogue (``{base}catalog``) is said to hold the data set.
    """
    minter = Minter(base_iri)
    dataset = minter.dataset()
    totals = next(iter(backend.query(TOTALS)))
    classes = [row["class"] for row in backend.query(CLASSES)]
    properties = [(row["property"], row["n"]) for row in backend.query(PROPERTY_PARTITIONS)]
    entities, class_partitions = _entities(backend, base_iri)
    about = {
        "rdf:type": [term("void:Dataset")],
        "dct:title": [Literal(TITLE, language="en")],
        "dct:description": [Literal(DESCRIPTION, language="en")],
        "dct:license": [CC_BY_SA_4],
        "dct:source": [row["url"] for row in backend.query(SOURCES)],
        "owl:versionInfo": [Literal(backend.version)],
        "void:uriSpace": [Literal(base_iri)],
        "void:sparqlEndpoint": [NamedNode(sparql_endpoint)],
        "void:dataDump": [NamedNode(url) for url in dumps],
        "void:triples": [totals["triples"]],
        "void:entities": [entities],
        "void:distinctSubjects": [totals["subjects"]],
        "void:distinctObjects": [totals["objects"]],
        "void:properties": [totals["properties"]],
        "void:classes": [Literal(len(classes))],
        "void:vocabulary": _vocabularies(classes + [prop for prop, _ in properties]),
        "void:exampleResource": _examples(backend, minter),
    }
    triples = [Triple(dataset, term(p), o) for p, objects in about.items() for o in objects]
    if catalogue is not None:
        triples += [Triple(dataset, term("rdfs:seeAlso"), NamedNode(catalogue)),
                    Triple(minter.catalog(), term("dcat:dataset"), dataset)]
    for cls, count in class_partitions:
        triples += _partition(dataset, "void:classPartition", {"void:class": cls, "void:entities": count})
    for prop, count in properties:
        triples += _partition(dataset, "void:propertyPartition", {"void:property": prop, "void:triples": count})
    for row in backend.query(GRAPHS):
        graph = row["graph"]
        triples += [Triple(dataset, term("void:subset"), graph), Triple(graph, RDF_TYPE, term("void:Dataset")),
                    Triple(graph, term("void:triples"), row["n"])]
    return triples


def _entities(backend: Backend, base_iri: str) -> tuple[Literal, list[tuple[NamedNode, Literal]]]:
    """How many entities, in all and per class.

    An entity is an IRI subject in the dataset's URI space (void:uriSpace, the base IRI); the
    ontology's namespace lies under the base, so its classes and properties are entities too.
    The base is written into the query as a literal: Oxigraph substitutes only projected variables.
    """
    in_space = f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {Literal(base_iri)}))"
    total = next(iter(backend.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o {in_space} }}")))["n"]
    per_class = backend.query(f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
        WHERE {{ ?s a ?class {in_space} }} GROUP BY ?class ORDER BY ?class""")
    return total, [(row["class"], row["n"]) for row in per_class]


def _partition(dataset: NamedNode, kind: str, values: dict) -> list[Triple]:
    """A blank-node partition of the dataset; blank, since nothing outside this description names it."""
    node = BlankNode()
    return [Triple(dataset, term(kind), node), *(Triple(node, term(p), o) for p, o in values.items())]


def _vocabularies(terms: list[NamedNode]) -> list[NamedNode]:
    """The namespaces of the classes and properties used."""
    return [NamedNode(ns) for ns in sorted(set(PREFIXES.values())) if any(t.value.startswith(ns) for t in terms)]


def _examples(backend: Backend, minter: Minter) -> list[NamedNode]:
    """Kosovo, Russia and a claim of a position on Kosovo: those the graph describes."""
    candidates = [minter.resource("state", "kosovo"), minter.resource("state", "russia")]
    candidates += [row["r"] for row in backend.query(FIRST_CLAIM)]
    return [c for c in candidates if bool(backend.query(DESCRIBED, substitutions={Variable("s"): c}))]
