"""The endpoint's SPARQL 1.1 Service Description: what a client may ask, and in which formats it gets answers.

See https://www.w3.org/TR/sparql11-service-description/.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from kosru_kg.service.protocol import GRAPH_FORMATS, SOLUTION_FORMATS
from kosru_kg.vocab import PREFIXES, RDF_TYPE, term

ENTAILMENT_SIMPLE = term("ent:Simple")
# pyoxigraph 0.5 names JSON-LD by an IRI the W3C register (https://www.w3.org/ns/formats/) does not list.
REGISTERED_FORMAT_IRIS = {RdfFormat.JSON_LD: term("formats:JSON-LD").value}

SERIALISATION_PREFIXES = {name: PREFIXES[name] for name in ("sd", "rdfs", "formats", "ent")}


def describe_service(endpoint: str, named_graphs: Iterable[NamedNode]) -> list[Triple]:
    """The description of the service at ``endpoint`` whose dataset holds ``named_graphs``.

    The default graph is stored as the union of the named graphs (not computed per query),
    so it is described as a graph of its own rather than with sd:UnionDefaultGraph.
    """
    service, dataset, default_graph = NamedNode(endpoint), BlankNode("dataset"), BlankNode("default-graph")
    entries = [(BlankNode(f"named-graph-{index}"), name) for index, name in enumerate(named_graphs)]
    return [
        Triple(service, RDF_TYPE, term("sd:Service")),
        Triple(service, term("sd:endpoint"), service),
        Triple(service, term("rdfs:label"), Literal("kosru-kg SPARQL endpoint", language="en")),
        Triple(service, term("rdfs:comment"), Literal(
            "A read-only SPARQL 1.1 Query endpoint over a knowledge graph of Kosovo–Russia relations.",
            language="en")),
        Triple(service, term("sd:supportedLanguage"), term("sd:SPARQL11Query")),
        Triple(service, term("sd:defaultEntailmentRegime"), ENTAILMENT_SIMPLE),
        *(Triple(service, term("sd:resultFormat"), format_iri) for format_iri in result_format_iris()),
        Triple(service, term("sd:defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, term("sd:Dataset")),
        Triple(dataset, term("sd:defaultGraph"), default_graph),
        *(Triple(dataset, term("sd:namedGraph"), entry) for entry, _ in entries),
        Triple(default_graph, RDF_TYPE, term("sd:Graph")),
        Triple(default_graph, term("rdfs:comment"), Literal(
            "Every triple of the named graphs, stored once more as the default graph.", language="en")),
        *(triple for entry, name in entries for triple in (
            Triple(entry, RDF_TYPE, term("sd:NamedGraph")),
            Triple(entry, term("sd:name"), name),
        )),
    ]


def result_format_iris() -> list[NamedNode]:
    """The W3C format IRIs of everything a query can be answered in."""
    engines = dict.fromkeys([*SOLUTION_FORMATS.values(), *GRAPH_FORMATS.values()])
    return [NamedNode(REGISTERED_FORMAT_IRIS.get(f, f.iri)) for f in engines]


def serialise(triples: list[Triple], media_type: str) -> bytes:
    """The description in an RDF format, named by its media type."""
    return serialize(triples, format=RdfFormat.from_media_type(media_type), prefixes=SERIALISATION_PREFIXES)
