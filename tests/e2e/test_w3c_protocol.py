"""The W3C SPARQL 1.1 Protocol test suite, against a real ``kosru-kg serve``.

Written from https://github.com/w3c/rdf-tests/blob/main/sparql/sparql11/protocol/manifest.ttl;
each test names its W3C test id. The suite's requests are raw HTTP messages, so they are sent
with http.client (urllib's own layer), which adds no header the test does not give.

Adaptations, each forced by the service rather than chosen:
- The endpoint is /sparql (the suite writes /sparql/).
- The dataset tests load kasei.us graphs data1–data3; this service holds its own graphs, so
  they use the facts and ontology graphs, with a resource known to be in each.
- The update tests expect a 2xx from a service that performs updates. This service is
  read-only, so each expects the refusal the SPARQL 1.1 Protocol allows a service that does
  not support update, and checks that the data did not change.
"""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from conftest import BASE
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, Triple, parse, parse_query_results

from kosru_kg.vocab import Minter

DATA0 = "http://kasei.us/2009/09/sparql/data/data0.rdf"  # a graph the suite never loads
KOSOVO = f"<{BASE}state/kosovo>"  # in the facts graph only
PARTIALLY_RECOGNISED_STATE = "<https://w3id.org/kosru/ontology#PartiallyRecognisedState>"  # in the ontology graph only
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"}


@pytest.fixture(scope="module")
def graphs(settings) -> dict[str, str]:
    minter = Minter(settings.base_iri)
    return {name: minter.graph(name).value for name in ("facts", "ontology")}


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        self.body = response.read()

    def boolean(self) -> bool:
        """The answer of an ASK, in whichever boolean format the server chose."""
        assert 200 <= self.status < 400, self.body
        assert self.media_type in BOOLEAN_TYPES
        if self.media_type == "application/sparql-results+json":
            return json.loads(self.body)["boolean"]
        return bool(parse_query_results(self.body, QueryResultsFormat.XML))


@pytest.fixture(scope="module")
def send(live_server):
    """Send one raw request to /sparql: the method, the query string, the headers and body given, nothing more."""
    server = urlsplit(live_server.url)

    def send(method: str, query_string: str = "", body: bytes | str | None = None,
             content_type: str | None = None) -> Answer:
        connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
        try:
            headers = {"Content-Type": content_type} if content_type else {}
            connection.request(method, "/sparql" + (f"?{query_string}" if query_string else ""),
                               body=body.encode("utf-8") if isinstance(body, str) else body, headers=headers)
            return Answer(connection.getresponse())
        finally:
            connection.close()

    return send


def encoded(**params) -> str:
    """A query string, with ``_`` in names standing for ``-``."""
    return urlencode([(name.replace("_", "-"), value) for name, values in params.items()
                      for value in (values if isinstance(values, list) else [values])], quote_via=quote)


@pytest.fixture()
def unchanged(send):
    """Fails the test if the data changed: every quad, counted before and after."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"

    def quads() -> int:
        return int(json.loads(send("GET", encoded(query=count)).body)["results"]["bindings"][0]["n"]["value"])

    before = quads()
    yield
    assert quads() == before > 0


# --- queries --------------------------------------------------------------------------------

def test_query_post_form(send):
    """query_post_form: query via URL-encoded POST, the dataset in the URL."""
    assert send("POST", encoded(default_graph_uri=DATA0), "query=ASK%20%7B%7D",
                "application/x-www-form-urlencoded").boolean() is True


def test_query_get(send):
    """query_get: query via GET."""
    assert send("GET", encoded(query="ASK {}", default_graph_uri=DATA0)).boolean() is True


def test_query_post_direct(send):
    """query_post_direct: query via POST directly."""
    assert send("POST", body="ASK {}", content_type="application/sparql-query").boolean() is True


def test_query_dataset_default_graphs_get(send, graphs):
    """query_dataset_default_graphs_get: the protocol's default graphs are merged into the default graph."""
    ask = f"ASK {{ {KOSOVO} a ?t1 . {PARTIALLY_RECOGNISED_STATE} a ?t2 }}"
    both = send("GET", encoded(query=ask, default_graph_uri=[graphs["facts"], graphs["ontology"]]))
    one = send("GET", encoded(query=ask, default_graph_uri=graphs["facts"]))
    assert (both.boolean(), one.boolean()) == (True, False)


