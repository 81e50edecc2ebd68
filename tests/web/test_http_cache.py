"""Answers carry a weak ETag of the dataset version and a Cache-Control policy; revalidation gets 304."""

from __future__ import annotations

import pytest
from conftest import BASE
from pyoxigraph import Literal, NamedNode, Quad

from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.web import create_app

QUERY_URL = "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
PAGES = ["/", "/questions/recognising-states", "/state/kosovo", QUERY_URL, "/download/kosru.ttl", "/.well-known/void"]


@pytest.mark.parametrize("url", PAGES)
def test_a_get_is_tagged_with_the_version_and_revalidates_to_304(client, backend, settings, url):
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith(f'W/"{backend.version}-')
    assert first.headers["Cache-Control"] == f"public, max-age={settings.cache_max_age}"
    assert "accept" in first.headers["Vary"].lower()
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag


def test_each_negotiated_representation_has_its_own_tag(client):
    json_tag = client.get(QUERY_URL, headers={"Accept": "application/sparql-results+json"}).headers["ETag"]
    xml = client.get(QUERY_URL, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["ETag"] != json_tag
    stale = client.get(QUERY_URL, headers={"Accept": "application/sparql-results+xml", "If-None-Match": json_tag})
    assert stale.status_code == 200


def test_a_new_version_answers_old_tags_in_full(client, settings, tmp_path):
    tag = client.get("/questions/recognising-states").headers["ETag"]
    label = Quad(NamedNode(f"{BASE}state/kosovo"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                 Literal("Kosovo", language="en"))
    newer = create_app(settings, EmbeddedBackend.from_quads([label], "newer", tmp_path, settings)).test_client()
    response = newer.get("/questions/recognising-states", headers={"If-None-Match": tag})
    assert response.status_code == 200 and response.headers["ETag"].startswith('W/"newer-')


def test_posts_and_failures_are_not_tagged(client):
    post = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert post.status_code == 200 and "ETag" not in post.headers
    missing = client.get("/state/nowhere")
    assert missing.status_code == 404 and "ETag" not in missing.headers


def test_a_503_must_not_be_stored(settings, backend):
    app = create_app(settings.replace(query_timeout="0.001"), backend)
    response = app.test_client().get("/sparql?query=" + "SELECT%20*%20%7B%3Fa%20%3Fb%20%3Fc%20.%20%3Fd%20%3Fe%20%3Ff%7D")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"
