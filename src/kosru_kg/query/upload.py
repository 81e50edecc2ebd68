"""Uploading a built graph into a remote store with the SPARQL 1.1 Graph Store HTTP Protocol (``kosru-kg publish``).

Each named graph and the default graph is replaced whole (PUT, as N-Triples). A body is
serialised in batches to a spooled temporary file, so a large graph never sits in memory
twice, and sent with its Content-Length: never chunked, which some engines (Virtuoso) answer
with a 201 while storing nothing. Each graph's triples are then counted through the query
endpoint, and a graph holding fewer than were sent fails the publication before anything
else changes. Only then are graphs of this data set that the build no longer has deleted,
and the version triple written, last, in its own graph, so that servers reading it switch to
the new version only once every graph is in place and counted. Graph Store PUTs are not one
transaction: while an upload runs, readers may see old and new graphs side by side, still
under the old version.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

import urllib3
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, serialize
from urllib3.exceptions import HTTPError as TransportError

from kosru_kg.errors import HttpError
from kosru_kg.query.backend import NAMED_GRAPHS
from kosru_kg.query.budget import Budget
from kosru_kg.query.engine_link import PASSWORD_VARIABLE, USER_VARIABLE, EngineLink
from kosru_kg.query.remote import open_link, publication_graph, read_version, select, version_triple

N_TRIPLES = "application/n-triples"
BATCH_TRIPLES = 10_000  # triples serialised at a time into a PUT's body
SPOOL_BYTES = 16 * 1024 * 1024  # a body larger than this is spooled to disk before it is sent
CONNECT_TIMEOUT = 10.0
LOAD_TIMEOUT = 600.0  # seconds the store may take to load one graph and answer
# The Graph Store endpoint beside a query endpoint, by the query endpoint's last path segment.
GRAPH_STORE_BESIDE = {"query": "store", "sparql": "data"}  # Oxigraph: /query, /store; Fuseki: /ds/sparql, /ds/data
DEFAULT = "default"  # the default graph's name among the graphs written


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
    """Replace the data set at ``endpoint`` with ``store``'s graphs, check that they all arrived, then record ``version``."""
    graph_store = graph_store or default_graph_store(endpoint)
    loads = open_link(graph_store, 1)
    queries = open_link(endpoint, 1)
    try:
        written = {}
        for graph in sorted(store.named_graphs(), key=str):
            written[graph.value] = _put(loads, f"graph={quote(graph.value, safe='')}", store, graph)
        written[DEFAULT] = _put(loads, DEFAULT, store, DefaultGraph())
        for graph, sent in written.items():
            held = _count(queries, graph)
            if held < sent:
                raise UploadFailed(
                    f"{endpoint} holds {held} triples in {_named(graph)} after {sent} were sent to {graph_store}: "
                    "the store dropped part of the upload; the version it serves was left as it was")
        removed = [graph for graph in _listed_graphs(queries)
                   if graph.startswith(f"{base_iri}graph/") and graph not in written
                   and graph != publication_graph(base_iri).value]
        for graph in removed:
            _send(loads, "DELETE", f"graph={quote(graph, safe='')}")
        record = serialize([version_triple(base_iri, version)], format=RdfFormat.N_TRIPLES)
        _send(loads, "PUT", f"graph={quote(publication_graph(base_iri).value, safe='')}", record)
        seen = _read_back(queries, base_iri)
        if seen != version:
            raise UploadFailed(f"{endpoint} reports version {seen!r} after uploading {version}: does {graph_store} "
                                "load the data set that it queries? (check --graph-store)")
        return Uploaded(version, written, removed)
    finally:
        loads.close()
        queries.close()


def _named(graph: str) -> str:
    return "the default graph" if graph == DEFAULT else f"the graph <{graph}>"


def _put(link: EngineLink, target: str, store: Store, graph) -> int:
    """Replace one graph with ``store``'s ``graph``; the number of triples sent."""
    sent = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
        batch = []
        for quad in store.quads_for_pattern(None, None, None, graph):
            batch.append(quad.triple)
            if len(batch) == BATCH_TRIPLES:
                body.write(serialize(batch, format=RdfFormat.N_TRIPLES))
                sent, batch = sent + len(batch), []
        body.write(serialize(batch, format=RdfFormat.N_TRIPLES))
        sent += len(batch)
        _send(link, "PUT", target, body)
    return sent


def _send(link: EngineLink, method: str, target: str, body: bytes | IO[bytes] | None = None) -> None:
    """One Graph Store request on ``graph_store?target``; UploadFailed unless it succeeds."""
    url = urllib3.util.parse_url(link.url)
    path = f"{url.request_uri}{'&' if url.query else '?'}{target}"
    headers = {}
    if body is not None:
        size = len(body) if isinstance(body, bytes) else body.seek(0, 2)
        headers = {"Content-Type": N_TRIPLES, "Content-Length": str(size)}
    try:
        response = link.send(method, path, body=body, headers=headers,
                             timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=LOAD_TIMEOUT))
    except (TransportError, OSError) as exc:
        raise UploadFailed(f"{method} {link.url}?{target} failed: {exc}") from None
    if response.status not in (200, 201, 204):
        text = response.data[:1000].decode("utf-8", "replace").strip()
        hint = f" (credentials go in {USER_VARIABLE} and {PASSWORD_VARIABLE})" if response.status == 401 else ""
        raise UploadFailed(f"{method} {link.url}?{target} was refused: HTTP {response.status} {text}{hint}")


def _count(link: EngineLink, graph: str) -> int:
    """The triples the query endpoint finds in ``graph`` (the default graph: in the endpoint's default graph)."""
    pattern = "?s ?p ?o" if graph == DEFAULT else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    try:
        rows = list(select(link, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", Budget.starting_now(LOAD_TIMEOUT)))
    except HttpError as exc:
        raise UploadFailed(f"cannot count the triples of {_named(graph)} at {link.url}: {exc.message}") from None
    return int(rows[0]["n"].value) if rows else 0


def _listed_graphs(link: EngineLink) -> list[str]:
    try:
        rows = select(link, NAMED_GRAPHS, Budget.starting_now(LOAD_TIMEOUT))
    except HttpError as exc:
        raise UploadFailed(f"cannot list the graphs at {link.url}: {exc.message}") from None
    return [row["graph"].value for row in rows if isinstance(row["graph"], NamedNode)]


def _read_back(link: EngineLink, base_iri: str) -> str | None:
    try:
        return read_version(link, base_iri, Budget.starting_now(LOAD_TIMEOUT))
    except HttpError as exc:
        raise UploadFailed(f"cannot read the uploaded version back from {link.url}: {exc.message}") from None