def test_query_dataset_default_graphs_post(send, graphs):
    """query_dataset_default_graphs_post: the same, the query POSTed directly."""
    ask = f"ASK {{ {KOSOVO} a ?t1 . {PARTIALLY_RECOGNISED_STATE} a ?t2 }}"
    answer = send("POST", encoded(default_graph_uri=[graphs["facts"], graphs["ontology"]]), ask,
                  "application/sparql-query")
    assert answer.boolean() is True


NAMED_GRAPHS_ASK = f"ASK {{ GRAPH ?g1 {{ {KOSOVO} a ?t1 }} GRAPH ?g2 {{ {PARTIALLY_RECOGNISED_STATE} a ?t2 }} }}"


def test_query_dataset_named_graphs_post(send, graphs):
    """query_dataset_named_graphs_post: the protocol's named graphs, the query POSTed directly."""
    answer = send("POST", encoded(named_graph_uri=[graphs["facts"], graphs["ontology"]]), NAMED_GRAPHS_ASK,
                  "application/sparql-query")
    assert answer.boolean() is True


def test_query_dataset_named_graphs_get(send, graphs):
    """query_dataset_named_graphs_get: the protocol's named graphs, by GET; a graph left out is not there."""
    both = send("GET", encoded(query=NAMED_GRAPHS_ASK, named_graph_uri=[graphs["facts"], graphs["ontology"]]))
    one = send("GET", encoded(query=NAMED_GRAPHS_ASK, named_graph_uri=graphs["facts"]))
    assert (both.boolean(), one.boolean()) == (True, False)


def test_query_dataset_full(send, graphs):
    """query_dataset_full: protocol-specified default and named graphs together."""
    ask = f"""ASK {{
      {KOSOVO} a ?type
      GRAPH ?g {{ {PARTIALLY_RECOGNISED_STATE} a ?class }}
      FILTER NOT EXISTS {{ {PARTIALLY_RECOGNISED_STATE} a ?class }}
    }}"""
    answer = send("POST", encoded(default_graph_uri=graphs["facts"], named_graph_uri=graphs["ontology"]), ask,
                  "application/sparql-query")
    assert answer.boolean() is True


def test_query_multiple_dataset(send, graphs):
    """query_multiple_dataset: a dataset in both the query and the protocol; the protocol's is used.

    (The suite's request percent-encodes the '&' between its two named-graph-uri parameters,
    making one malformed IRI; here they are two parameters, as the test's name intends.)
    """
    ask = f"""ASK FROM <{graphs["ontology"]}> {{
      GRAPH ?g1 {{ {KOSOVO} a ?t1 }} GRAPH ?g2 {{ {PARTIALLY_RECOGNISED_STATE} a ?t2 }}
    }}"""
    answer = send("POST", encoded(named_graph_uri=[graphs["facts"], graphs["ontology"]]), ask,
                  "application/sparql-query")
    assert answer.boolean() is True


def test_query_content_type_select(send):
    """query_content_type_select: a SELECT answers in a tabular results format."""
    answer = send("POST", encoded(default_graph_uri=DATA0), "SELECT (1 AS ?value) {}", "application/sparql-query")
    assert answer.status == 200 and answer.media_type in TABULAR_TYPES
    assert [row["value"].value for row in parse_query_results(answer.body, QueryResultsFormat.JSON)] == ["1"]


