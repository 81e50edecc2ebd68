"""A dump of the graph read through a backend (a remote engine's, or a store's without an archive)."""

from __future__ import annotations

from pyoxigraph import Quad

from kosru_kg.formats import Format, Kind
from kosru_kg.graph.serialization import canonical, render
from kosru_kg.query.backend import Backend


def statements(backend: Backend, fmt: Format) -> list[Quad]:
    """What ``fmt`` publishes: the default graph, or the named graphs as quads."""
    if fmt.kind is Kind.DATASET:
        rows = backend.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return canonical(Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
    return canonical(backend.query("CONSTRUCT WHERE { ?s ?p ?o }"))


def dump(backend: Backend, fmt: Format, base_iri: str) -> bytes:
    return render(statements(backend, fmt), fmt, base_iri)
