"""Bindings written into the query text answer exactly as pyoxigraph's own substitutions do."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Store, Variable

from kosru_kg.errors import BadRequest
from kosru_kg.query.bindings import query_form, with_values

EX = "http://example.org/"
X, Y, TEXT = Variable("x"), Variable("y"), Variable("text")


def node(name: str) -> NamedNode:
    return NamedNode(EX + name)


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    facts = [
        (node("a"), node("label"), Literal("A { tricky } \"one\"")), (node("a"), node("next"), node("b")),
        (node("b"), node("label"), Literal("B")), (node("b"), node("next"), node("c")),
        (node("c"), node("label"), Literal("C")), (node("c"), node("note"), Literal("only c")),
    ]
    store.extend(Quad(s, p, o, DefaultGraph()) for s, p, o in facts)
    store.extend(Quad(s, p, o, node("g")) for s, p, o in facts[:2])
    return store


def answer(result) -> object:
    """A query's answer in a comparable form (solutions in order, a boolean, or a set of triples)."""
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions):
        return [{str(v): row[v] for v in result.variables if row[v] is not None} for row in result]
    return set(result)


QUERIES = {
    "a filter in the group sees the binding":
        f"SELECT ?x ?l WHERE {{ ?s <{EX}label> ?l FILTER(?s = ?x) }}",
    "a binding used in a pattern":
        f"SELECT ?x ?l WHERE {{ ?x <{EX}label> ?l }}",
    "optional and not exists":
        f"SELECT ?x ?n WHERE {{ ?x <{EX}next> ?y OPTIONAL {{ ?x <{EX}note> ?n }} "
        f"FILTER NOT EXISTS {{ ?y <{EX}note> ?z }} }}",
    "a group that is one subquery":
        f"SELECT ?x ?l WHERE {{ SELECT ?x ?l WHERE {{ ?x <{EX}label> ?l }} }}",
    "a subquery keeps its own variable":
        f"SELECT ?x ?n WHERE {{ ?x <{EX}label> ?l {{ SELECT (COUNT(?x) AS ?n) WHERE {{ ?x <{EX}next> ?o }} }} }}",
    "a subquery that projects the variable sees the binding":
        f"SELECT ?x ?n WHERE {{ ?x <{EX}label> ?l {{ SELECT ?x (COUNT(*) AS ?n) WHERE {{ ?s <{EX}label> ?m "
        f"FILTER(COALESCE(?s = ?x, true)) }} GROUP BY ?x }} }}",
    "a subquery of every variable does not see the binding (as pyoxigraph has it)":
        f"SELECT ?x ?m WHERE {{ {{ SELECT * WHERE {{ ?s <{EX}label> ?m FILTER(COALESCE(?s = ?x, true)) }} }} }}",
    "a group that is one subquery, not projecting the variable":
        f"SELECT ?x ?n WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}label> ?m FILTER(COALESCE(?s = ?x, true)) }} }}",
    "exists in the projection":
        f"SELECT ?x (EXISTS {{ ?x <{EX}note> ?n }} AS ?noted) WHERE {{ ?x <{EX}label> ?l }}",
    "grouped and ordered":
        "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x ORDER BY ?x",
    "braces and keywords in strings, IRIs and comments":
        f"""PREFIX select: <{EX}> # a comment with {{ and SELECT
        select ?x ?l WHERE {{ ?x select:label ?l FILTER(?l != "}} WHERE {{" && ?l != '''{{''') }}""",
    "a named graph":
        f"SELECT ?x ?o WHERE {{ GRAPH <{EX}g> {{ ?x ?p ?o }} }}",
    "ask":
        f"ASK {{ ?x <{EX}next> ?y }}",
    "ask where, lower case":
        f"ask where {{ ?x <{EX}note> ?n }}",
    "construct with a template":
        f"CONSTRUCT {{ ?x <{EX}named> ?l . }} WHERE {{ ?x <{EX}label> ?l }}",
    "construct where, the short form":
        f"CONSTRUCT WHERE {{ ?x <{EX}label> ?l }}",
    "describe":
        f"DESCRIBE ?x WHERE {{ ?x <{EX}label> ?l }}",
    "a filter inside a union branch and an exists sees the binding":
        f"SELECT ?x ?l WHERE {{ {{ ?s <{EX}label> ?l FILTER(COALESCE(?s = ?x, true)) }} UNION "
        f"{{ ?s <{EX}note> ?l FILTER(COALESCE(?s = ?x, true)) }} "
        f"FILTER(COALESCE(EXISTS {{ ?x <{EX}next> ?o FILTER(BOUND(?x)) }}, true)) }}",
    "values at the end":
        f"SELECT ?x ?l WHERE {{ ?x <{EX}label> ?l }} VALUES ?l {{ \"B\" \"C\" }}",
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
@pytest.mark.parametrize("value", ["a", "b", "c", "none"])
def test_values_answer_as_substitution_does(store, query, value):
    bindings = {X: node(value)}
    edited = with_values(query, list(bindings.items()))
    assert answer(store.query(edited)) == answer(store.query(query, substitutions=bindings))


def test_several_variables_are_bound_together(store):
    query = f"SELECT ?x ?y WHERE {{ ?x <{EX}next> ?y }}"
    bindings = {X: node("a"), Y: node("b")}
    edited = with_values(query, list(bindings.items()))
    assert answer(store.query(edited)) == answer(store.query(query, substitutions=bindings)) == [
        {"?x": node("a"), "?y": node("b")}]


@pytest.mark.parametrize("text", [
    'B" } } SELECT * WHERE { ?s ?p ?o',  # an attempt to close the string and the group
    "B' . ?s ?p ?o #", "\\", "new\nline", "B\u0000", "}{", '"""', "\\u0022",
])
def test_a_value_is_only_ever_a_value(store, text):
    query = f"SELECT ?text ?x WHERE {{ ?x <{EX}label> ?label FILTER(?label = ?text) }}"
    edited = with_values(query, [(TEXT, Literal(text))])
    rows = answer(store.query(edited))
    assert rows == answer(store.query(query, substitutions={TEXT: Literal(text)})) == []


def test_a_value_with_a_language_or_a_datatype_keeps_it(store):
    query = "SELECT ?text WHERE { }"
    for value in [Literal("B", language="en"), Literal("2008", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))]:
        assert answer(store.query(with_values(query, [(TEXT, value)]))) == [{"?text": value}]


