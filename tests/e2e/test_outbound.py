"""No query makes the server contact another host: a loopback listener must see no connection."""

from __future__ import annotations

import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kosru_kg.errors import Forbidden
from kosru_kg.query.safety import refuse_unsafe


@pytest.fixture()
def listener():
    """A socket on loopback that records whether anyone connected."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server


def connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX x: <{url}> CONSTRUCT WHERE {{ SERVICE x: {{ ?s ?p ?o }} }}",
    # oxigraph's parser needs no space around a keyword: each of these calls the service.
    "PREFIX x: <{url}> SELECT * WHERE {{ ?s ?p trueSERVICE x: {{ }} }}",
    "SELECT * WHERE {{ ?s ?p 100SERVICE <{url}> {{ }} }}",
    "SELECT * WHERE {{ ?s ?p ?o . SERVICESILENT <{url}> {{ }} }}",
    "PREFIX x: <{url}> SELECT * WHERE {{ ?s ?p ?o . SERVICEx: {{ }} }}",
    # An escape in a prefixed name starts no comment, and no string.
    "PREFIX e: <http://example.org/> SELECT * WHERE {{ BIND(e:a\\# AS ?x) SERVICE <{url}> {{ }} }}",
    "PREFIX e: <http://example.org/> SELECT * WHERE {{ BIND(e:a\\' AS ?x) SERVICE <{url}> {{ }} BIND('' AS ?y) }}",
])
def test_service_queries_are_refused_and_nothing_is_contacted(live_server, listener, template):
    url = "http://127.0.0.1:%d/sparql" % listener.getsockname()[1]
    query = template.format(url=url)
    request = urllib.request.Request(live_server("sparql?query=" + urllib.parse.quote(query)))
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 403
    assert "SERVICE is not allowed" in caught.value.read().decode()
    assert not connected(listener)


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/>" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "SELECT ?SERVICE WHERE { ?SERVICE ?p ?o }  # SERVICE in a comment",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o ; schema:a.Service ?b }",
    "SELECT * WHERE { _:service ?p ?o }",
])
def test_the_word_in_strings_iris_variables_and_comments_is_allowed(query):
    refuse_unsafe(query)


def test_the_embedded_backend_refuses_it_too(backend):
    with pytest.raises(Forbidden):
        backend.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def request_status(live_server, path: str, data: bytes | None = None, content_type: str | None = None) -> int:
    request = urllib.request.Request(live_server(path), data=data,
                                     headers={"Content-Type": content_type} if content_type else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def sparql(query: str, extra: str = "") -> str:
    return "sparql?query=" + urllib.parse.quote(query) + extra


# Each request names the listener's address ({url}) where a client might hope the server fetches it.
@pytest.mark.parametrize(("path", "body", "content_type", "statuses"), [
    (sparql("LOAD <{url}>"), None, None, {403}),
    ("sparql?update=" + urllib.parse.quote("LOAD <{url}> INTO GRAPH <urn:x>"), None, None, {403}),
    ("sparql", "LOAD <{url}>", "application/sparql-update", {403}),
    (sparql("SELECT * FROM <{url}> WHERE { ?s ?p ?o }"), None, None, {200}),
    (sparql("SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }"), None, None, {200}),
    (sparql("ASK { ?s ?p ?o }", "&default-graph-uri={url}&named-graph-uri={url}"), None, None, {200}),
    (sparql("DESCRIBE <{url}>"), None, None, {200}),
    (sparql('SELECT * WHERE { BIND(IRI("{url}") AS ?x) SERVICE ?x { ?s ?p ?o } }'), None, None, {403}),
    ("query?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }"), None, None, {403}),
    ("questions/sources-of-fact?resource={url}", None, None, {200, 400}),
    ("download/kosru.jsonld", None, None, {200}),
])
def test_no_iri_in_a_request_makes_the_server_connect(live_server, listener, path, body, content_type, statuses):
    url = "http://127.0.0.1:%d/data" % listener.getsockname()[1]
    data = body.replace("{url}", url).encode() if body else None
    target = path.replace(urllib.parse.quote("{url}"), urllib.parse.quote(url, safe="")).replace("{url}", url)
    assert request_status(live_server, target, data, content_type) in statuses
    assert not connected(listener)


@pytest.mark.parametrize("query", [
    "ASK { " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000 + " }",
    "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "ASK { ?s " + "(" * 5000 + "<http://example.org/p>" + ")" * 5000 + " ?o }",
    "ASK { FILTER(" + "!" * 5000 + "true) }",
    "ASK { FILTER(" + "- " * 5000 + "1 < 0) }",
    "ASK { " + "<< " * 3000 + "?s ?p ?o" + " >> ?p ?o" * 3000 + " }",
    "ASK { ?s ?p " + "[ ?p " * 200 + "?o" + " ]" * 200 + " }",  # not deep enough to crash: minutes to prepare
])
def test_a_query_nested_deep_enough_to_overflow_the_parser_is_a_400(live_server, query):
    """Parsing it would overflow the stack and end the server process; it is refused first."""
    for path, data in (("sparql", urllib.parse.urlencode({"query": query}).encode()),
                       ("query?" + urllib.parse.urlencode({"query": query[:2000]}), None)):
        content_type = "application/x-www-form-urlencoded" if data else None
        assert request_status(live_server, path, data, content_type) == 400
    assert request_status(live_server, "sparql?query=ASK%7B%7D") == 200  # the server is still up


def test_nesting_below_the_limit_is_allowed(backend):
    assert backend.query("ASK { FILTER(" + "(" * 200 + "true" + ")" * 200 + ") }")
