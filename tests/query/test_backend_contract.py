"""The backend contract: what every engine must do alike, run against the embedded store, a real Oxigraph
server and a real Virtuoso (tests/engines/virtuoso/start; skipped where it is not installed, outside CI).

All backends get the same questions and must give the same kinds of answers and the same
refusals: answers in every format the protocol offers, the query form's kind, SERVICE refused
before the engine sees it, a malformed query a 400 with the engine's message, the deadline
kept before and while an answer streams (Virtuoso sends nothing before the whole, so there it is
kept while the engine thinks), and a repeated answer kept for the version.
"""

from __future__ import annotations

import re
import time

import pytest
from conftest import BASE, remote_engine
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Triple, Variable, parse

from kosru_kg import formats
from kosru_kg.errors import BadRequest, Forbidden, QueryTimeout
from kosru_kg.formats import Kind
from kosru_kg.query import budget
from kosru_kg.query.backend import HEAD_BYTES
from kosru_kg.vocab import KOSRU

KOSOVO = NamedNode(f"{BASE}state/kosovo")
LABEL = 'SELECT ?state ?label WHERE { ?state <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "en") }'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # seconds of counting, no answer before
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # gigabytes, streamed as they are found
DEADLINE_SLACK = 10.0  # seconds within which a 1-second deadline is seen kept on a busy machine
QUERIES = {
    Kind.SOLUTIONS: "SELECT ?s WHERE { ?s a ?class } LIMIT 3",
    Kind.BOOLEAN: "ASK { ?s ?p ?o }",
    Kind.GRAPH: "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
}


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def engine(request, backend, settings):
    """Each backend in turn over the same published graph: the session's store, and it loaded into Oxigraph
    and into Virtuoso."""
    if request.param == "embedded":
        yield backend
        return
    with remote_engine(request, request.param, settings) as remote:
        yield remote


def test_both_serve_the_same_version(engine, backend):
    assert engine.version == backend.version


@pytest.mark.parametrize("kind", list(QUERIES), ids=lambda k: k.value)
def test_an_answer_comes_in_every_format_of_its_kind(engine, kind):
    for fmt in formats.named_rows(formats.for_answer(kind)):  # the web asks in named ones (written_as)
        answer = engine.stream(QUERIES[kind], fmt.media_type)
        assert answer.form is kind and answer.media_type == fmt.media_type and answer.whole(), fmt.name
        if kind is Kind.GRAPH:  # in quads too (N-Triples from an engine that writes no graph as quads)
            assert len(list(parse(answer.whole(), format=fmt.engine))) == 3, fmt.name


def test_parsed_answers_are_solutions_a_boolean_or_triples(engine):
    assert isinstance(engine.query(QUERIES[Kind.SOLUTIONS]), QuerySolutions)
    assert isinstance(engine.query(QUERIES[Kind.BOOLEAN]), QueryBoolean)
    assert engine.query(QUERIES[Kind.BOOLEAN]) and not engine.query("ASK { ?s <urn:x-kosru:nothing> ?o }")
    triples = engine.query(QUERIES[Kind.GRAPH])
    assert len(triples) == 3 and all(isinstance(t, Triple) for t in triples)


def test_bound_values_reach_the_engine(engine):
    rows = list(engine.query(LABEL, substitutions={Variable("state"): KOSOVO}))
    assert [row["label"] for row in rows] == [Literal("Kosovo", language="en")]


def test_service_is_refused_before_the_engine(engine):
    with pytest.raises(Forbidden, match="SERVICE"):
        engine.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_a_malformed_query_is_a_bad_request_naming_the_problem(engine):
    with pytest.raises(BadRequest, match=r".{20,}"):
        engine.query("SELECT ?x WHERE { ?x <http://example.org/p> }")


def test_an_undeclared_prefix_is_named_with_the_line_to_add(engine):
    with pytest.raises(BadRequest, match=re.escape(f"the prefix kosru: is not declared; add the line PREFIX kosru: <{KOSRU}>")):
        engine.query("SELECT ?x WHERE { ?x a kosru:State }")


def test_a_slow_query_is_stopped_at_the_deadline(engine):
    with pytest.raises(QueryTimeout, match="time limit of 1 s"), budget.scope(budget.Budget.starting_now(1.0)):
        engine.query(SLOW)


def test_the_deadline_holds_while_an_answer_streams(engine):
    received, started = 0, time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 1 s"), budget.scope(budget.Budget.starting_now(1.0)):
        answer = engine.stream(ENDLESS, "text/tab-separated-values")
        received = len(answer.head)
        for chunk in answer.rest:
            received += len(chunk)
    assert time.monotonic() - started < DEADLINE_SLACK
    if getattr(engine, "name", "") == "virtuoso":
        # Virtuoso 7.2 sends no byte of an answer before the whole is computed (docs/remote-store.md): the
        # deadline falls while it thinks. Fails once it streams; then it is held to the same as the others.
        assert received == 0
    else:
        assert received >= HEAD_BYTES  # stopped in the middle of the answer, not before it began
    assert list(engine.query(LABEL, substitutions={Variable("state"): KOSOVO}))  # and the engine still answers


def test_a_repeated_answer_is_kept_for_the_version(engine):
    first = engine.stream(QUERIES[Kind.SOLUTIONS], "text/csv")
    assert engine.stream(QUERIES[Kind.SOLUTIONS], "text/csv") is first
