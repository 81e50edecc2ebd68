"""The DCAT catalogue's triples: what the graph gives it, its figures of the dumps, and its shapes (SHACL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyshacl
import pytest
import rdflib
from conftest import BASE
from pyoxigraph import Literal, NamedNode, RdfFormat, serialize

from kosru_kg import formats
from kosru_kg.service import dcat
from kosru_kg.vocab import CC_BY_SA_4, KOSRU, Minter, term

SHAPES = sorted((Path(__file__).parent / "shapes-dcat").glob("*.ttl"))
ROOT = "http://example.org/"
BODIES = {fmt: f"the {fmt.label} dump\n".encode() * (i + 1) for i, fmt in enumerate(formats.DUMPS)}
FACTS = dcat.GraphFacts(
    sources=(NamedNode("https://en.wikipedia.org/wiki/Kosovo%E2%80%93Russia_relations"),
             NamedNode("https://example.org/reference")),
    start=Literal("1999", datatype=term("xsd:gYear")),
    end=Literal("2024-05-02", datatype=term("xsd:date")),
    places=(NamedNode("http://www.wikidata.org/entity/Q1246"), NamedNode("http://www.wikidata.org/entity/Q159")),
    created=Literal("2026-11-27", datatype=term("xsd:date")),
)


def validate(triples_or_graph) -> tuple[bool, str]:
    """pySHACL's verdict on a catalogue (triples, or an rdflib graph) against every shapes file."""
    if isinstance(triples_or_graph, rdflib.Graph):
        data = triples_or_graph
    else:
        data = rdflib.Graph().parse(data=serialize(triples_or_graph, format=RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph()
    for path in SHAPES:
        shapes.parse(path, format="turtle")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=False)
    return conforms, report


def catalogue(published: str | None = "2026-12-01T10:00:00Z", facts: dcat.GraphFacts = FACTS) -> dcat.Catalogue:
    return dcat.catalogue(BASE, ROOT, "v1", published, BODIES, facts)


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    triples = dcat.describe(catalogue())
    return rdflib.Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


def objects(graph: rdflib.Graph, subject, prop: str) -> list:
    if not isinstance(subject, rdflib.term.Node):
        subject = rdflib.URIRef(subject.value if isinstance(subject, NamedNode) else subject)
    return sorted(graph.objects(subject, rdflib.URIRef(term(prop).value)))


def the(graph: rdflib.Graph, subject, prop: str):
    [value] = objects(graph, subject, prop)
    return value


DATASET = Minter(BASE).dataset()
CATALOG = Minter(BASE).catalog()


def test_the_catalogue_holds_the_dataset_and_the_service(graph):
    assert objects(graph, CATALOG, "rdf:type") == [rdflib.URIRef(term("dcat:Catalog").value)]
    assert the(graph, CATALOG, "dcat:dataset") == rdflib.URIRef(DATASET.value)
    assert the(graph, CATALOG, "dcat:service") == rdflib.URIRef(ROOT + "sparql")
    assert the(graph, ROOT + "sparql", "dcat:servesDataset") == rdflib.URIRef(DATASET.value)
    assert the(graph, ROOT + "sparql", "dcat:endpointURL") == rdflib.URIRef(ROOT + "sparql")
    assert the(graph, ROOT + "sparql", "dct:conformsTo") == rdflib.URIRef("https://www.w3.org/TR/sparql11-protocol/")


def test_the_dataset_says_licence_sources_coverage_version_and_dates(graph):
    assert the(graph, DATASET, "dct:license") == rdflib.URIRef(CC_BY_SA_4.value)
    assert [str(s) for s in objects(graph, DATASET, "prov:wasDerivedFrom")] == sorted(s.value for s in FACTS.sources)
    assert objects(graph, DATASET, "dct:source") == []  # DCAT-AP 3: a dct:source is a dcat:Dataset
    assert {str(p) for p in objects(graph, DATASET, "dct:spatial")} == {p.value for p in FACTS.places}
    period = the(graph, DATASET, "dct:temporal")
    assert the(graph, period, "dcat:startDate") == rdflib.Literal("1999", datatype=rdflib.XSD.gYear)
    assert the(graph, period, "dcat:endDate") == rdflib.Literal("2024-05-02", datatype=rdflib.XSD.date)
    assert str(the(graph, DATASET, "dcat:version")) == "v1" == str(the(graph, DATASET, "owl:versionInfo"))
    assert the(graph, DATASET, "dct:issued") == rdflib.Literal("2026-11-27", datatype=rdflib.XSD.date)
    assert the(graph, DATASET, "dct:modified") == rdflib.Literal("2026-12-01T10:00:00Z", datatype=rdflib.XSD.dateTime)
    keywords = objects(graph, DATASET, "dcat:keyword")
    assert {k.language for k in keywords} == {"en"} and rdflib.Literal("Kosovo", lang="en") in keywords
    publisher = the(graph, DATASET, "dct:publisher")
    assert str(the(graph, publisher, "foaf:name")) == dcat.PUBLISHER_NAME


def test_one_distribution_per_dump_with_the_figures_of_its_bytes(graph):
    distributions = objects(graph, DATASET, "dcat:distribution")
    assert len(distributions) == len(formats.DUMPS)
    for fmt in formats.DUMPS:
        dist = Minter(BASE).catalog(fmt.name)
        assert rdflib.URIRef(dist.value) in distributions
        url = rdflib.URIRef(f"{ROOT}download/v1/{fmt.file_name}")  # the versioned, immutable address
        assert the(graph, dist, "dcat:downloadURL") == url == the(graph, dist, "dcat:accessURL")
        iana = rdflib.URIRef(f"http://www.iana.org/assignments/media-types/{fmt.media_type}")
        assert the(graph, dist, "dcat:mediaType") == iana == the(graph, dist, "dct:format")
        size = the(graph, dist, "dcat:byteSize")
        assert size.datatype == rdflib.XSD.nonNegativeInteger and int(size) == len(BODIES[fmt])
        checksum = the(graph, dist, "spdx:checksum")
        assert the(graph, checksum, "spdx:algorithm") == rdflib.URIRef(term("spdx:checksumAlgorithm_sha256").value)
        value = the(graph, checksum, "spdx:checksumValue")
        assert value.datatype == rdflib.XSD.hexBinary
        assert str(value) == hashlib.sha256(BODIES[fmt]).hexdigest()


def test_download_urls_are_built_in_one_place():
    fmt = formats.dump("turtle")
    assert dcat.download_url("https://h.example/app/", "v9", fmt) == "https://h.example/app/download/v9/kosru.ttl"
    assert [d.url for d in catalogue().dumps] == [dcat.download_url(ROOT, "v1", f) for f in formats.DUMPS]


def test_without_a_publication_date_modified_falls_back_to_the_first_issue(graph):
    triples = dcat.describe(catalogue(published=None))
    modified = [t.object for t in triples if t.subject == DATASET and t.predicate == term("dct:modified")]
    assert modified == [FACTS.created]


def test_the_catalogue_passes_the_shapes():
    conforms, report = validate(dcat.describe(catalogue()))
    assert conforms, report


@pytest.mark.parametrize("broken", ["no download URL", "not a SHA-256", "two licences", "no title",
                                    "size not a number", "no checksum algorithm", "a web page as dct:source",
                                    "media type of no class"])
def test_a_broken_catalogue_fails_the_shapes(broken):
    """The shapes can fail: each breakage of the catalogue is caught."""
    triples = dcat.describe(catalogue())
    turtle = Minter(BASE).catalog("turtle")
    checksum = next(t.object for t in triples if t.subject == turtle and t.predicate == term("spdx:checksum"))
    if broken == "no download URL":
        triples = [t for t in triples if not (t.subject == turtle and t.predicate == term("dcat:downloadURL"))]
    elif broken == "not a SHA-256":
        triples = [t if t.predicate != term("spdx:checksumValue") or t.subject != checksum
                   else type(t)(t.subject, t.predicate, Literal("abc123", datatype=term("xsd:hexBinary")))
                   for t in triples]
    elif broken == "two licences":
        triples = [*triples, type(triples[0])(turtle, term("dct:license"), NamedNode("https://example.org/other"))]
    elif broken == "no title":
        triples = [t for t in triples if not (t.subject == DATASET and t.predicate == term("dct:title"))]
    elif broken == "size not a number":
        triples = [t if t.predicate != term("dcat:byteSize") or t.subject != turtle
                   else type(t)(t.subject, t.predicate, Literal("big")) for t in triples]
    elif broken == "no checksum algorithm":
        triples = [t for t in triples if not (t.subject == checksum and t.predicate == term("spdx:algorithm"))]
    elif broken == "a web page as dct:source":
        triples = [*triples, type(triples[0])(DATASET, term("dct:source"), FACTS.sources[0])]
    elif broken == "media type of no class":
        triples = [t for t in triples if not (t.predicate == term("rdf:type") and t.object == term("dct:MediaType"))]
    conforms, report = validate(triples)
    assert not conforms, broken


def test_graph_facts_come_from_the_served_graph(backend, settings):
    facts = dcat.graph_facts(backend, settings.base_iri)
    assert NamedNode("https://en.wikipedia.org/wiki/Kosovo%E2%80%93Russia_relations") in facts.sources
    assert facts.places == (NamedNode("http://www.wikidata.org/entity/Q1246"),
                            NamedNode("http://www.wikidata.org/entity/Q159"))
    assert facts.place_names == ("Kosovo", "Russia")
    assert facts.start is not None and facts.end is not None
    assert dcat._first_day(facts.start) < dcat._last_day(facts.end)
    dates = [row["d"] for row in backend.query(
        f"SELECT DISTINCT ?d WHERE {{ ?s ?p ?d FILTER(STRSTARTS(STR(?p), \"{KOSRU}\")"
        " && isLiteral(?d) && DATATYPE(?d) IN (<http://www.w3.org/2001/XMLSchema#date>,"
        " <http://www.w3.org/2001/XMLSchema#gYear>, <http://www.w3.org/2001/XMLSchema#gYearMonth>)) }")]
    assert facts.start in dates and facts.end in dates
    assert all(facts.start.value[:4] <= d.value[:4] <= facts.end.value[:4] for d in dates)
    assert facts.created is not None and facts.created.datatype == term("xsd:date")
