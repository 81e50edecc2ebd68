"""The search index: folding across scripts and accents, building at publication, ranking, and user text
that is never FTS5 syntax."""

from __future__ import annotations

import os
import sqlite3

import pytest
from conftest import BASE
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Triple

from kosru_kg.graph import search_index
from kosru_kg.graph.search_index import SearchIndex, fold, match_expression, words
from kosru_kg.graph.store import StoreLayout
from kosru_kg.vocab import term

LABEL, ALT, DESCRIPTION = term("rdfs:label"), term("skos:altLabel"), term("dct:description")
CI = bool(os.environ.get("CI"))
# FTS5's query syntax, and more: each must be a word (or nothing) in a search, never an operator.
SYNTAX = ['"', "'", "AND", "OR", "NOT", "NEAR", "NEAR(", "*", "^", ":", "(", ")", "{", "}", "name:", "{name kind}:",
          "-", "+", ",", "\\", "%", "_", "''", '""', "\t", "\n", "kosovo", "war", "Косово", "ë"]


@pytest.mark.parametrize(("text", "folded"), [
    ("Kosovo", "kosovo"), ("Косово", "kosovo"), ("KOSOVË", "kosove"), ("Kosova", "kosova"),
    ("Келменди", "kelmendi"), ("Ђаковица", "djakovica"), ("Đakovica", "djakovica"), ("Djakovica", "djakovica"),
    ("Љубљана", "ljubljana"), ("Њујорк", "njujork"), ("Џон", "dzon"), ("Džon", "dzon"), ("Ћирилица", "cirilica"),
    ("Priština", "pristina"), ("Приштина", "pristina"), ("Россия", "rossiya"), ("Щукин", "shchukin"),
    ("Straße", "strasse"), ("Łódź", "lodz"), ("Andreea Chițu", "andreea chitu"), ("ﬁnal", "final"),
])
def test_names_fold_across_case_accents_and_scripts(text, folded):
    assert fold(text) == folded


def test_a_search_is_quoted_words_only():
    assert words('"NEAR(kosovo war)" OR name:x*') == ["near", "kosovo", "war", "or", "name", "x"]
    assert match_expression(["near", "kosovo"]) == '"near" "kosovo"*'
    assert match_expression(["near", "kosovo"], "all") == '"near"* "kosovo"*'
    assert match_expression(["near", "kosovo"], "none") == '"near" "kosovo"'
    assert len(words("a " * 100)) == search_index.MAX_WORDS


def _index(tmp_path, rows: list[tuple[str, NamedNode, str]], descriptions=()) -> SearchIndex:
    triples = [Triple(NamedNode(BASE + path), predicate, Literal(text, language="en")) for path, predicate, text in rows]
    triples += [Triple(NamedNode(BASE + path), DESCRIPTION, Literal(text, language="en")) for path, text in descriptions]
    search_index.build(tmp_path / "search.sqlite", triples, BASE, "test")
    return SearchIndex(tmp_path / "search.sqlite")


def test_ranking_equal_names_first_preferred_names_before_other_names(tmp_path):
    index = _index(tmp_path, [
        ("state/kosovo", LABEL, "Kosovo"), ("state/kosovo", ALT, "Republic of Kosovo"),
        ("event/kosovo-war", LABEL, "Kosovo War"), ("organization/unmik", LABEL, "UN mission in Kosovo"),
        ("person/someone", LABEL, "Someone"), ("person/someone", ALT, "Kosovo Kid"),
        ("concept/a", LABEL, "Republic"), ("state/other", LABEL, "Other Republic"),
    ], descriptions=[("state/kosovo", "A state in the Balkans. " * 20)])
    hits = index.search("kosovo")
    assert [hit.iri.removeprefix(BASE) for hit in hits][:2] == ["state/kosovo", "event/kosovo-war"]
    assert hits[-1].iri == BASE + "person/someone"  # by an other name, and a longer one
    assert (hits[0].kind, hits[0].label) == ("state", "Kosovo")
    assert hits[0].summary.startswith("A state in the Balkans.") and len(hits[0].summary) <= 161
    assert hits[0].summary.endswith("…")
    found = index.search("republic of kosovo")
    assert (found[0].iri, found[0].label, found[0].matched) == (BASE + "state/kosovo", "Kosovo", "Republic of Kosovo")
    assert [hit.iri for hit in index.search("kosovo", kind="event")] == [BASE + "event/kosovo-war"]
    assert len(index.search("kosovo", limit=2)) == 2
    assert index.search("   ") == [] and index.search("!!!") == []


