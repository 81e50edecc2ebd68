"""Real SPARQL clients against a real ``kosru-kg serve``: SPARQLWrapper, rdflib's SPARQLStore, urllib."""

from __future__ import annotations

import csv
import io
import json
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
import rdflib
from conftest import BASE
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

KOSOVO = f"{BASE}state/kosovo"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
LABEL_QUERY = f'SELECT ?label WHERE {{ <{KOSOVO}> <{RDFS_LABEL}> ?label FILTER(LANG(?label) = "en") }}'
ABOUT_KOSOVO = f"""CONSTRUCT {{ <{KOSOVO}> ?p ?o }}
WHERE {{ <{KOSOVO}> ?p ?o FILTER(?p IN (<{RDFS_LABEL}>, <{OWL_SAME_AS}>) && (!isLiteral(?o) || LANG(?o) = "en")) }}"""
EXPECTED_ABOUT_KOSOVO = {
    (rdflib.URIRef(KOSOVO), rdflib.RDFS.label, rdflib.Literal("Kosovo", lang="en")),
    (rdflib.URIRef(KOSOVO), rdflib.OWL.sameAs, rdflib.URIRef("http://www.wikidata.org/entity/Q1246")),
}


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:
    return live_server("sparql")


def wrapper(endpoint: str, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


# --- SPARQLWrapper -------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_sparqlwrapper_select_json(endpoint, method):
    client = wrapper(endpoint, LABEL_QUERY, JSON)
    if method != "GET":
        client.setMethod(POST)
    if method == "POST-direct":
        client.setRequestMethod(POSTDIRECTLY)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert bindings == [{"label": {"type": "literal", "value": "Kosovo", "xml:lang": "en"}}]


def test_sparqlwrapper_select_xml(endpoint):
    document = wrapper(endpoint, LABEL_QUERY, XML).queryAndConvert()
    [literal] = document.getElementsByTagName("literal")
    assert (literal.firstChild.data, literal.getAttribute("xml:lang")) == ("Kosovo", "en")


def test_sparqlwrapper_select_csv(endpoint):
    text = wrapper(endpoint, LABEL_QUERY, CSV).queryAndConvert().decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == [["label"], ["Kosovo"]]


def test_sparqlwrapper_select_tsv(endpoint):
    text = wrapper(endpoint, LABEL_QUERY, TSV).queryAndConvert().decode("utf-8")
    assert text.splitlines() == ["?label", '"Kosovo"@en']


def test_sparqlwrapper_ask(endpoint):
    assert wrapper(endpoint, f"ASK {{ <{KOSOVO}> <{RDFS_LABEL}> \"Kosovo\"@en }}", JSON).queryAndConvert()["boolean"] is True


def test_sparqlwrapper_construct_turtle(endpoint):
    turtle = wrapper(endpoint, ABOUT_KOSOVO, TURTLE).queryAndConvert()
    assert set(rdflib.Graph().parse(data=turtle, format="turtle")) == EXPECTED_ABOUT_KOSOVO


# SPARQLWrapper parses JSON-LD and RDF/XML into rdflib's ConjunctiveGraph, which rdflib 7 deprecates.
parsed_into_conjunctive_graph = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@parsed_into_conjunctive_graph
def test_sparqlwrapper_construct_jsonld(endpoint):
    graph = wrapper(endpoint, ABOUT_KOSOVO, JSONLD).queryAndConvert()
    assert set(graph) == EXPECTED_ABOUT_KOSOVO


@parsed_into_conjunctive_graph
def test_sparqlwrapper_construct_rdfxml(endpoint):
    graph = wrapper(endpoint, ABOUT_KOSOVO, RDFXML).queryAndConvert()
    assert set(graph) == EXPECTED_ABOUT_KOSOVO


# --- rdflib's SPARQLStore ------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_select(endpoint, method):
    graph = rdflib.Graph(SPARQLStore(endpoint, method=method))
    rows = list(graph.query(LABEL_QUERY))
    assert [row.label for row in rows] == [rdflib.Literal("Kosovo", lang="en")]


def test_rdflib_sparqlstore_triple_patterns(endpoint):
    graph = rdflib.Graph(SPARQLStore(endpoint))
    assert graph.value(rdflib.URIRef(KOSOVO), rdflib.RDFS.label) == rdflib.Literal("Kosovo", lang="en")


def test_rdflib_sparqlstore_construct(endpoint):
    graph = rdflib.Graph(SPARQLStore(endpoint))
    assert set(graph.query(ABOUT_KOSOVO).graph) == EXPECTED_ABOUT_KOSOVO


def test_rdflib_sparqlupdatestore_cannot_write(endpoint):
    store = SPARQLUpdateStore(endpoint, endpoint)  # a client that treats the endpoint as writable
    with pytest.raises(HTTPError) as refused:
        store.update(f"DELETE DATA {{ <{KOSOVO}> <{RDFS_LABEL}> \"Kosovo\"@en }}")
    refused.value.close()
    assert refused.value.code == 403
    assert rdflib.Graph(SPARQLStore(endpoint)).value(rdflib.URIRef(KOSOVO), rdflib.RDFS.label) is not None


# --- raw HTTP with urllib ------------------------------------------------------------------

def fetch(request: Request):
    with urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def test_urllib_get(endpoint):
    status, headers, body = fetch(Request(f"{endpoint}?{urlencode({'query': LABEL_QUERY})}",
                                          headers={"Accept": "application/sparql-results+json"}))
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in headers["Vary"]
    assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == "Kosovo"


def test_urllib_post_form_and_direct(endpoint):
    form = Request(endpoint, data=urlencode({"query": LABEL_QUERY, "format": "tsv"}).encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    direct = Request(endpoint, data=LABEL_QUERY.encode(), headers={
        "Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/tab-separated-values"})
    for request in (form, direct):
        status, headers, body = fetch(request)
        assert (status, headers["Content-Type"]) == (200, "text/tab-separated-values; charset=utf-8")
        assert body.decode("utf-8").splitlines() == ["?label", '"Kosovo"@en']


def test_urllib_head(endpoint):
    status, headers, body = fetch(Request(f"{endpoint}?{urlencode({'query': LABEL_QUERY})}", method="HEAD"))
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) > 0


def test_urllib_service_description(endpoint):
    status, headers, body = fetch(Request(endpoint, headers={"Accept": "text/turtle"}))
    graph = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert graph.value(rdflib.URIRef(endpoint), sd.endpoint) == rdflib.URIRef(endpoint)


def test_urllib_errors_are_plain_messages(endpoint):
    with pytest.raises(HTTPError) as caught:
        fetch(Request(f"{endpoint}?{urlencode({'query': 'SELECT * WHERE {'})}"))
    with caught.value:
        body = caught.value.read().decode("utf-8")
    assert caught.value.code == 400
    assert body.startswith("400 Bad request: malformed query: error at 1:")
    assert "Traceback" not in body