def test_no_bindings_leave_the_query_as_it_was():
    query = "SELECT * WHERE { ?s ?p ?o }"
    assert with_values(query, []) is query


@pytest.mark.parametrize(("query", "form"), [
    ("PREFIX ask: <http://example.org/> SELECT * { ?s ask:p ?o }", "SELECT"),
    ("# SELECT in a comment\nconstruct where { ?s ?p ?o }", "CONSTRUCT"),
    ("BASE <http://example.org/select/> ASK { ?s ?p ?o }", "ASK"),
    ("describe <http://example.org/a>", "DESCRIBE"),
])
def test_the_query_form_is_read_past_the_prologue(query, form):
    assert query_form(query) == form


@pytest.mark.parametrize(("query", "problem"), [
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "none of SELECT"),
    ("DESCRIBE <http://example.org/a>", "no WHERE group"),
    ("SELECT ?x WHERE { ?x ?p ?o ", "never closed"),
])
def test_a_query_that_cannot_hold_bindings_is_refused_by_name(query, problem):
    with pytest.raises(BadRequest, match=problem):
        with_values(query, [(X, node("a"))])


def test_a_blank_node_cannot_be_bound_over_the_protocol():
    with pytest.raises(TypeError, match="IRI or a literal"):
        with_values("SELECT ?x WHERE { ?x ?p ?o }", [(X, BlankNode())])
