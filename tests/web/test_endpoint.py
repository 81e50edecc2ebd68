"""The /sparql endpoint through Flask's test client, over the real graph."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from conftest import BASE
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple, parse, parse_query_results

from kosru_kg.vocab import Minter

ENDPOINT = "http://localhost/sparql"
KOSOVO = NamedNode(f"{BASE}state/kosovo")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
KOSOVO_LABEL = Literal("Kosovo", language="en")
LABEL_QUERY = f"SELECT ?label WHERE {{ <{KOSOVO.value}> <{RDFS_LABEL.value}> ?label FILTER(LANG(?label) = \"en\") }}"
LABEL_GRAPH_QUERY = (f"CONSTRUCT {{ <{KOSOVO.value}> <{RDFS_LABEL.value}> ?label }} "
                     f"WHERE {{ <{KOSOVO.value}> <{RDFS_LABEL.value}> ?label FILTER(LANG(?label) = \"en\") }}")
LABEL_TRIPLE = Triple(KOSOVO, RDFS_LABEL, KOSOVO_LABEL)
FORM = "application/x-www-form-urlencoded"
SD = "http://www.w3.org/ns/sparql-service-description#"
RESULT_FORMAT_IRIS = {f"http://www.w3.org/ns/formats/{name}" for name in (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")}


@pytest.fixture(scope="module")
def graphs(settings):
    minter = Minter(settings.base_iri)
    return {name: minter.graph(name) for name in ("facts", "ontology")}


def labels(response) -> list:
    """The ?label column of a SPARQL JSON or XML answer."""
    formats = {"application/sparql-results+json": QueryResultsFormat.JSON, "application/json": QueryResultsFormat.JSON,
               "application/sparql-results+xml": QueryResultsFormat.XML}
    return [row["label"] for row in parse_query_results(response.data, formats[response.mimetype])]


def graph_triples(response) -> set[Triple]:
    return {quad.triple for quad in parse(response.data, RdfFormat.from_media_type(response.mimetype))}


# --- queries: methods and encodings --------------------------------------------------------

def test_get(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert labels(response) == [KOSOVO_LABEL]


def test_post_form(client):
    response = client.post("/sparql", data={"query": LABEL_QUERY})
    assert response.status_code == 200
    assert labels(response) == [KOSOVO_LABEL]


@pytest.mark.parametrize("content_type", ["application/sparql-query", "application/sparql-query; charset=utf-8"])
def test_post_direct(client, content_type):
    response = client.post("/sparql", data=LABEL_QUERY.encode("utf-8"), content_type=content_type)
    assert response.status_code == 200
    assert labels(response) == [KOSOVO_LABEL]


def test_non_ascii_text_survives_every_encoding(client):
    query = 'SELECT ?label WHERE { BIND("Kosovë–Косово"@sq AS ?label) }'
    answers = [
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query"),
    ]
    assert [labels(a) for a in answers] == [[Literal("Kosovë–Косово", language="sq")]] * 3


# --- content negotiation -------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "content_type"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_select_in_json_and_xml(client, accept, content_type):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == content_type
    assert labels(response) == [KOSOVO_LABEL]


def test_select_in_csv(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY}, headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [["label"], ["Kosovo"]]


def test_select_in_tsv(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY},
                          headers={"Accept": "text/tab-separated-values"})
    assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert response.get_data(as_text=True).splitlines() == ["?label", '"Kosovo"@en']


@pytest.mark.parametrize(("accept", "body"), [
    ("application/sparql-results+json", b'{"head":{},"boolean":true}'),
    ("text/csv", b"true"),
    ("text/tab-separated-values", b"true"),
])
def test_ask(client, accept, body):
    query = f"ASK {{ <{KOSOVO.value}> <{RDFS_LABEL.value}> ?label }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.data == body


def test_ask_in_xml(client):
    response = client.get("/sparql", query_string={"query": "ASK { FILTER(false) }"},
                          headers={"Accept": "application/sparql-results+xml"})
    assert bool(parse_query_results(response.data, QueryResultsFormat.XML)) is False


@pytest.mark.parametrize("accept", [
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/n-quads", "application/trig",
])
def test_construct_in_each_rdf_format(client, accept):
    response = client.get("/sparql", query_string={"query": LABEL_GRAPH_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    assert graph_triples(response) == {LABEL_TRIPLE}


def test_construct_defaults_to_turtle(client):
    response = client.get("/sparql", query_string={"query": LABEL_GRAPH_QUERY})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert graph_triples(response) == {LABEL_TRIPLE}


def test_describe(client):
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{KOSOVO.value}>"},
                          headers={"Accept": "application/n-triples"})
    assert LABEL_TRIPLE in graph_triples(response)


@pytest.mark.parametrize(("format_param", "content_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("xml", "application/sparql-results+xml"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_format_parameter_overrides_accept(client, format_param, content_type):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY, "format": format_param},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.headers["Content-Type"] == content_type


def test_format_parameter_for_graphs(client):
    response = client.post("/sparql", data={"query": LABEL_GRAPH_QUERY, "format": "jsonld"})
    assert response.mimetype == "application/ld+json"
    assert graph_triples(response) == {LABEL_TRIPLE}


def test_unacceptable_is_406_listing_what_is_available(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)


# --- the dataset ---------------------------------------------------------------------------

def test_default_graph_uri_chooses_the_default_graph(client, graphs):
    ask = f"ASK {{ <{KOSOVO.value}> <{RDFS_LABEL.value}> ?label }}"
    answers = {name: client.get("/sparql", query_string={"query": ask, "default-graph-uri": graph.value}).json
               for name, graph in graphs.items()}
    assert answers == {"facts": {"head": {}, "boolean": True}, "ontology": {"head": {}, "boolean": False}}


def test_named_graph_uri_chooses_the_named_graphs(client, graphs):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    everything = client.get("/sparql", query_string={"query": query})
    only_facts = client.get("/sparql", query_string={"query": query, "named-graph-uri": graphs["facts"].value})
    assert {row["g"]["value"] for row in everything.json["results"]["bindings"]} == {g.value for g in graphs.values()}
    assert [row["g"]["value"] for row in only_facts.json["results"]["bindings"]] == [graphs["facts"].value]


def test_named_graph_uri_alone_empties_the_default_graph(client, graphs):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "named-graph-uri": graphs["facts"].value})
    assert response.json["boolean"] is False


# --- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("request_args", "status"), [
    ({"method": "GET", "query_string": {"query": "SELECT * WHERE { ?s ?p }"}}, 400),
    ({"method": "GET", "query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ({"method": "GET", "query_string": {"query": "ASK {}", "named-graph-uri": "not an iri"}}, 400),
    ({"method": "POST", "data": {"format": "json"}}, 400),
    ({"method": "POST", "data": "ASK {}", "content_type": "text/plain"}, 415),
    ({"method": "POST", "data": b"ASK {}"}, 415),
    ({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, 403),
    ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 403),
    ({"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"}, 403),
    ({"method": "POST", "data": {"query": "DROP ALL"}}, 403),
    ({"method": "POST", "query_string": {"graph": f"{BASE}graph/facts"},
      "data": "<a:a> <a:a> <a:a> .", "content_type": "text/turtle"}, 403),
    ({"method": "GET", "query_string": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
])
def test_bad_requests_get_a_precise_status_and_message(client, request_args, status):
    response = client.open("/sparql", **request_args)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert body.startswith(f"{status} ") and len(body) > 30
    assert "Traceback" not in body and "/work/" not in body and ".py" not in body


def test_errors_answer_json_to_clients_that_ask(client):
    response = client.get("/sparql", query_string={"query": "ASK {"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["status"] == 400
    assert response.json["message"].startswith("malformed query: error at 1:")


def test_refused_writes_change_nothing(client, store):
    before = len(store)
    for status, request_args in (
        (403, {"method": "POST", "data": {"update": "DROP ALL"}}),  # an update: understood, and refused
        (403, {"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-update"}),
        (403, {"method": "GET", "query_string": {"query": "CLEAR DEFAULT"}}),
        (405, {"method": "PUT", "data": "<a:a> <a:a> <a:a> .", "content_type": "text/turtle"}),  # no Graph Store
        (405, {"method": "DELETE", "query_string": {"graph": f"{BASE}graph/facts"}}),
    ):
        assert client.open("/sparql", **request_args).status_code == status, request_args
    assert len(store) == before > 0


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_write_methods_are_405_with_allow(client, method):
    response = client.open("/sparql", method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert f"{method} is not allowed" in response.get_data(as_text=True)


# --- HEAD, OPTIONS, CORS, Vary -------------------------------------------------------------

def test_head_has_the_headers_of_get_and_no_body(client):
    query = {"query": LABEL_QUERY}
    get, head = client.get("/sparql", query_string=query), client.head("/sparql", query_string=query)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == str(len(get.data))


def test_options_lists_the_methods(client):
    response = client.options("/sparql")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_cors_preflight(client):
    response = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"].split(", ")
    assert {"accept", "content-type"} <= {h.lower() for h in response.headers["Access-Control-Allow-Headers"].split(", ")}
    assert int(response.headers["Access-Control-Max-Age"]) > 0


@pytest.mark.parametrize("request_args", [
    {"method": "GET", "query_string": {"query": LABEL_QUERY}},
    {"method": "GET"},
    {"method": "POST", "data": {"query": LABEL_GRAPH_QUERY}},
    {"method": "GET", "query_string": {"query": "ASK {"}},
    {"method": "GET", "query_string": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}},
    {"method": "POST", "data": "ASK {}", "content_type": "text/plain"},
    {"method": "OPTIONS"},
])
def test_every_answer_allows_any_origin_and_varies_by_accept(client, request_args):
    response = client.open("/sparql", headers={"Origin": "https://example.org", **request_args.pop("headers", {})},
                           **request_args)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.vary


# --- the service description ---------------------------------------------------------------

def description(client, accept):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    return response, {quad.triple for quad in parse(response.data, RdfFormat.from_media_type(response.mimetype))}


def objects(triples, subject, predicate):
    return {t.object for t in triples if t.subject == subject and t.predicate == NamedNode(SD + predicate)}


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml",
                                    "application/n-triples", "*/*"])
def test_service_description(client, graphs, accept):
    response, triples = description(client, accept)
    service = NamedNode(ENDPOINT)
    assert response.mimetype == ("text/turtle" if accept == "*/*" else accept)
    assert Triple(service, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(SD + "Service")) in triples
    assert objects(triples, service, "endpoint") == {service}
    assert objects(triples, service, "supportedLanguage") == {NamedNode(SD + "SPARQL11Query")}
    assert objects(triples, service, "defaultEntailmentRegime") == {NamedNode("http://www.w3.org/ns/entailment/Simple")}
    assert {f.value for f in objects(triples, service, "resultFormat")} == RESULT_FORMAT_IRIS
    assert objects(triples, service, "feature") == set()
    [dataset] = objects(triples, service, "defaultDataset")
    assert len(objects(triples, dataset, "defaultGraph")) == 1
    named = {name for entry in objects(triples, dataset, "namedGraph") for name in objects(triples, entry, "name")}
    assert named == set(graphs.values())


def test_service_description_format_parameter(client):
    response = client.get("/sparql", query_string={"format": "jsonld"}, headers={"Accept": "text/html"})
    assert response.mimetype == "application/ld+json"
    assert json.loads(response.data)


class PageText(HTMLParser):
    """The text of each element of interest in an HTML page."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.text: dict[str, str] = {}
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        if tag == "form":
            self.forms.append(dict(attrs))

    def handle_endtag(self, tag):
        self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1] in ("title", "h1", "pre"):
            self.text[self.open[-1]] = self.text.get(self.open[-1], "") + data


def test_browsers_get_an_html_page_with_the_description(client, graphs):
    response = client.get("/sparql", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = PageText()
    page.feed(response.get_data(as_text=True))
    assert page.text["h1"] == "SPARQL endpoint"
    shown = {q.triple for q in parse(page.text["pre"], RdfFormat.TURTLE)}
    assert {t.object for t in shown if t.predicate == NamedNode(SD + "name")} == set(graphs.values())
    assert page.forms == [{"method": "get", "action": ENDPOINT}]
