"""One content negotiation for every view: suffix, format= (or output=), Accept; one refusal, a 406 listing what exists."""

from __future__ import annotations

import json

import pytest
from conftest import BASE
from pyoxigraph import RdfFormat, parse

KOSOVO = f"{BASE}state/kosovo"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CONSTRUCT = f"CONSTRUCT {{ <{KOSOVO}> <{LABEL}> ?label }} WHERE {{ <{KOSOVO}> <{LABEL}> ?label }}"
SELECT = f"SELECT ?label WHERE {{ <{KOSOVO}> <{LABEL}> ?label }}"
RDFLIB_NT = "text/plain, */*;q=0.1"  # what rdflib's Graph().parse(url, format="nt") sends


def labels_in(data: bytes, fmt: RdfFormat) -> set[str]:
    return {quad.object.value for quad in parse(data, format=fmt) if quad.predicate.value == LABEL}


# --- graphs as plain JSON and plain text ------------------------------------------------------

def test_construct_asked_as_json_is_json_ld(client):
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "Kosovo" in labels_in(response.data, RdfFormat.JSON_LD)


def test_construct_asked_as_text_is_ntriples(client):
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/plain"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Kosovo" in labels_in(response.data, RdfFormat.N_TRIPLES)


def test_select_asked_as_json_is_still_sparql_json(client):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    assert {"head", "results"} <= set(response.json)


@pytest.mark.parametrize("path", ["/state/kosovo", "/.well-known/void", "/.well-known/dcat", "/ontology"])
def test_rdflib_asking_for_ntriples_gets_ntriples_not_html(client, path):
    response = client.get(path, headers={"Accept": RDFLIB_NT})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert len(list(parse(response.data, format=RdfFormat.N_TRIPLES))) > 5
    assert "Accept" in response.vary


def test_a_resource_asked_as_plain_json_is_json_ld(client):
    response = client.get("/state/kosovo", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    assert "Kosovo" in labels_in(response.data, RdfFormat.JSON_LD)


# --- output= is format= ---------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "query", "media_type"), [
    ("/sparql", {"query": SELECT, "output": "csv"}, "text/csv"),
    ("/sparql", {"query": CONSTRUCT, "output": "ntriples"}, "application/n-triples"),
    ("/sparql", {"output": "jsonld"}, "application/ld+json"),  # the service description
    ("/state/kosovo", {"output": "turtle"}, "text/turtle"),
    ("/.well-known/void", {"output": "rdfxml"}, "application/rdf+xml"),
    ("/.well-known/dcat", {"output": "html"}, "text/html"),
    ("/search", {"q": "Kosovo", "output": "json"}, "application/json"),
    ("/versions", {"output": "json"}, "application/json"),
])
def test_output_chooses_as_format_does(client, path, query, media_type):
    response = client.get(path, query_string=query, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type


# --- one refusal: 406, listing what is available ---------------------------------------------------

@pytest.mark.parametrize(("path", "query", "listed"), [
    ("/state/kosovo", {"format": "pdf"}, ["text/turtle", "application/ld+json", "turtle|", ".ttl|"]),
    ("/ontology", {"output": "pdf"}, ["text/turtle", ".rdf"]),
    ("/.well-known/void", {"format": "pdf"}, ["text/turtle", "ntriples"]),
    ("/.well-known/dcat", {"format": "pdf"}, ["text/turtle", "text/html"]),
    ("/search", {"q": "Kosovo", "format": "pdf"}, ["text/html", "application/json", "json|html"]),
    ("/versions", {"format": "pdf"}, ["text/html", "application/json", ".html|.json"]),
    ("/sparql", {"query": SELECT, "format": "pdf"}, ["application/sparql-results+json", "text/csv", "csv|tsv"]),
    ("/sparql", {"format": "pdf"}, ["text/turtle", "text/html"]),
])
def test_an_unknown_format_is_406_listing_what_is_available(client, path, query, listed):
    response = client.get(path, query_string=query, headers={"Accept": "text/plain"})
    assert response.status_code == 406
    assert "names no format" in response.text
    assert all(item in response.text for item in listed), response.text


@pytest.mark.parametrize(("path", "listed"), [
    ("/state/kosovo.xyz", ".html|.ttl|.nt|.jsonld|.rdf"),
    ("/ontology.xyz", ".html|.ttl|.nt|.jsonld|.rdf"),
    ("/versions.xml", ".html|.json"),
    ("/questions/timeline.pdf", ".json|.xml|.csv|.tsv"),
])
def test_an_unknown_suffix_is_406_listing_the_suffixes(client, path, listed):
    response = client.get(path, headers={"Accept": "text/plain"})
    assert response.status_code == 406
    assert "there is no ." in response.text and listed in response.text


@pytest.mark.parametrize(("path", "accept"), [
    ("/state/kosovo", "image/png"), ("/.well-known/void", "text/csv"), ("/search?q=Kosovo", "text/csv"),
    ("/versions", "text/turtle"),
])
def test_nothing_acceptable_is_406_listing_the_media_types(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 406
    assert "available as" in response.text


def test_a_format_with_accept_is_still_varied_on_accept(client):
    response = client.get("/search", query_string={"q": "Kosovo", "format": "json"})
    assert response.status_code == 200 and "Accept" in response.vary


# --- identifiers are lower case: a capital letter redirects ---------------------------------------

@pytest.mark.parametrize(("path", "location"), [
    ("/state/Ghana", "/state/ghana"),
    ("/state/KOSOVO.ttl", "/state/kosovo.ttl"),
    ("/state/Kosovo?format=jsonld", "/state/kosovo?format=jsonld"),
])
def test_an_identifier_in_capitals_redirects_to_its_slug(client, path, location):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == location
    followed = client.get(location, headers={"Accept": "application/ld+json"})
    assert followed.status_code == 200


def test_json_document_formats_stay_json(client):
    response = client.get("/versions", headers={"Accept": "application/json"})
    assert "versions" in json.loads(response.data)
