"""The kosru ontology: it parses, has its header, and every term is declared,
labelled, defined and typed (W3C ORG shipped misspelt terms for years; these
tests catch that)."""

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kosru_kg.graph.labels import to_latin

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ONTOLOGY_PATH = ROOT / "ontology" / "kosru.ttl"
SHAPES_PATH = ROOT / "ontology" / "shapes.ttl"
DATA_MODEL_PATH = ROOT / "docs" / "data-model.md"
EXAMPLES = HERE / "shapes"

KOSRU = Namespace("https://w3id.org/kosru/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/kosru/ontology")
VANN = Namespace("http://purl.org/vocab/vann/")
PROV = Namespace("http://www.w3.org/ns/prov#")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)
SITE_LANGUAGES = sorted(["en", "sq", "sr-Cyrl", "sr-Latn", "ru"])  # the languages pages are shown in


@pytest.fixture(scope="module")
def graph():
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


def kosru_terms_declared(graph, types=TERM_TYPES):
    return {s for t in types for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and s.startswith(str(KOSRU))}


def kosru_terms_used(graph):
    """Every IRI in the kosru: namespace appearing anywhere in a graph."""
    return {term for triple in graph for term in triple
            if isinstance(term, URIRef) and term.startswith(str(KOSRU))}


def test_parses_with_rdflib_and_pyoxigraph(graph):
    quads = list(pyoxigraph.parse(path=str(ONTOLOGY_PATH), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(graph) > 0
    assert len(quads) == len(graph)


def test_header(graph):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/kosru/ontology/1.0.0")
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert graph.value(ONTOLOGY_IRI, RDFS.label).language == "en"
    assert graph.value(ONTOLOGY_IRI, RDFS.comment).language == "en"
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by-sa/4.0/")
    assert graph.value(ONTOLOGY_IRI, DCTERMS.created) == Literal("2026-11-27", datatype=XSD.date)
    assert graph.value(ONTOLOGY_IRI, DCTERMS.modified).datatype == XSD.date
    assert graph.value(ONTOLOGY_IRI, DCTERMS.creator) is not None
    assert graph.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix) == Literal("kosru")
    assert str(graph.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(KOSRU)


def test_every_term_is_labelled_defined_and_attributed(graph):
    terms = kosru_terms_declared(graph)
    assert len(terms) > 100
    for term in sorted(terms):
        labels = list(graph.objects(term, RDFS.label))
        definitions = list(graph.objects(term, SKOS.definition))
        assert sorted(lab.language for lab in labels) == SITE_LANGUAGES, f"{term}: one rdfs:label in each site language"
        assert [d.language for d in definitions] == ["en"], f"{term}: one skos:definition@en"
        assert graph.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, term


def test_a_named_term_has_one_name_per_language(graph):
    """Pages pick a term's name by language: two in one language would make the pick arbitrary."""
    named = {s for s in graph.subjects(RDFS.label, None) if isinstance(s, URIRef)}
    assert len(named) > 150
    for term in sorted(named):
        languages = [lab.language for lab in graph.objects(term, RDFS.label)]
        assert len(languages) == len(set(languages)), f"{term} has two rdfs:label in one language: {sorted(languages)}"


def test_reused_terms_are_named_in_every_site_language(graph):
    """The predicates and classes of other vocabularies that pages show get a name in each language."""
    for term in (PROV.wasDerivedFrom, RDF.type, OWL.sameAs, SKOS.prefLabel, DCTERMS.title,
                 URIRef("http://schema.org/disambiguatingDescription"), URIRef("http://www.w3.org/2008/05/skos-xl#prefLabel")):
        assert sorted(lab.language for lab in graph.objects(term, RDFS.label)) == SITE_LANGUAGES, term


def test_serbian_latin_names_transliterate_the_cyrillic(graph):
    for term in sorted({s for s in graph.subjects(RDFS.label, None) if isinstance(s, URIRef)}):
        names = {lab.language: str(lab) for lab in graph.objects(term, RDFS.label)}
        if "sr-Cyrl" in names:
            assert names.get("sr-Latn") == to_latin(names["sr-Cyrl"]), term


def test_every_term_has_one_kind(graph):
    for term in kosru_terms_declared(graph):
        kinds = [t for t in TERM_TYPES if (term, RDF.type, t) in graph]
        assert len(kinds) == 1, f"{term} is declared as {kinds}"


def test_every_property_has_domain_and_range(graph):
    for prop in sorted(kosru_terms_declared(graph, PROPERTY_TYPES)):
        assert graph.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
        assert graph.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


def test_union_domains_and_ranges_are_well_formed(graph):
    for prop in kosru_terms_declared(graph, PROPERTY_TYPES):
        for axis in (RDFS.domain, RDFS.range):
            value = graph.value(prop, axis)
            if isinstance(value, BNode):
                members = list(graph.items(graph.value(value, OWL.unionOf)))
                assert len(members) >= 2, f"{prop} {axis}: owl:unionOf of fewer than two classes"


def test_every_kosru_term_used_is_declared(graph):
    declared = kosru_terms_declared(graph)
    assert kosru_terms_used(graph) <= declared
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    assert kosru_terms_used(shapes) - declared == set(), "shapes.ttl uses undeclared kosru: terms"
    for example in sorted(EXAMPLES.glob("*/*.ttl")):
        used = kosru_terms_used(Graph().parse(example, format="turtle"))
        assert used - declared == set(), f"{example.name} uses undeclared kosru: terms"


def test_every_term_of_the_data_model_is_declared(graph):
    text = DATA_MODEL_PATH.read_text(encoding="utf-8")
    named = {KOSRU[name] for name in re.findall(r"`kosru:([A-Za-z][A-Za-z0-9]*)`", text)}
    assert len(named) > 60
    assert named - kosru_terms_declared(graph) == set()


def test_precision_properties_pair_with_dates(graph):
    for date in ("date", "startDate", "endDate", "asOf"):
        assert graph.value(KOSRU[date], RDFS.range) == KOSRU.PartialDate
        precision = KOSRU[date + "Precision"]
        assert graph.value(precision, RDFS.range) == SKOS.Concept
    union = graph.value(graph.value(KOSRU.PartialDate, OWL.equivalentClass), OWL.unionOf)
    assert set(graph.items(union)) == {XSD.date, XSD.gYearMonth, XSD.gYear}


@pytest.mark.parametrize("cls", [
    "PositionClaim", "RecognitionCount", "Membership", "Role", "Stance", "Statement",
    "Veto", "Event", "Result", "BilateralRelation", "SportingEvent", "Match",
    "DeclarationOfIndependence", "Performance",
])
def test_facts_are_prov_entities(graph, cls):
    supers = set(graph.transitive_objects(KOSRU[cls], RDFS.subClassOf))
    assert KOSRU.Fact in supers
    assert PROV.Entity in supers


def test_partially_recognised_state_is_a_state(graph):
    assert KOSRU.State in set(graph.transitive_objects(KOSRU.PartiallyRecognisedState, RDFS.subClassOf))
