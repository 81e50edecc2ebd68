"""A dump of the graph read through a backend (a remote engine's, or a store's without an archive).

Read graph by graph, one CONSTRUCT each, so that an engine's cap on the rows of one answer
(Virtuoso's ``ResultSetMaxRows``) bites less often; and each graph's triples are counted by the
engine too, so that an answer cut short without a word (Virtuoso's CONSTRUCT can give one
triple more than its cap, and then no ``X-SPARQL-MaxRows``) fails instead of being sent as
the whole graph.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad, Triple

from kosru_kg.errors import ServiceUnavailable
from kosru_kg.formats import Format, Kind
from kosru_kg.graph.serialization import canonical, render
from kosru_kg.query.backend import NAMED_GRAPHS, Backend


def statements(backend: Backend, fmt: Format) -> list[Quad]:
    """What ``fmt`` publishes: the default graph, or the named graphs as quads."""
    if fmt.kind is Kind.DATASET:
        graphs = sorted((row["graph"] for row in backend.query(NAMED_GRAPHS)), key=str)
        return canonical(Quad(t.subject, t.predicate, t.object, graph) for graph in graphs
                         for t in whole_graph(backend, graph))
    return canonical(whole_graph(backend, None))


def whole_graph(backend: Backend, graph: NamedNode | None) -> list[Triple]:
    """Every triple of ``graph`` (None: the default graph), or a 503 if the engine gave fewer than it counts."""
    pattern = "?s ?p ?o" if graph is None else f"GRAPH {graph} {{ ?s ?p ?o }}"
    triples = backend.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}")
    counted = next(iter(backend.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE "
                                      f"{{ {pattern} }} }}")))["n"]
    if len(set(triples)) < int(counted.value):
        name = "the default graph" if graph is None else f"the graph {graph}"
        raise ServiceUnavailable(f"the graph store behind this service gave {len(set(triples))} of the "
                                 f"{counted.value} triples of {name}: a cap on the rows of one answer (such as "
                                 "Virtuoso's ResultSetMaxRows) cut it, so the download is not sent incomplete")
    return triples


def dump(backend: Backend, fmt: Format, base_iri: str) -> bytes:
    return render(statements(backend, fmt), fmt, base_iri)
