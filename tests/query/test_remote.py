"""The remote backend against a real ``oxigraph serve``: published to by the CLI, answering as the embedded store does.

The module's Oxigraph is loaded once by ``kosru-kg publish`` (as a process) from the
session's built store and then only read; tests that publish again, stop the store, or need
it empty start an Oxigraph of their own.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from conftest import BASE, publish, start_server, stop_server
from engine_front import Behaviour, EngineFront
from oxigraph_server import start_oxigraph
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
)
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kosru_kg import formats
from kosru_kg.config import Settings
from kosru_kg.errors import BadRequest, ServiceUnavailable
from kosru_kg.formats import Kind
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.remote import RemoteBackend, declares_base
from kosru_kg.query.safety import code_only
from kosru_kg.query.upload import UploadFailed, default_graph_store
from kosru_kg.service import protocol, questions

KOSOVO = f"{BASE}state/kosovo"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABEL_QUERY = f"SELECT ?label WHERE {{ <{KOSOVO}> <{RDFS_LABEL}> ?label FILTER(LANG(?label) = \"en\") }}"
GRAPHS_QUERY = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph"
TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # some seconds of counting, no answer before
ENDLESS_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # an answer of gigabytes, streamed as it is found
TSV = "text/tab-separated-values"
STORE_TRAP = b"not a store: a server with a backend must not read here\n"
QUESTIONS = questions.load(Settings().queries_dir, BASE)


@pytest.fixture()
def own_oxigraph(tmp_path):
    """An Oxigraph of the test's own, empty, for tests that change or stop it."""
    server = start_oxigraph(tmp_path / "oxigraph")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def oxigraph(published_oxigraph):
    return published_oxigraph


@pytest.fixture(scope="module")
def published(oxigraph_publishing) -> str:
    return oxigraph_publishing.stdout


@pytest.fixture(scope="module")
def remote(published, oxigraph, settings):
    backend = RemoteBackend(oxigraph.query, settings)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def store_trap(tmp_path_factory) -> Path:
    """Where KOSRU_STORE points for a server with a backend: a file, so that any reading of a store
    there (``versions.json``, ``versions/``, ``dumps/``) fails, and any writing too."""
    trap = tmp_path_factory.mktemp("no-store") / "store"
    trap.write_bytes(STORE_TRAP)
    return trap


@pytest.fixture(scope="module")
def remote_server(published, oxigraph, store_trap):
    """A ``kosru-kg serve --backend`` process over the module's Oxigraph (no local store at all: the
    store path it is given, as every deployment has one, is a file no store can be read from)."""
    server = start_server("--backend", oxigraph.query, env={**os.environ, "KOSRU_STORE": str(store_trap)})
    yield server
    stop_server(server)


def rows(result: QuerySolutions) -> tuple[list[str], list[tuple]]:
    variables = [v.value for v in result.variables]
    return variables, [tuple(solution[v] for v in variables) for solution in result]


