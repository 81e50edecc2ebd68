"""Uploading a built graph into a remote store with the SPARQL 1.1 Graph Store HTTP Protocol (``kosru-kg publish``).

Each named graph and the default graph is replaced whole (PUT, as N-Triples, streamed in
batches so a large graph never sits in memory twice); graphs of this data set that the
build no longer has are deleted; the version triple goes last, in its own graph, so that
servers reading it switch to the new version only once every graph is in place. Graph
Store PUTs are not one transaction: while an upload runs, readers may see old and new
graphs side by side, still under the old version.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import urllib3
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, serialize
from urllib3.exceptions import HTTPError as TransportError

from kosru_kg.errors import HttpError
from kosru_kg.query.budget import Budget
from kosru_kg.query.remote import open_pool, publication_graph, read_version, select, version_triple

N_TRIPLES = "application/n-triples"
BATCH_TRIPLES = 10_000  # triples serialised at a time into a PUT's body
CONNECT_TIMEOUT = 10.0
LOAD_TIMEOUT = 600.0  # seconds the store may take to load one graph and answer
# The Graph Store endpoint beside a query endpoint, by the query endpoint's last path segment.
GRAPH_STORE_BESIDE = {"query": "store", "sparql": "data"}  # Oxigraph: /query, /store; Fuseki: /ds/sparql, /ds/data
LISTED_GRAPHS = "SELECT DISTINCT ?graph WHERE { GRAPH ?graph {} }"


class UploadFailed(Exception):
    """The remote store refused or could not take the graph; the message says which step and why."""


@dataclass(frozen=True)
class Uploaded:
    version: str
    graphs: dict[str, int]  # each graph written ("default" for the default graph) and its triples
    removed: list[str]  # graphs of this data set from an earlier upload, deleted


def default_graph_store(endpoint: str) -> str:
    """The Graph Store endpoint beside ``endpoint``: …/query → …/store (Oxigraph), …/sparql → …/data (Fuseki)."""
    url = urllib3.util.parse_url(endpoint)
    head, _, last = (url.path or "").rstrip("/").rpartition("/")
    if last not in GRAPH_STORE_BESIDE:
        raise UploadFailed(f"cannot tell which Graph Store endpoint goes with {endpoint}; give it with --graph-store")
    return url._replace(path=f"{head}/{GRAPH_STORE_BESIDE[last]}", query=None, fragment=None).url


def upload(store: Store, version: str, base_iri: str, endpoint: str, graph_store: str | None = None) -> Uploaded:
    """Replace the data set at ``endpoint`` with ``store``'s graphs, then record ``version``."""
    graph_store = graph_store or default_graph_store(endpoint)
    loads = open_pool(graph_store, 1)
    queries = open_pool(endpoint, 1)
    try:
        written = {}
        for graph in sorted(store.named_graphs(), key=str):
            written[graph.value] = _put(loads, graph_store, f"graph={quote(graph.value, safe='')}", store, graph)
        written["default"] = _put(loads, graph_store, "default", store, DefaultGraph())
        removed = [graph for graph in _listed_graphs(queries, endpoint)
                   if graph.startswith(f"{base_iri}graph/") and graph not in written
                   and graph != publication_graph(base_iri).value]
        for graph in removed:
            _send(loads, "DELETE", graph_store, f"graph={quote(graph, safe='')}")
        record = serialize([version_triple(base_iri, version)], format=RdfFormat.N_TRIPLES)
        _send(loads, "PUT", graph_store, f"graph={quote(publication_graph(base_iri).value, safe='')}", record)
        seen = _read_back(queries, endpoint, base_iri)
        if seen != version:
            raise UploadFailed(f"{endpoint} reports version {seen!r} after uploading {version}: does {graph_store} "
                                "load the data set that it queries? (check --graph-store)")
        return Uploaded(version, written, removed)
    finally:
        loads.close()
        queries.close()


def _put(pool: urllib3.HTTPConnectionPool, graph_store: str, target: str, store: Store, graph) -> int:
    """Replace one graph with ``store``'s ``graph``; the number of triples sent."""
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        batch = []
        for quad in store.quads_for_pattern(None, None, None, graph):
            batch.append(quad.triple)
            if len(batch) == BATCH_TRIPLES:
                yield serialize(batch, format=RdfFormat.N_TRIPLES)
                sent, batch = sent + len(batch), []
        yield serialize(batch, format=RdfFormat.N_TRIPLES)
        sent += len(batch)

    _send(pool, "PUT", graph_store, target, body())
    return sent


def _send(pool: urllib3.HTTPConnectionPool, method: str, graph_store: str, target: str,
          body: bytes | Iterator[bytes] | None = None) -> None:
    """One Graph Store request on ``graph_store?target``; UploadFailed unless it succeeds."""
    url = urllib3.util.parse_url(graph_store)
    path = f"{url.request_uri}{'&' if url.query else '?'}{target}"
    headers = {} if body is None else {"Content-Type": N_TRIPLES}
    try:
        response = pool.urlopen(method, path, body=body, headers=headers, chunked=isinstance(body, Iterator),
                                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=LOAD_TIMEOUT),
                                redirect=False, retries=False)
    except (TransportError, OSError) as exc:
        raise UploadFailed(f"{method} {graph_store}?{target} failed: {exc}") from None
    if response.status not in (200, 201, 204):
        text = response.data[:1000].decode("utf-8", "replace").strip()
        raise UploadFailed(f"{method} {graph_store}?{target} was refused: HTTP {response.status} {text}")


def _listed_graphs(pool: urllib3.HTTPConnectionPool, endpoint: str) -> list[str]:
    try:
        rows = select(pool, endpoint, LISTED_GRAPHS, Budget.starting_now(LOAD_TIMEOUT))
    except HttpError as exc:
        raise UploadFailed(f"cannot list the graphs at {endpoint}: {exc.message}") from None
    return [row["graph"].value for row in rows if isinstance(row["graph"], NamedNode)]


def _read_back(pool: urllib3.HTTPConnectionPool, endpoint: str, base_iri: str) -> str | None:
    try:
        return read_version(pool, endpoint, base_iri, Budget.starting_now(LOAD_TIMEOUT))
    except HttpError as exc:
        raise UploadFailed(f"cannot read the uploaded version back from {endpoint}: {exc.message}") from None