def test_query_content_type_ask(send):
    """query_content_type_ask: an ASK answers in a boolean results format."""
    answer = send("POST", encoded(default_graph_uri=DATA0), "ASK {}", "application/sparql-query")
    assert answer.boolean() is True


def test_query_content_type_describe(send):
    """query_content_type_describe: a DESCRIBE answers in an RDF format."""
    answer = send("POST", encoded(default_graph_uri=DATA0), "DESCRIBE <http://example.org/>",
                  "application/sparql-query")
    assert answer.status == 200 and answer.media_type in RDF_TYPES
    assert list(parse(answer.body, RdfFormat.from_media_type(answer.media_type))) == []


def test_query_content_type_construct(send, live_server):
    """query_content_type_construct: a CONSTRUCT answers in an RDF format; its relative IRIs resolve against the endpoint."""
    answer = send("POST", encoded(default_graph_uri=DATA0), "CONSTRUCT { <s> <p> 1 } WHERE {}",
                  "application/sparql-query")
    assert answer.status == 200 and answer.media_type in RDF_TYPES
    endpoint = live_server("sparql")
    [quad] = parse(answer.body, RdfFormat.from_media_type(answer.media_type))
    assert quad.triple == Triple(NamedNode(urljoin(endpoint, "s")), NamedNode(urljoin(endpoint, "p")), quad.object)
    assert quad.object.value == "1"


# --- malformed queries ----------------------------------------------------------------------

def test_bad_query_method(send):
    """bad_query_method: a method other than GET or POST."""
    answer = send("PUT", encoded(query="ASK {}", default_graph_uri=DATA0), b"",
                  "application/x-www-form-urlencoded")
    assert answer.status == 405


def test_bad_multiple_queries(send):
    """bad_multiple_queries: more than one query string."""
    assert send("GET", encoded(query=["ASK {}", "SELECT * {}"])).status == 400


def test_bad_query_wrong_media_type(send):
    """bad_query_wrong_media_type: a POST that is neither URL-encoded nor application/sparql-query."""
    assert send("POST", body="ASK {}", content_type="text/plain").status == 415


def test_bad_query_missing_form_type(send):
    """bad_query_missing_form_type: a URL-encoded body without its media type."""
    assert send("POST", body="query=ASK%20%7B%7D").status == 415


def test_bad_query_missing_direct_type(send):
    """bad_query_missing_direct_type: a SPARQL body without its media type."""
    assert send("POST", body="ASK {}").status == 415


def test_bad_query_non_utf8(send):
    """bad_query_non_utf8: a direct POST in UTF-16."""
    answer = send("POST", body="ASK {}".encode("utf-16"), content_type="application/sparql-query; charset=UTF-16")
    assert answer.status == 415


def test_bad_query_syntax(send):
    """bad_query_syntax: invalid query syntax."""
    answer = send("GET", "query=ASK%20%7B")
    assert answer.status == 400
    assert answer.body.startswith(b"400 Bad request: malformed query: error at 1:")


# --- updates, refused -----------------------------------------------------------------------

UPDATE = f"PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nCLEAR ALL ;\nINSERT DATA {{ {KOSOVO} a foaf:Document }}"


@pytest.mark.parametrize(("w3c_id", "query_string"), [
    ("update_dataset_default_graph", encoded(using_graph_uri=DATA0)),
    ("update_dataset_default_graphs", encoded(using_graph_uri=[DATA0, DATA0 + "#2"])),
    ("update_dataset_named_graphs", encoded(using_named_graph_uri=[DATA0, DATA0 + "#2"])),
    ("update_dataset_full", encoded(using_graph_uri=DATA0, using_named_graph_uri=DATA0 + "#2")),
    ("update_post_direct", ""),
    ("update_base_uri", ""),
])
def test_updates_posted_directly_are_refused(send, unchanged, w3c_id, query_string):
    """update_dataset_default_graph, update_dataset_default_graphs, update_dataset_named_graphs,
    update_dataset_full, update_post_direct, update_base_uri: refused with 403, nothing changed."""
    answer = send("POST", query_string, UPDATE, "application/sparql-update")
    assert answer.status == 403, w3c_id
    assert b"read-only" in answer.body


