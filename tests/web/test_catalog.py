"""/.well-known/dcat through Flask's test client: negotiation, figures that match /download, shapes, links."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyshacl
import pytest
import rdflib
from conftest import BASE
from pyld import jsonld
from rdflib.compare import isomorphic

from kosru_kg import formats

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SHAPES = sorted((Path(__file__).parent.parent / "service" / "shapes-dcat").glob("*.ttl"))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
URL = "/.well-known/dcat"


def served(client, accept: str = "text/turtle", **kwargs) -> rdflib.Graph:
    response = client.get(URL, headers={"Accept": accept}, **kwargs)
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="turtle")


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "text/turtle; charset=utf-8"),
    ("text/turtle", "text/turtle; charset=utf-8"),
    ("application/ld+json", "application/ld+json"),
    ("text/html", "text/html; charset=utf-8"),
    (BROWSER, "text/html; charset=utf-8"),
])
def test_the_catalogue_negotiates(client, accept, media_type):
    response = client.get(URL, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert "Accept" in response.vary


def test_json_ld_and_turtle_say_the_same(client):
    turtle = served(client)
    response = client.get(URL, headers={"Accept": "application/ld+json"})
    document = json.loads(response.data)
    document["@context"] = client.get("/context.jsonld").json["@context"]  # the local context, not fetched
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    from_json = rdflib.Graph().parse(data=nquads, format="nt")  # default graph only: N-Triples lines
    assert len(from_json) == len(turtle) and isomorphic(turtle, from_json)


def test_the_catalogue_refuses_what_it_cannot_give(client):
    response = client.get(URL, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_the_page_shows_the_dumps_and_links_the_rdf(client, backend):
    page = client.get(URL, headers={"Accept": BROWSER}).text
    for fmt in formats.DUMPS:
        assert f'href="http://localhost/download/{backend.version}/{fmt.file_name}"' in page
    assert 'Kosovo (<a href="http://www.wikidata.org/entity/Q1246">Q1246</a>)' in page
    assert '<link rel="alternate" type="text/turtle"' in page
    assert '<link rel="alternate" type="application/ld+json"' in page


def test_checksums_and_sizes_match_the_downloads(client, backend):
    graph = served(client)
    distributions = list(graph.subjects(rdflib.RDF.type, DCAT.Distribution))
    assert len(distributions) == len(formats.DUMPS)
    for dist in distributions:
        url = str(graph.value(dist, DCAT.downloadURL))
        assert url.startswith(f"http://localhost/download/{backend.version}/")  # the immutable address
        body = client.get(url.removeprefix("http://localhost")).data
        assert body == client.get(f"/download/{url.rsplit('/', 1)[1]}").data  # the same bytes as the current dump
        assert int(graph.value(dist, DCAT.byteSize)) == len(body), url
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest(), url


def test_the_served_catalogue_passes_the_shapes(client):
    shapes = rdflib.Graph()
    for path in SHAPES:
        shapes.parse(path, format="turtle")
    conforms, _, report = pyshacl.validate(served(client), shacl_graph=shapes, inference="none")
    assert conforms, report


def test_the_served_catalogue_with_a_wrong_checksum_is_caught(client):
    """What the shapes cannot see, the bytes can: a tampered checksum no longer matches the download."""
    graph = served(client)
    dist = next(iter(graph.subjects(rdflib.RDF.type, DCAT.Distribution)))
    checksum = graph.value(dist, SPDX.checksum)
    graph.set((checksum, SPDX.checksumValue, rdflib.Literal("0" * 64, datatype=rdflib.XSD.hexBinary)))
    body = client.get(str(graph.value(dist, DCAT.downloadURL)).removeprefix("http://localhost")).data
    assert str(graph.value(checksum, SPDX.checksumValue)) != hashlib.sha256(body).hexdigest()


def test_urls_name_the_server_asked(client):
    graph = served(client, base_url="https://mirror.example/")
    service = graph.value(None, rdflib.RDF.type, DCAT.DataService)
    assert str(graph.value(service, DCAT.endpointURL)) == "https://mirror.example/sparql"
    assert all(str(url).startswith("https://mirror.example/download/") for url in graph.objects(None, DCAT.downloadURL))


def test_void_links_the_catalogue(client):
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = rdflib.URIRef(f"{BASE}dataset")
    assert rdflib.URIRef("http://localhost/.well-known/dcat") in set(void.objects(dataset, rdflib.RDFS.seeAlso))
    assert (rdflib.URIRef(f"{BASE}catalog"), DCAT.dataset, dataset) in void


def test_the_home_page_links_the_catalogue(client):
    page = client.get("/").text
    assert 'href="/.well-known/dcat"' in page
    assert '<link rel="alternate" type="text/turtle" title="DCAT catalogue"' in page


def test_the_catalogue_iri_leads_to_the_catalogue(client):
    response = client.get("/catalog")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(URL)