def fetch(url: str, accept: str = "text/html") -> tuple[int, str]:
    try:
        with urlopen(Request(url, headers={"Accept": accept}), timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except HTTPError as error:
        return error.code, error.read().decode("utf-8")


# --- Publishing ------------------------------------------------------------------------------

def test_publish_loads_every_graph_and_records_the_version(published, remote, backend):
    assert f"published version {backend.version} to " in published
    assert remote.version == backend.version
    embedded_graphs = {row["graph"].value: int(row["n"].value) for row in backend.query(GRAPHS_QUERY)}
    remote_graphs = {row["graph"].value: int(row["n"].value) for row in remote.query(GRAPHS_QUERY)}
    # The one deliberate difference: the remote store also holds the graph that records the version.
    assert remote_graphs == {**embedded_graphs, f"{BASE}graph/publication": 1}
    assert rows(remote.query(TRIPLES_QUERY)) == rows(backend.query(TRIPLES_QUERY))


def test_blank_nodes_are_shared_within_a_graph_but_not_across_graphs(remote, backend):
    """Each graph is a document of its own to the Graph Store Protocol (a documented difference)."""
    within = "SELECT (COUNT(*) AS ?n) WHERE { ?b ?p ?o . ?o ?q ?r FILTER(isBlank(?o)) }"
    across = ("SELECT (COUNT(*) AS ?n) WHERE { ?b ?p ?o FILTER(isBlank(?b)) "
              f"GRAPH <{BASE}graph/ontology> {{ ?b ?p ?o }} }}")
    assert rows(remote.query(within)) == rows(backend.query(within))
    assert int(rows(backend.query(within))[1][0][0].value) > 0
    assert int(rows(backend.query(across))[1][0][0].value) > 0
    assert int(rows(remote.query(across))[1][0][0].value) == 0


def test_the_graph_store_is_found_beside_the_query_endpoint():
    assert default_graph_store("http://localhost:7878/query") == "http://localhost:7878/store"
    assert default_graph_store("https://example.org/ds/sparql") == "https://example.org/ds/data"
    with pytest.raises(UploadFailed, match="--graph-store"):
        default_graph_store("http://localhost:7878/repositories/kosru")


def test_publishing_somewhere_not_http_is_a_usage_error(settings):
    run = publish("ftp://127.0.0.1/query", settings.store)
    assert run.returncode == 2 and "an http(s) URL is needed, not 'ftp://127.0.0.1/query'" in run.stderr


def test_publishing_to_a_wrong_graph_store_fails_by_name(own_oxigraph, settings):
    run = publish(own_oxigraph.query, settings.store, "--graph-store", own_oxigraph.url + "nowhere")
    assert run.returncode == 1
    assert "publish failed: PUT " in run.stderr and "HTTP 404" in run.stderr
    assert "Traceback" not in run.stderr


def test_publishing_again_with_changed_data_changes_the_version_and_the_answers(own_oxigraph, settings, backend,
                                                                              tmp_path):
    assert publish(own_oxigraph.query, settings.store).returncode == 0
    watching = RemoteBackend(own_oxigraph.query, settings, version_ttl=0)  # reads the version at every query
    try:
        first = watching.version
        assert rows(watching.query(LABEL_QUERY))[1] == [(Literal("Kosovo", language="en"),)]
        changed = StoreLayout(tmp_path / "changed")
        changed.make_current(renamed_kosovo_without_ontology_graph(StoreLayout(settings.store)), "0123456789abcdef",
                             triples=0)
        run = publish(own_oxigraph.query, changed.root)
        assert run.returncode == 0, run.stderr
        assert f"removed {BASE}graph/ontology" in run.stdout
        assert first == backend.version and watching.version == "0123456789abcdef"
        assert rows(watching.query(LABEL_QUERY))[1] == [(Literal("Kosova", language="en"),)]
        graphs = {row["graph"].value for row in watching.query(GRAPHS_QUERY)}
        assert f"{BASE}graph/ontology" not in graphs
    finally:
        watching.close()


def renamed_kosovo_without_ontology_graph(layout: StoreLayout) -> list[Quad]:
    """The built graph with Kosovo's English label changed and the ontology's named graph left out."""
    old, new = Literal("Kosovo", language="en"), Literal("Kosova", language="en")
    return [Quad(quad.subject, quad.predicate, new if quad.subject == NamedNode(KOSOVO) and quad.object == old
                 else quad.object, quad.graph_name)
            for quad in layout.open() if quad.graph_name != NamedNode(f"{BASE}graph/ontology")]


# --- The same answers ------------------------------------------------------------------------

def cases(question: questions.Question, backend, base_iri: str) -> list[dict[str, list[str]]]:
    """The defaults, then each parameter at two other values (the first and last it allows, or two resources)."""
    given = [{}]
    for param in question.params:
        if param.type == "string":
            others = ["Russia", "Serbia"]
        elif param.type == "iri":
            others = ["state/kosovo", "state/russia"]
        else:
            others = [choice.value for choice in param.choices(backend, base_iri) if choice.value != param.default]
            others = others[:1] + others[-1:]
        given += [{param.name: [value]} for value in others]
    return given


def order_keys(sparql: str, variables: list[str]) -> list[int]:
    """The columns named in the query's ORDER BY: rows must come in the same order of these."""
    clause = re.split(r"ORDER\s+BY", code_only(sparql), flags=re.IGNORECASE)[-1]
    named = re.findall(r"[?$](\w+)", clause)
    return [variables.index(name) for name in dict.fromkeys(named) if name in variables]


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_every_canned_question_answers_alike_on_both_backends(name, backend, remote, settings):
    question = QUESTIONS[name]
    for given in cases(question, backend, settings.base_iri):
        values, bindings = question.bind(given, backend, settings.base_iri)
        assert question.bind(given, remote, settings.base_iri) == (values, bindings)
        variables, embedded = rows(question.answer(backend, bindings))
        remote_variables, answered = rows(question.answer(remote, bindings))
        assert remote_variables == variables
        assert Counter(answered) == Counter(embedded), values
        keys = order_keys(question.sparql, variables)
        assert [[row[k] for k in keys] for row in answered] == [[row[k] for k in keys] for row in embedded], values
        if not given:
            assert embedded, "a question's defaults should find something, or the comparison proves little"


def decoded(answer) -> object:
    """An answer's content, comparable whatever the engine's layout: rows, a boolean, or a set of triples."""
    body = answer.whole()
    if answer.form is Kind.GRAPH:
        return set(parse(body, format=RdfFormat.from_media_type(answer.media_type)))
    if answer.media_type == "text/csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8"))))
    result = parse_query_results(body, format=QueryResultsFormat.from_media_type(answer.media_type))
    return bool(result) if answer.form is Kind.BOOLEAN else rows(result)