def test_a_name_differing_only_in_its_last_vowel_is_found(tmp_path):
    index = _index(tmp_path, [("state/kosovo", LABEL, "Kosovo"), ("state/serbia", LABEL, "Srbija"),
                              ("event/kosovo-war", LABEL, "Kosovo War")])
    for text in ("Kosova", "kosovë", "Косово", "KOSOVO"):
        assert index.search(text)[0].iri == BASE + "state/kosovo", text
    assert index.search("Srbije")[0].iri == BASE + "state/serbia"
    assert index.search("kos war")[0].iri == BASE + "event/kosovo-war"  # every word a prefix, when nothing else


def test_operators_are_words(tmp_path):
    index = _index(tmp_path, [("source/a", LABEL, "Alpha"), ("source/b", LABEL, "Beta"),
                              ("source/or", LABEL, "Alpha or Beta"), ("source/not", LABEL, "Alpha not Beta"),
                              ("source/near", LABEL, "Near Alpha")])
    assert [hit.iri for hit in index.search("alpha OR beta")] == [BASE + "source/or"]
    assert [hit.iri for hit in index.search("alpha NOT beta")] == [BASE + "source/not"]
    assert [hit.iri for hit in index.search('NEAR(alpha)')] == [BASE + "source/near"]
    assert [hit.iri for hit in index.search('"alpha" AND name:beta*')] == []  # "and", "name" are words no name has


@settings(max_examples=300 if CI else 150, deadline=None, derandomize=CI, **({"database": None} if CI else {}))
@given(text=st.one_of(st.text(max_size=120),
                      st.lists(st.sampled_from(SYNTAX), max_size=12).map(" ".join),
                      st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join)))
def test_no_text_is_an_error_and_every_hit_has_every_word(real_index, text):
    hits = real_index.search(text)
    typed = words(text)
    for hit in hits:
        # each word, or its start without a last vowel, starts a word of the name that matched
        named = search_index._WORD.findall(fold(hit.matched).replace("_", " "))
        assert all(any(n.startswith(w[:-1] if len(w) >= 5 else w) for n in named) for w in typed), (text, hit)


@pytest.fixture(scope="module")
def real_index(layout) -> SearchIndex:
    return SearchIndex(layout.search_index_path(layout.manifest().version))


@pytest.mark.parametrize(("text", "path"), [
    ("Kosovo", "state/kosovo"), ("Косово", "state/kosovo"), ("Kosova", "state/kosovo"), ("kosovë", "state/kosovo"),
    ("Келменди", "person/majlinda-kelmendi"), ("kelmendi", "person/majlinda-kelmendi"),
    ("Путин", "person/vladimir-putin"), ("Russia", "state/russia"), ("ВЛАДИМИР ПУТИН", "person/vladimir-putin"),
])
def test_the_real_graph_is_found_across_scripts(real_index, text, path):
    assert real_index.search(text)[0].iri == BASE + path


def test_publishing_writes_the_index_into_the_version_and_an_old_version_gets_one(tmp_path):
    layout = StoreLayout(tmp_path / "store")
    quads = [Quad(NamedNode(BASE + "person/ana"), LABEL, Literal("Ана"), graph)
             for graph in (DefaultGraph(), NamedNode(BASE + "graph/facts"))]  # the base is read off this graph
    layout.make_current(quads, "one", triples=1)
    path = layout.search_index_path("one")
    assert path.parent == (layout.root / "current").resolve() and path.is_file()
    assert [hit.label for hit in SearchIndex(path).search("ana")] == ["Ана"]
    path.unlink()  # as a version published before there were search indexes
    layout.make_current(quads, "one", triples=1)
    assert SearchIndex(path).search("ana")
    path.unlink()
    assert layout.ensure_search_index("one") == path and SearchIndex(path).version == "one"
    path.write_bytes(b"not a database")
    with pytest.raises(search_index.IndexUnusable):
        SearchIndex(path)
    layout.ensure_search_index("one")
    assert SearchIndex(path).search("ana")
    assert not list(path.parent.glob("*.tmp"))
    with sqlite3.connect(path) as connection:
        assert dict(connection.execute("SELECT key, value FROM meta"))["format"] == search_index.FORMAT
