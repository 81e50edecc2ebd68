"""/search through Flask's test client, over the real graph: HTML and JSON, the box on every page, names
found across scripts, bad input refused, fuzzed input never a server error."""

from __future__ import annotations

import os

import pytest
from conftest import BASE
from htmltree import page
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from kosru_kg.graph.search_index import MAX_QUERY_CHARS
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.service.search import Search
from kosru_kg.vocab import term
from kosru_kg.web import create_app

CI = bool(os.environ.get("CI"))
JSON = {"Accept": "application/json"}
SYNTAX = ['"', "'", "AND", "OR", "NOT", "NEAR", "NEAR(", "*", "^", ":", "(", ")", "{", "}", "name:", "kind:",
          "{name}:", "-", "+", "\\", "%", "&", "#", "?", "q=", "kosovo", "Косово", "Kelmendi", "\t", "\u200b", "ë"]


def found(client, text: str, **args) -> list[str]:
    response = client.get("/search", query_string={"q": text, **args}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [hit["iri"].removeprefix(BASE) for hit in response.get_json()["results"]]


@pytest.mark.parametrize("text", ["Kosovo", "Kosova", "Косово", "kosovë", "KOSOVO"])
def test_kosovo_is_found_by_its_names_in_any_script(client, text):
    assert found(client, text)[0] == "state/kosovo"


@pytest.mark.parametrize("text", ["Келменди", "Kelmendi", "kelmendi", "Majlinda Kel", "МАЈЛИНДА КЕЛМЕНДИ"])
def test_kelmendi_is_found_from_cyrillic_and_latin(client, text):
    assert found(client, text)[0] == "person/majlinda-kelmendi"


def test_the_json_answer(client):
    response = client.get("/search?q=Kosovo&format=json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    answer = response.get_json()
    assert answer["query"] == "Kosovo" and answer["version"] and len(answer["results"]) <= 50
    first = answer["results"][0]
    assert first == {"iri": BASE + "state/kosovo", "href": "/state/kosovo", "label": "Kosovo", "kind": "state",
                     "matched": "Kosovo", "summary": first["summary"]}
    assert first["summary"].startswith("State in the Balkans")
    assert found(client, "Kosovo", kind="event") and all(p.startswith("event/") for p in found(client, "Kosovo",
                                                                                                  kind="event"))


def test_the_html_answer_links_each_hit_with_its_kind_and_summary(client):
    response = client.get("/search?q=%D0%9A%D0%BE%D1%81%D0%BE%D0%B2%D0%BE")  # Косово
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"] and response.headers["ETag"]
    root = page(response)
    first = next(root.one("ol", class_="search-results").all("li"))
    assert first.one("a").attrs["href"] == "/state/kosovo" and first.one("a").text() == "Kosovo"
    assert first.one("span", class_="kind").text() == "state"
    assert first.one("span", class_="summary").text().startswith("State in the Balkans")
    assert root.one("input", id="search-text").attrs["value"] == "Косово"
    assert client.get("/search").status_code == 200  # the empty form


@pytest.mark.parametrize("path", ["/", "/state/kosovo", "/questions", "/search?q=x"])
def test_every_page_has_the_search_box(client, path):
    form = page(client.get(path)).one("form", class_="site-search")
    assert form.attrs["action"] == "/search" and form.attrs["method"] == "get"
    assert form.one("input", name="q").attrs["type"] == "search"


@pytest.mark.parametrize(("query", "named"), [
    ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "at most 200"),
    ({"q": "kosovo", "kind": "spaceship"}, "kind 'spaceship'"),
    ({"q": "kosovo\x00"}, "control characters"),
])
def test_bad_input_is_a_400_naming_the_problem(client, query, named):
    response = client.get("/search", query_string=query, headers=JSON)
    assert response.status_code == 400
    assert named in response.get_json()["message"]


def test_fts_syntax_is_only_words(client):
    assert found(client, "kosovo OR russia") == found(client, "kosovo or russia")
    assert found(client, "NOT kosovo") == found(client, "not kosovo")
    assert found(client, '"kosovo war"') == found(client, "kosovo war") != []
    assert found(client, "name:kosovo") == found(client, "name kosovo")
    assert found(client, "kosovo*") == found(client, "kosovo")


@settings(max_examples=400 if CI else 200, deadline=None, derandomize=CI, **({"database": None} if CI else {}))
@given(text=st.one_of(st.text(max_size=230),
                      st.lists(st.sampled_from(SYNTAX), max_size=16).map(" ".join),
                      st.lists(st.sampled_from(SYNTAX), max_size=16).map("".join)),
       kind=st.one_of(st.none(), st.sampled_from(["", "state", "person", "any", "Event", "x"])),
       accept=st.sampled_from(["application/json", "text/html", "*/*", "application/xml"]))
def test_fuzzed_searches_are_never_a_server_error(app, text, kind, accept):
    query = {"q": text, **({} if kind is None else {"kind": kind})}
    response = app.test_client().get("/search", query_string=query, headers={"Accept": accept})
    assert response.status_code < 500, response.get_data(as_text=True)
    if len(text.strip()) > MAX_QUERY_CHARS:
        assert response.status_code == 400


def test_a_version_without_an_index_gets_one_on_first_search(settings, tmp_path):
    """A version published before there were search indexes: its index is made from its store."""
    quads = [Quad(NamedNode(BASE + "person/ana"), term("rdfs:label"), Literal("Ана Петровић"), graph)
             for graph in (DefaultGraph(), NamedNode(BASE + "graph/facts"))]
    backend = EmbeddedBackend.from_quads(quads, "old", tmp_path / "store", settings)
    try:
        path = backend.layout.search_index_path("old")
        path.unlink()
        client = create_app(settings.replace(store=str(tmp_path / "store")), backend).test_client()
        assert found(client, "Petrovic") == ["person/ana"]
        assert path.is_file()
    finally:
        backend.close()


def test_a_store_elsewhere_gets_its_index_from_the_engine(settings, backend, tmp_path):
    """A remote store's version has no folder here: its index is made from the names its engine answers."""
    search = Search(settings.replace(store=str(tmp_path / "nothing-here")), backend)
    results = search.search("Келменди")
    assert results.hits[0].iri == BASE + "person/majlinda-kelmendi"
    assert results.version == backend.version
    assert not (tmp_path / "nothing-here").exists()