ABOUT_KOSOVO = f"CONSTRUCT {{ <{KOSOVO}> ?p ?o }} WHERE {{ <{KOSOVO}> ?p ?o }}"
ASK_KOSOVO = f"ASK {{ <{KOSOVO}> <{RDFS_LABEL}> \"Kosovo\"@en }}"


@pytest.mark.parametrize(("query", "media_type"), [
    *((f"{LABEL_QUERY} ORDER BY ?label", media_type) for media_type in protocol.SOLUTION_FORMATS),
    *((ASK_KOSOVO, media_type) for media_type in ("application/sparql-results+json", "application/sparql-results+xml")),
    # (the aliases reached by Accept only, text/plain and application/json, are asked of engines by their rows' names)
    *((ABOUT_KOSOVO, f.media_type) for f in formats.named_rows(formats.for_answer(Kind.GRAPH))),
])
def test_every_format_is_answered_alike(remote, backend, query, media_type):
    embedded, answered = backend.stream(query, media_type), remote.stream(query, media_type)
    assert (answered.form, answered.media_type) == (embedded.form, media_type)
    assert decoded(answered) == decoded(embedded)


def test_the_protocol_dataset_reaches_the_remote_engine(remote, backend):
    facts = NamedNode(f"{BASE}graph/facts")
    for dataset in ({"default_graph": [facts], "named_graphs": []}, {"default_graph": [], "named_graphs": [facts]}):
        assert rows(remote.query(TRIPLES_QUERY, **dataset)) == rows(backend.query(TRIPLES_QUERY, **dataset))
        assert rows(remote.query(GRAPHS_QUERY, **dataset)) == rows(backend.query(GRAPHS_QUERY, **dataset))


def test_relative_iris_resolve_against_the_base_given(remote, backend):
    query = "SELECT ?here WHERE { BIND(<state/kosovo> AS ?here) }"
    base = BASE
    assert rows(remote.query(query, base_iri=base)) == rows(backend.query(query, base_iri=base)) == (
        ["here"], [(NamedNode(KOSOVO),)])


# --- Served from the remote store ------------------------------------------------------------

