"""The download routes, the JSON-LD context and /.well-known/void, through Flask's test client."""

from __future__ import annotations

import json

import pytest
from conftest import BASE
from pyoxigraph import NamedNode, RdfFormat, parse

from kosru_kg import formats
from kosru_kg.graph import serialization
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.service import export
from kosru_kg.service.versions import Versions
from kosru_kg.web import create_app

CONTENT_TYPES = {
    "kosru.ttl": "text/turtle; charset=utf-8",
    "kosru.jsonld": "application/ld+json",
    "kosru.nt": "application/n-triples",
    "kosru.rdf": "application/rdf+xml",
    "kosru.nq": "application/n-quads",
    "kosru.trig": "application/trig",
}
VOID = "http://rdfs.org/ns/void#"


@pytest.mark.parametrize("name", CONTENT_TYPES)
def test_download(client, name):
    response = client.get(f"/download/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPES[name]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.data


def test_downloads_are_the_export_dumps(client, backend, settings):
    fmt = formats.dump("turtle")
    assert client.get("/download/kosru.ttl").data == export.dump(backend, fmt, settings.base_iri)


def test_each_dump_is_read_once_per_app_from_the_versions_archive(settings, backend, monkeypatch):
    """The served version's dump comes from its archive in the store (written by the build), and then
    from the app's cache."""
    calls = []
    real_dump = Versions.dump

    def counted_dump(self, version, fmt):
        calls.append((version, fmt.name))
        return real_dump(self, version, fmt)

    monkeypatch.setattr(Versions, "dump", counted_dump)
    client = create_app(settings, backend).test_client()
    first = client.get("/download/kosru.jsonld").data
    assert client.get("/download/kosru.jsonld").data == first
    assert calls == [(backend.version, "jsonld")]
    assert Versions(settings.store).layout.dump_path(backend.version, "kosru.jsonld").read_bytes() == first


@pytest.mark.parametrize("name", ["kosru.csv", "other.ttl", "kosru"])
def test_unknown_download_is_404_naming_the_downloads(client, name):
    response = client.get(f"/download/{name}", headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert all(available in response.text for available in CONTENT_TYPES)


def test_context(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.json == serialization.context_document()


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/html, application/rdf+xml;q=0.5", "application/rdf+xml"),
])
def test_void_negotiates(client, accept, media_type):
    response = client.get("/.well-known/void", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    data = response.data
    if media_type == "application/ld+json":
        assert json.loads(data)["@context"] == serialization.CONTEXT  # inline: readable offline, wherever saved
    dataset = NamedNode(f"{BASE}dataset")
    types = {q.object for q in parse(data, RdfFormat.from_media_type(media_type)) if q.subject == dataset}
    assert NamedNode(VOID + "Dataset") in types


def test_void_format_parameter_overrides_accept(client):
    response = client.get("/.well-known/void?format=ntriples", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "application/n-triples"


def test_void_refuses_what_it_cannot_give(client):
    response = client.get("/.well-known/void", headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert "Accept" in response.vary
    assert "text/turtle" in response.text


def test_void_links_work(client):
    """The endpoint and every dump named in the description answer on this server."""
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    triples = [q.triple for q in parse(response.data, RdfFormat.N_TRIPLES)]
    links = {t.predicate.value: set() for t in triples}
    for t in triples:
        links[t.predicate.value].add(t.object.value)
    assert links[VOID + "sparqlEndpoint"] == {"http://localhost/sparql"}
    assert links[VOID + "dataDump"] == {f"http://localhost/download/{name}" for name in CONTENT_TYPES}
    for url in links[VOID + "dataDump"] | links[VOID + "sparqlEndpoint"]:
        assert client.get(url.removeprefix("http://localhost")).status_code == 200, url


def test_a_dump_is_shared_work_not_held_to_the_per_query_limit(settings, layout):
    """A dump is computed once for everyone, so a per-query limit too short for it does not apply."""
    hurried = settings.replace(query_timeout="0.001")
    backend = EmbeddedBackend(layout, hurried)
    try:
        client = create_app(hurried, backend).test_client()
        assert client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}).status_code == 503
        response = client.get("/download/kosru.nt")
        assert response.status_code == 200 and len(response.data.splitlines()) > 5000
    finally:
        backend.close()
