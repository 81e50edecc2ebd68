"""The SPARQL 1.1 Protocol rules (kosru_kg.service.protocol), without a web server or a store."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from conftest import BASE
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from kosru_kg.errors import BadRequest, Forbidden, NotAcceptable, UnsupportedMediaType
from kosru_kg.formats import Kind
from kosru_kg.service import protocol

ENDPOINT = "http://example.org/sparql"
SELECT = "SELECT ?s WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
FACTS = f"{BASE}graph/facts"
ONTOLOGY = f"{BASE}graph/ontology"
SOLUTION_TYPES = protocol.QUERY_OFFERS[Kind.SOLUTIONS]
GRAPH_TYPES = protocol.QUERY_OFFERS[Kind.GRAPH]


def read(method="GET", params=None, *, content_type=None, body=b"", accept=None):
    query_string = urlencode(params or {}, doseq=True).encode("ascii")
    return protocol.read_request(method, query_string, content_type, body, accept)


def get(query, accept=None, **params):
    return read(params={"query": query, **params}, accept=accept)


# --- Accept (RFC 9110 §12.5.1) -------------------------------------------------------------

@pytest.mark.parametrize("accept", [None, "", "*/*", "text/turtle;q=abc", "nonsense"])
def test_an_absent_or_unusable_accept_gets_each_form_its_default(accept):
    assert get(SELECT, accept).media_type == "application/sparql-results+json"
    assert get(CONSTRUCT, accept).media_type == "text/turtle"


@pytest.mark.parametrize(("accept", "offers", "chosen"), [
    # the highest q-value wins
    ("application/sparql-results+json;q=0.5, text/csv", SOLUTION_TYPES, "text/csv"),
    # q=0 means "not acceptable", even when a wildcard would allow it
    ("text/turtle;q=0, */*", GRAPH_TYPES, "application/n-triples"),
    ("*/*;q=0.5, application/sparql-results+json;q=0", SOLUTION_TYPES, "application/sparql-results+xml"),
    ("application/*, application/ld+json;q=0, application/n-triples;q=0", GRAPH_TYPES, "application/rdf+xml"),
    # the most specific matching range gives a type its quality
    ("text/*;q=0.9, text/csv;q=0.1, */*;q=0.2", SOLUTION_TYPES, "text/tab-separated-values"),
    ("text/csv;q=0.3, text/*;q=0.1, */*;q=0.2", SOLUTION_TYPES, "text/csv"),
    # subtype wildcards
    ("text/*", GRAPH_TYPES, "text/turtle"),
    ("application/*", GRAPH_TYPES, "application/n-triples"),
    # equal preference: the server's order decides
    ("application/sparql-results+xml, application/sparql-results+json", SOLUTION_TYPES,
     "application/sparql-results+json"),
    # every answer is UTF-8, so asking for UTF-8 matches
    ("text/csv; charset=UTF-8", SOLUTION_TYPES, "text/csv"),
    # plain JSON is an alias of SPARQL JSON results
    ("application/json", SOLUTION_TYPES, "application/json"),
    # a browser
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", SOLUTION_TYPES,
     "application/sparql-results+json"),
])
def test_accept_picks_the_preferred_offer(accept, offers, chosen):
    assert protocol.choose(offers, accept).media_type == chosen


@pytest.mark.parametrize(("accept", "offers"), [
    ("text/turtle", SOLUTION_TYPES),
    ("text/*, text/turtle;q=0, text/plain;q=0", GRAPH_TYPES),
    ("*/*;q=0", SOLUTION_TYPES),
    ("text/csv; charset=iso-8859-1", SOLUTION_TYPES),
])
def test_nothing_acceptable_is_406_naming_what_is_available(accept, offers):
    with pytest.raises(NotAcceptable) as caught:
        protocol.choose(offers, accept)
    assert all(media_type in caught.value.message for media_type in offers.media_types)


def test_the_query_form_decides_what_is_acceptable():
    assert get("ASK { ?s ?p ?o }", "text/csv").media_type == "text/csv"
    assert get("DESCRIBE <http://example.org/>", "application/n-triples").media_type == "application/n-triples"
    with pytest.raises(NotAcceptable):
        get(CONSTRUCT, "application/sparql-results+json")
    with pytest.raises(NotAcceptable):
        get(SELECT, "text/turtle")


@pytest.mark.parametrize(("query", "accept", "result_format"), [
    (SELECT, "application/sparql-results+json", QueryResultsFormat.JSON),
    (SELECT, "application/json", QueryResultsFormat.JSON),
    (SELECT, "application/sparql-results+xml", QueryResultsFormat.XML),
    (SELECT, "text/tab-separated-values", QueryResultsFormat.TSV),
    (CONSTRUCT, "application/ld+json", RdfFormat.JSON_LD),
    (CONSTRUCT, "application/rdf+xml", RdfFormat.RDF_XML),
    (CONSTRUCT, "application/n-quads", RdfFormat.N_QUADS),
    (CONSTRUCT, "application/trig", RdfFormat.TRIG),
])
def test_each_media_type_has_its_serialiser(query, accept, result_format):
    chosen = get(query, accept)
    assert chosen.media_type == accept
    assert chosen.answered_as.engine == result_format


def test_text_answers_declare_utf8():
    assert protocol.content_type("text/csv") == "text/csv; charset=utf-8"
    assert protocol.content_type("application/sparql-results+json") == "application/sparql-results+json"


# --- the format parameter ------------------------------------------------------------------

@pytest.mark.parametrize(("query", "format_param", "chosen"), [
    (SELECT, "csv", "text/csv"),
    (SELECT, "TSV", "text/tab-separated-values"),
    (SELECT, "json", "application/sparql-results+json"),
    (SELECT, "xml", "application/sparql-results+xml"),
    (CONSTRUCT, "json", "application/ld+json"),
    (CONSTRUCT, "xml", "application/rdf+xml"),
    (CONSTRUCT, "ntriples", "application/n-triples"),
    (CONSTRUCT, "trig", "application/trig"),
    (SELECT, "text/tab-separated-values", "text/tab-separated-values"),
    (CONSTRUCT, "application/n-quads", "application/n-quads"),
])
def test_format_overrides_accept(query, format_param, chosen):
    assert get(query, "application/sparql-results+xml, text/turtle", format=format_param).media_type == chosen


def test_format_may_come_in_the_form_body():
    body = urlencode({"query": SELECT, "format": "csv"}).encode()
    assert read("POST", content_type=protocol.FORM_MEDIA_TYPE, body=body).media_type == "text/csv"


def test_a_format_the_form_cannot_have_is_406():
    with pytest.raises(NotAcceptable) as caught:
        get(CONSTRUCT, format="csv")
    assert caught.value.message.endswith("(format= or output= json|xml|turtle|n3|ntriples|jsonld|json-ld|rdfxml|"
                                         "rdf+xml|nquads|trig)")
    assert "text/plain, application/json" in caught.value.message


@pytest.mark.parametrize(("format_param", "chosen"), [("json-ld", "application/ld+json"), ("n3", "text/turtle"),
                                                      ("rdf+xml", "application/rdf+xml")])
def test_the_names_sparqlwrapper_sends_are_known(format_param, chosen):
    """SPARQLWrapper sends format=json-ld, n3 or rdf+xml, its own names, as format, output and results."""
    assert get(CONSTRUCT, "text/csv", format=format_param, output=format_param).media_type == chosen


@pytest.mark.parametrize("format_param", ["pdf", "JSONLD2", "text"])
def test_an_unknown_format_name_is_406_naming_it_and_the_names(format_param):
    with pytest.raises(NotAcceptable) as caught:
        get(SELECT, "text/csv", output=format_param)
    assert f"format={format_param!r} names no format" in caught.value.message
    assert "json|xml|csv|tsv" in caught.value.message


def test_an_empty_format_names_nothing():
    assert get(SELECT, "text/csv", format="").media_type == "text/csv"


@pytest.mark.parametrize(("query", "accept", "chosen", "written_as"), [
    (CONSTRUCT, "application/json", "application/json", "application/ld+json"),
    (CONSTRUCT, "text/plain, */*;q=0.1", "text/plain", "application/n-triples"),
    (SELECT, "application/json", "application/json", "application/sparql-results+json"),
])
def test_an_alias_is_answered_under_its_type_and_written_in_its_format(query, accept, chosen, written_as):
    asked = get(query, accept)
    assert (asked.media_type, asked.written_as) == (chosen, written_as)


def test_output_is_format():
    assert get(SELECT, "text/csv", output="tsv").media_type == "text/tab-separated-values"


@pytest.mark.parametrize(("query", "format_values", "chosen"), [
    (SELECT, ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    (CONSTRUCT, ["json-ld", "application/ld+json,application/x-json+ld"], "application/ld+json"),
    (CONSTRUCT, ["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
    (SELECT, ["xml", "csv"], "application/sparql-results+xml"),
])
def test_several_formats_count_together(query, format_values, chosen):
    """SPARQLWrapper sends its own name and the media types it means as two format values."""
    assert get(query, "text/turtle, application/sparql-results+json", format=format_values).media_type == chosen


# --- where the query comes from ------------------------------------------------------------

def test_a_get_without_query_asks_for_the_service_description():
    assert read("GET") is None
    assert read("HEAD") is None


def test_get_reads_the_query_and_leaves_the_dataset_to_the_service():
    request = get(SELECT)
    assert (request.query, request.default_graphs, request.named_graphs) == (SELECT, None, None)


def test_form_post_reads_the_body_and_the_dataset_in_the_url():
    request = read("POST", {"default-graph-uri": FACTS}, content_type=protocol.FORM_MEDIA_TYPE,
                   body=urlencode({"query": SELECT}).encode())
    assert request.query == SELECT
    assert request.default_graphs == (NamedNode(FACTS),)


@pytest.mark.parametrize("content_type", ["application/sparql-query", "application/sparql-query; charset=UTF-8",
                                          "Application/SPARQL-Query;charset=utf-8"])
def test_direct_post_reads_the_body_as_utf8(content_type):
    query = 'SELECT ?s WHERE { ?s ?p "Kosovë" }'
    assert read("POST", content_type=content_type, body=query.encode("utf-8")).query == query


def test_direct_post_in_another_charset_is_415():
    with pytest.raises(UnsupportedMediaType):
        read("POST", content_type="application/sparql-query; charset=UTF-16", body="ASK {}".encode("utf-16"))


def test_direct_post_that_is_not_utf8_is_400():
    with pytest.raises(BadRequest):
        read("POST", content_type=protocol.QUERY_MEDIA_TYPE, body=b"ASK { ?s ?p \"\xff\" }")


def test_percent_encoding_that_is_not_utf8_is_400():
    with pytest.raises(BadRequest) as caught:
        protocol.read_request("GET", b"query=ASK%20%7B%7D%FF", None, b"", None)
    assert "UTF-8" in caught.value.message


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", "multipart/form-data; boundary=x"])
def test_post_of_another_media_type_is_415(content_type):
    with pytest.raises(UnsupportedMediaType) as caught:
        read("POST", content_type=content_type, body=b"ASK {}")
    assert protocol.FORM_MEDIA_TYPE in caught.value.message and protocol.QUERY_MEDIA_TYPE in caught.value.message


def test_two_queries_are_400():
    with pytest.raises(BadRequest):
        get(["ASK {}", "SELECT * {}"])
    with pytest.raises(BadRequest):  # one in the URL, one as the body
        read("POST", {"query": "ASK {}"}, content_type=protocol.QUERY_MEDIA_TYPE, body=b"ASK {}")


@pytest.mark.parametrize("request_args", [
    {"method": "GET", "params": {"query": ""}},
    {"method": "GET", "params": {"query": "  \n"}},
    {"method": "POST", "content_type": protocol.FORM_MEDIA_TYPE, "body": b"format=json"},
    {"method": "POST", "content_type": protocol.QUERY_MEDIA_TYPE, "body": b""},
])
def test_a_missing_or_empty_query_is_400(request_args):
    with pytest.raises(BadRequest) as caught:
        read(**request_args)
    assert "no query" in caught.value.message


def test_a_malformed_query_is_left_to_the_engine():
    """Nothing parses or runs a query here: the worker reports malformed queries, within the deadline."""
    assert get("SELECT * WHERE { ?s ?p }").media_type == "application/sparql-results+json"


def test_relative_iris_resolve_against_the_endpoint():
    assert get("CONSTRUCT { <s> <p> 1 } WHERE {}").query == "CONSTRUCT { <s> <p> 1 } WHERE {}"


# --- a read-only service -------------------------------------------------------------------

@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "CLEAR ALL",
    "drop graph <http://a>",
    "LOAD <http://example.org/data.ttl>",
    "PREFIX ex: <http://example.org/ns#>\n# a comment with INSERT in it\nBASE <http://example.org/>\n"
    "DELETE WHERE { ex:a ?p ?o }",
    "WITH <http://a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_an_update_sent_as_a_query_is_403(update):
    with pytest.raises(Forbidden) as caught:
        get(update)
    assert caught.value.message == protocol.READ_ONLY


@pytest.mark.parametrize("request_args", [
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "content_type": protocol.FORM_MEDIA_TYPE, "body": b"update=CLEAR+ALL"},
    {"method": "POST", "content_type": protocol.UPDATE_MEDIA_TYPE, "body": b"CLEAR ALL"},
    {"method": "POST", "content_type": "application/sparql-update; charset=UTF-16", "body": "CLEAR ALL".encode("utf-16")},
    # Graph Store Protocol writes
    {"method": "POST", "params": {"graph": FACTS}, "content_type": "text/turtle", "body": b"<a:a> <a:a> <a:a> ."},
    {"method": "POST", "params": {"default": ""}, "content_type": "text/turtle", "body": b"<a:a> <a:a> <a:a> ."},
])
def test_updates_and_graph_store_writes_are_403(request_args):
    with pytest.raises(Forbidden) as caught:
        read(**request_args)
    assert caught.value.message == protocol.READ_ONLY


# --- the dataset ---------------------------------------------------------------------------

def test_default_graphs_alone_leave_no_named_graphs():
    request = get(SELECT, **{"default-graph-uri": [FACTS, ONTOLOGY]})
    assert request.default_graphs == (NamedNode(FACTS), NamedNode(ONTOLOGY))
    assert request.named_graphs == ()


def test_named_graphs_alone_leave_an_empty_default_graph():
    request = get(SELECT, **{"named-graph-uri": [ONTOLOGY]})
    assert request.default_graphs == ()
    assert request.named_graphs == (NamedNode(ONTOLOGY),)


@pytest.mark.parametrize("iri", ["graph/facts", "", "http://exa mple.org/"])
def test_a_graph_that_is_not_an_absolute_iri_is_400(iri):
    with pytest.raises(BadRequest) as caught:
        get(SELECT, **{"named-graph-uri": iri})
    assert "named-graph-uri" in caught.value.message and repr(iri) in caught.value.message
