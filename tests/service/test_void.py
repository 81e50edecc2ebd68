"""The VoID description: its numbers checked against the store counted in Python, its links and licence."""

from __future__ import annotations

from collections import Counter

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from kosru_kg import formats
from kosru_kg.service import void
from kosru_kg.vocab import PREFIXES, RDF_TYPE, Minter, term

ENDPOINT = "http://example.org/sparql"
DUMPS = [f"http://example.org/download/{f.file_name}" for f in formats.DUMPS]


@pytest.fixture(scope="module")
def described(backend, settings) -> Store:
    """The VoID triples, loaded into a store of their own to be queried."""
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph())
                 for t in void.describe(backend, settings.base_iri, sparql_endpoint=ENDPOINT, dumps=DUMPS))
    return store


@pytest.fixture(scope="module")
def dataset(settings) -> NamedNode:
    return Minter(settings.base_iri).dataset()


@pytest.fixture(scope="module")
def triples(store) -> list:
    return [q.triple for q in store.quads_for_pattern(None, None, None, DefaultGraph())]


def values(described, subject, prop: str) -> list:
    return [q.object for q in described.quads_for_pattern(subject, term(prop), None)]


def number(described, subject, prop: str) -> int:
    [value] = values(described, subject, prop)
    assert value.datatype == term("xsd:integer")
    return int(value.value)


def test_totals_match_the_store(described, dataset, triples, settings):
    assert number(described, dataset, "void:triples") == len(triples)
    assert number(described, dataset, "void:distinctSubjects") == len({t.subject for t in triples})
    assert number(described, dataset, "void:distinctObjects") == len({t.object for t in triples})
    assert number(described, dataset, "void:properties") == len({t.predicate for t in triples})
    assert number(described, dataset, "void:classes") == len({t.object for t in triples if t.predicate == RDF_TYPE})
    entities = {t.subject for t in triples
                if isinstance(t.subject, NamedNode) and t.subject.value.startswith(settings.base_iri)}
    assert number(described, dataset, "void:entities") == len(entities)
    assert values(described, dataset, "void:uriSpace") == [Literal(settings.base_iri)]


def test_class_partitions_count_the_entities_of_each_class(described, dataset, triples, settings):
    expected = Counter(t.object for t in set(triples) if t.predicate == RDF_TYPE
                       and isinstance(t.subject, NamedNode) and t.subject.value.startswith(settings.base_iri))
    partitions = values(described, dataset, "void:classPartition")
    found = {values(described, p, "void:class")[0]: number(described, p, "void:entities") for p in partitions}
    assert found == dict(expected)
    assert found[term("kosru:PositionClaim")] > 400


def test_property_partitions_count_the_triples_of_each_property(described, dataset, triples):
    partitions = values(described, dataset, "void:propertyPartition")
    found = {values(described, p, "void:property")[0]: number(described, p, "void:triples") for p in partitions}
    assert found == dict(Counter(t.predicate for t in triples))


def test_named_graphs_are_subsets(described, dataset, store, settings):
    minter = Minter(settings.base_iri)
    subsets = set(values(described, dataset, "void:subset"))
    assert subsets == {minter.graph("facts"), minter.graph("ontology")}
    for graph in subsets:
        assert number(described, graph, "void:triples") == len(list(store.quads_for_pattern(None, None, None, graph)))


def test_access_licence_and_sources(described, dataset, backend, store):
    assert values(described, dataset, "rdf:type") == [term("void:Dataset")]
    assert values(described, dataset, "void:sparqlEndpoint") == [NamedNode(ENDPOINT)]
    assert set(values(described, dataset, "void:dataDump")) == {NamedNode(url) for url in DUMPS}
    assert values(described, dataset, "dct:license") == [NamedNode("https://creativecommons.org/licenses/by-sa/4.0/")]
    assert values(described, dataset, "owl:versionInfo") == [Literal(backend.version)]
    [title] = values(described, dataset, "dct:title")
    assert title.language == "en"
    article_urls = {row["url"] for row in store.query(
        "SELECT ?url WHERE { ?s a <https://w3id.org/kosru/ontology#Article> ; <http://schema.org/url> ?url }")}
    assert article_urls and article_urls <= set(values(described, dataset, "dct:source"))


def test_examples_and_vocabularies(described, dataset, settings):
    minter = Minter(settings.base_iri)
    examples = set(values(described, dataset, "void:exampleResource"))
    assert {minter.resource("state", "kosovo"), minter.resource("state", "russia")} <= examples
    assert any(e.value.startswith(f"{settings.base_iri}position/") for e in examples)
    vocabularies = set(values(described, dataset, "void:vocabulary"))
    assert {NamedNode(PREFIXES[p]) for p in ("kosru", "rdf", "rdfs", "owl", "skos", "dct", "prov")} <= vocabularies
    assert NamedNode(PREFIXES["wd"]) not in vocabularies  # Wikidata items are data, not vocabulary