def client(server, query: str, return_format: str, *default_graphs: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(server("sparql"))
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    for graph in default_graphs:
        wrapper.addDefaultGraph(graph)
    return wrapper


def test_sparql_clients_get_the_same_answers_from_the_remote_store(remote_server, live_server):
    for query, graphs in ((f"{LABEL_QUERY} ORDER BY ?label", ()), (TRIPLES_QUERY, ()),
                          (TRIPLES_QUERY, (f"{BASE}graph/facts",)), (ASK_KOSOVO, ())):
        answered = client(remote_server, query, JSON, *graphs).queryAndConvert()
        assert answered == client(live_server, query, JSON, *graphs).queryAndConvert()
    turtle = client(remote_server, ABOUT_KOSOVO, TURTLE).queryAndConvert()
    expected = client(live_server, ABOUT_KOSOVO, TURTLE).queryAndConvert()
    assert set(parse(turtle, format=RdfFormat.TURTLE)) == set(parse(expected, format=RdfFormat.TURTLE))


@pytest.mark.parametrize("path", [
    "questions/recognitions-in-year?year=2010",
    "questions/stance-of-state?state=serbia",
    "search?q=Russia&kind=state&format=json",  # the remote store's index is made from its endpoint's names
    "search?q=%D0%9A%D0%BE%D1%81%D0%BE%D0%B2%D0%BE",  # Косово
    "state/russia",
    "state/kosovo.ttl",
])
def test_pages_are_the_same_from_the_remote_store(remote_server, live_server, path):
    status, page = fetch(remote_server(path))
    expected_status, expected = fetch(live_server(path))
    assert status == expected_status == 200
    assert page.replace(remote_server.url, "/") == expected.replace(live_server.url, "/")


@pytest.mark.parametrize("path", [
    "",  # the home page cites the served version, from the store's record of it when there is one
    "versions",
    "download/kosru.ttl",
    ".well-known/dcat",
    "search?q=kosovo",
])
def test_a_server_with_a_backend_never_reads_the_store_path(remote_server, store_trap, path):
    """What reads a local store (the versions' record, their archived dumps, the search index) is left
    out with a backend: the server started, and answers, with a store path nothing can be read from."""
    status, _ = fetch(remote_server(path))
    assert status == 200
    assert store_trap.read_bytes() == STORE_TRAP and list(store_trap.parent.iterdir()) == [store_trap]


def test_a_server_with_a_backend_has_no_versions_of_its_own(remote_server, backend):
    status, listing = fetch(remote_server("versions.json"), "application/json")
    assert status == 200 and '"versions": []' in listing
    status, message = fetch(remote_server(f"download/{backend.version}/kosru.ttl"))
    assert status == 404 and "answers from a remote store" in message


def test_limits_hold_on_the_remote_store(remote_server):
    def ask(query: str, **params: str) -> tuple[int, str]:
        url = remote_server("sparql?" + urlencode({"query": query, **params}))
        return fetch(url, "application/sparql-results+json")

    status, message = ask(SLOW_QUERY, timeout="1")
    assert status == 503 and "time limit of 1 s" in message
    status, message = ask("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 403 and "SERVICE is not allowed" in message
    status, message = ask("SELECT ?x WHERE { ?x }")
    assert status == 400 and "malformed query" in message


# --- Limits, deadlines and failures of the backend itself --------------------------------------

def test_a_query_the_engine_refuses_is_a_bad_request_with_its_message(remote):
    with pytest.raises(BadRequest, match="as the SPARQL engine behind this service reads it: .+"):
        remote.query("SELECT ?x WHERE { ?x <http://example.org/p> }")


def test_an_answer_left_unread_frees_its_connection_and_its_slot(remote, settings):
    for _ in range(settings.max_queries + 1):  # one slot kept by a leak would make the last wait, then fail
        answer = remote.stream(ENDLESS_QUERY, TSV)
        answer.rest.close()
    assert rows(remote.query(LABEL_QUERY))[1] == [(Literal("Kosovo", language="en"),)]


def test_a_store_that_goes_away_is_a_503_that_says_so(own_oxigraph, settings):
    assert publish(own_oxigraph.query, settings.store).returncode == 0
    server = start_server("--backend", own_oxigraph.query)
    try:
        assert fetch(server("state/russia"))[0] == 200
        own_oxigraph.stop()
        status, message = fetch(server("state/kosovo"), "text/plain")
        assert status == 503 and "cannot be reached" in message
        assert "Traceback" not in message and own_oxigraph.url not in message
    finally:
        stop_server(server)


def test_a_version_that_disappears_is_a_503(own_oxigraph, settings):
    assert publish(own_oxigraph.query, settings.store).returncode == 0
    watching = RemoteBackend(own_oxigraph.query, settings, version_ttl=0)
    try:
        urlopen(Request(own_oxigraph.store + "?" + urlencode({"graph": f"{BASE}graph/publication"}),
                        method="DELETE"), timeout=30).close()
        with pytest.raises(ServiceUnavailable, match="no published graph"):
            watching.query(LABEL_QUERY)
    finally:
        watching.close()


@pytest.mark.parametrize("published_first", [False, True], ids=["nothing published", "unreachable"])
def test_serving_a_store_that_cannot_serve_fails_at_start_by_name(own_oxigraph, settings, published_first):
    endpoint = own_oxigraph.query
    if published_first:
        assert publish(endpoint, settings.store).returncode == 0
        own_oxigraph.stop()
    run = subprocess.run([sys.executable, "-m", "kosru_kg", "serve", "--port", "0", "--backend", endpoint],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr  # a server that cannot start: one line, exit 2
    expected = "cannot use the SPARQL endpoint" if published_first else f"run 'kosru-kg publish --endpoint {endpoint}'"
    assert expected in run.stderr and endpoint in run.stderr


# --- What other engines do: row caps, a second BASE ----------------------------------------------

CAP_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
OWN_BASE_QUERY = "BASE <http://example.org/> SELECT ?here WHERE { BIND(<state/kosovo> AS ?here) }"
CUT_AT = 100  # lines of the default graph's CONSTRUCT that the front below lets through


@pytest.fixture(scope="module")
def capped_server(published, oxigraph, store_trap):
    """A ``kosru-kg serve --backend`` through a front to the module's Oxigraph that acts as Virtuoso does:
    it marks an answer cut at its row cap with X-SPARQL-MaxRows, or cuts a CONSTRUCT without a word
    (its off-by-one), and refuses a query declaring BASE twice."""
    behaviour = Behaviour(row_cap=lambda query: 5 if "LIMIT 5" in query else None, one_base=True,
                          cut_lines=lambda query: CUT_AT if "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }" in query
                          else None)
    front = EngineFront(oxigraph.url, behaviour)
    server = start_server("--backend", front.query, env={**os.environ, "KOSRU_STORE": str(store_trap)})
    yield server
    stop_server(server)
    front.stop()


def test_an_answer_cut_at_the_engines_row_cap_is_an_error_naming_the_setting(capped_server):
    status, message = fetch(capped_server("sparql?" + urlencode({"query": CAP_QUERY})),
                            "application/sparql-results+json")
    assert status == 503
    assert "cut the answer at 5 rows (its ResultSetMaxRows setting)" in message


def test_a_dump_cut_short_without_a_word_is_an_error_naming_both_counts(capped_server, backend):
    expected = int(rows(backend.query(TRIPLES_QUERY))[1][0][0].value)
    status, message = fetch(capped_server("download/kosru.nt"), "application/n-triples")
    assert status == 503
    assert f"gave {CUT_AT} of the {expected} triples of the default graph" in message
    status, quads = fetch(capped_server("download/kosru.nq"), "application/n-quads")  # read graph by graph: whole
    assert status == 200
    assert len(quads.splitlines()) == sum(int(row["n"].value) for row in backend.query(GRAPHS_QUERY)) + 1


def test_a_query_with_its_own_base_keeps_it_on_both_backends(capped_server, live_server, backend):
    expected = ["here"], [(NamedNode("http://example.org/state/kosovo"),)]
    assert rows(backend.query(OWN_BASE_QUERY, base_iri=BASE)) == expected
    for server in (live_server, capped_server):  # the engine behind the second refuses a second BASE
        status, answer = fetch(server("sparql?" + urlencode({"query": OWN_BASE_QUERY})),
                               "application/sparql-results+json")
        assert status == 200, answer
        assert rows(parse_query_results(answer.encode(), format=QueryResultsFormat.JSON)) == expected
    status, answer = fetch(capped_server("sparql?" + urlencode({"query": "# BASE <http://example.org/>\n"
                                                                         "SELECT ?here WHERE { BIND(<x> AS ?here) }"})),
                           "application/sparql-results+json")
    assert status == 200 and "http://example.org/x" not in answer and "/x" in answer  # a comment is not a BASE


@pytest.mark.parametrize(("query", "declared"), [
    (OWN_BASE_QUERY, True),
    ("PREFIX ex: <http://example.org/>\nbase<http://example.org/> ASK {}", True),
    ("# BASE <http://example.org/>\nASK {}", False),
    ("PREFIX base: <http://example.org/> ASK { base:x ?p ?o }", False),
    ('SELECT ("BASE <x>" AS ?s) {}', False),
    ("SELECT * WHERE { ?s <http://example.org/BASE> ?o }", False),
])
def test_only_a_base_in_the_prologue_counts_as_the_querys_own(query, declared):
    assert declares_base(query) is declared