def test_update_post_form(send, unchanged):
    """update_post_form: an update via URL-encoded POST is refused with 403, nothing changed."""
    assert send("POST", body="update=CLEAR+ALL", content_type="application/x-www-form-urlencoded").status == 403


def test_bad_update_get(send, unchanged):
    """bad_update_get: an update by GET."""
    assert send("GET", "update=CLEAR%20ALL").status == 403


def test_bad_multiple_updates(send, unchanged):
    """bad_multiple_updates: more than one update string."""
    answer = send("POST", body="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                  content_type="application/x-www-form-urlencoded")
    assert answer.status == 403


def test_bad_update_wrong_media_type(send, unchanged):
    """bad_update_wrong_media_type: an update POSTed as text/plain."""
    assert send("POST", body="CLEAR NAMED", content_type="text/plain").status == 415


def test_bad_update_missing_form_type(send, unchanged):
    """bad_update_missing_form_type: a URL-encoded update without its media type."""
    assert send("POST", body="update=CLEAR%20NAMED").status == 415


def test_bad_update_non_utf8(send, unchanged):
    """bad_update_non_utf8: an update POSTed directly in UTF-16."""
    answer = send("POST", body="CLEAR NAMED".encode("utf-16"), content_type="application/sparql-update; charset=UTF-16")
    assert answer.status == 403


def test_bad_update_syntax(send, unchanged):
    """bad_update_syntax: an invalid update."""
    answer = send("POST", body="update=CLEAR%20XYZ", content_type="application/x-www-form-urlencoded")
    assert answer.status == 403


def test_bad_update_dataset_conflict(send, unchanged):
    """bad_update_dataset_conflict: using-named-graph-uri together with WITH."""
    update = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
              "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
              "WHERE { ?person foaf:givenName 'Bill' }")
    answer = send("POST", encoded(using_named_graph_uri="http://example/people"), update, "application/sparql-update")
    assert answer.status == 403


# --- beyond the suite: a body the server cannot read --------------------------------------------

def send_chunked(live_server, body: bytes) -> tuple[int, bytes] | None:
    """POST a chunked ``body`` and end the connection's sending side; None if the server closed without answering."""
    server = urlsplit(live_server.url)
    head = (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    with socket.create_connection((server.hostname, server.port), timeout=30) as connection:
        connection.sendall(head + body)
        connection.shutdown(socket.SHUT_WR)  # the body ends here, whatever it promised
        response = http.client.HTTPResponse(connection)
        try:
            response.begin()
        except http.client.RemoteDisconnected:
            return None
        try:
            return response.status, response.read()
        except http.client.IncompleteRead as cut:  # the server closed mid-body (Granian, after a trailer): its status stands
            return response.status, cut.partial


def test_a_chunk_size_that_is_no_number_is_a_400(live_server):
    status, text = send_chunked(live_server, b"zz\r\nASK {}\r\n0\r\n\r\n")
    assert status == 400 and b"no query" in text  # Granian hands the app no body: nothing of it could be read


@pytest.mark.parametrize("body", [
    b"6\r\nASK {}\r\n",  # no last chunk: Granian hands the app the chunks that arrived
    b"6\r\nASK {}\r\n0\r\nTrailer: x\r\n\r\n",  # a trailer: Granian closes the connection
])
def test_a_broken_chunked_body_never_gets_a_server_error(live_server, body):
    answer = send_chunked(live_server, body)
    assert answer is None or answer[0] < 500
    assert requests_get_status(live_server) == 200


def requests_get_status(live_server) -> int:
    server = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
    connection.request("GET", "/sparql?query=ASK%7B%7D")
    status = connection.getresponse().status
    connection.close()
    return status
