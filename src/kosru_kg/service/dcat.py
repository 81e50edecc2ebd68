"""The DCAT description of the data set: a ``dcat:Catalog`` of one ``dcat:Dataset``, its dumps and its endpoint.

The catalogue says what a data portal harvesting it needs (DCAT 3, following the DCAT-AP 3
profile's mandatory and recommended properties): title, description, licence, publisher,
sources, the time and places the facts cover, keywords, version and dates, then one
``dcat:Distribution`` per dump — media type, size in bytes, SHA-256 checksum of the very bytes
``/download`` serves, download URL — and the SPARQL endpoint as a ``dcat:DataService``.

The classes of values (``foaf:Document``, ``rdfs:Resource``, ``dct:MediaTypeOrExtent``) are
stated, because the DCAT-AP 3 shapes check ranges without inference.

``graph_facts`` reads what the graph itself says (sources, dates, places); ``catalogue`` and
``describe`` are pure functions of their arguments, so the same inputs give the same triples.
The URLs name the server answering the request: the web layer passes its URL root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kosru_kg.formats import Format
from kosru_kg.query.backend import Backend
from kosru_kg.service import void
from kosru_kg.vocab import (
    CC_BY_SA_4,
    ENGLISH,
    KOSRU,
    ONTOLOGY_IRI,
    PREFIXES,
    SPARQL_PROTOCOL,
    Minter,
    media_type,
    prologue,
    term,
)

TITLE = void.TITLE
DESCRIPTION = void.DESCRIPTION
CATALOG_TITLE = "kosru-kg data catalogue"
CATALOG_DESCRIPTION = ("The catalogue of the kosru-kg site: its knowledge graph of Kosovo–Russia relations, "
                       "the graph's downloads, and the SPARQL endpoint that serves it.")
SERVICE_TITLE = "kosru-kg SPARQL endpoint"
SERVICE_DESCRIPTION = "A read-only SPARQL 1.1 Query endpoint over the kosru-kg knowledge graph."
PUBLISHER_NAME = "The kosru-kg project"
KEYWORDS = ("Kosovo", "Russia", "international relations", "diplomatic recognition", "United Nations",
            "Security Council veto", "sport", "linked data")
# The entities whose Wikidata items are the data set's spatial coverage.
PLACES = ("kosovo", "russia")
DATE_TYPES = tuple(term(t) for t in ("xsd:date", "xsd:gYearMonth", "xsd:gYear"))
# Every date a fact carries: the values of the ontology's own properties. Sources' publication
# dates (dct:issued) and the ontology's (dct:created) say when something was written, not what happened.
FACT_DATES = f"""SELECT DISTINCT ?date WHERE {{ ?s ?p ?date
    FILTER(STRSTARTS(STR(?p), {Literal(KOSRU)}) && isLiteral(?date)
           && DATATYPE(?date) IN ({", ".join(f"<{t.value}>" for t in DATE_TYPES)})) }}"""
CREATED = prologue("dct") + f"SELECT ?date WHERE {{ <{ONTOLOGY_IRI}> dct:created ?date }}"
SAME_AS = prologue("owl", "rdfs") + """SELECT ?place (SAMPLE(?label) AS ?name)
    WHERE {{ <{entity}> owl:sameAs ?place
      OPTIONAL {{ <{entity}> rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }} }} GROUP BY ?place ORDER BY ?place"""
SHA256 = term("spdx:checksumAlgorithm_sha256")


@dataclass(frozen=True)
class GraphFacts:
    """What the catalogue takes from the graph."""

    sources: tuple[NamedNode, ...]  # the sources' addresses (prov:wasDerivedFrom): the article and reference sources
    start: Literal | None  # the earliest date of a fact, with its precision (xsd:date, gYearMonth or gYear)
    end: Literal | None  # the latest
    places: tuple[NamedNode, ...]  # Kosovo's and Russia's Wikidata items
    created: Literal | None  # when the data set was first made: the ontology's dct:created
    place_names: tuple[str, ...] = ()  # the places' names in the graph, for people


@dataclass(frozen=True)
class Dump:
    """One download, with the figures of its bytes."""

    fmt: Format
    url: str
    byte_size: int
    sha256: str

    @classmethod
    def of(cls, fmt: Format, url: str, body: bytes) -> Dump:
        return cls(fmt, url, len(body), hashlib.sha256(body).hexdigest())


@dataclass(frozen=True)
class Catalogue:
    """Everything the catalogue says, for its RDF (``describe``) and its page."""

    base_iri: str
    root: str  # the serving site's URL root, ending in "/"
    version: str
    published: str | None  # when this version was published (ISO 8601), if known
    dumps: tuple[Dump, ...]
    facts: GraphFacts

    @property
    def endpoint(self) -> str:
        return f"{self.root}sparql"

    @property
    def document(self) -> str:
        """Where the catalogue itself is served."""
        return f"{self.root}.well-known/dcat"

    @property
    def void(self) -> str:
        return f"{self.root}.well-known/void"


def download_url(root: str, version: str, fmt: Format) -> str:
    """Where the server at ``root`` serves the dump of ``version`` in ``fmt``, for good: the versioned,
    immutable address, so that a checksum stays true of the bytes behind its URL."""
    return f"{root}download/{version}/{fmt.file_name}"


def graph_facts(backend: Backend, base_iri: str) -> GraphFacts:
    """Sources, the time span and places of the facts, and the creation date, as the served graph has them."""
    minter = Minter(base_iri)
    dates = [row["date"] for row in backend.query(FACT_DATES)]
    places = [(row["place"], row["name"].value if row["name"] is not None else row["place"].value)
              for entity in PLACES
              for row in backend.query(SAME_AS.format(entity=minter.resource("state", entity).value))
              if row["place"].value.startswith(PREFIXES["wd"])]
    created = [row["date"] for row in backend.query(CREATED)]
    return GraphFacts(
        sources=tuple(row["url"] for row in backend.query(void.SOURCES)),
        start=min(dates, key=_first_day, default=None),
        end=max(dates, key=_last_day, default=None),
        places=tuple(place for place, _ in places),
        created=min(created, key=_first_day, default=None),
        place_names=tuple(name for _, name in places),
    )


def _first_day(date: Literal) -> str:
    """The first day a date of any precision covers, as comparable text: 2008 → 2008-01-01."""
    return (date.value + "-01-01")[:10]


def _last_day(date: Literal) -> str:
    """Comparable text that sorts after every day a date covers: 2008 → 2008-99-99."""
    return (date.value + "-99-99")[:10]


def catalogue(base_iri: str, root: str, version: str, published: str | None, bodies: Mapping[Format, bytes],
              facts: GraphFacts) -> Catalogue:
    """The catalogue of the data set served at ``root``, whose dumps are ``bodies``."""
    dumps = tuple(Dump.of(fmt, download_url(root, version, fmt), body) for fmt, body in bodies.items())
    return Catalogue(base_iri, root, version, published, dumps, facts)


def describe(cat: Catalogue) -> list[Triple]:
    """The DCAT triples of ``cat``."""
    minter = Minter(cat.base_iri)
    catalog, dataset, publisher = minter.catalog(), minter.dataset(), minter.catalog("publisher")
    service, home = NamedNode(cat.endpoint), NamedNode(cat.root)
    facts = cat.facts
    issued = [facts.created] if facts.created is not None else []
    modified = [Literal(cat.published, datatype=term("xsd:dateTime"))] if cat.published else issued
    common = {"dct:license": [CC_BY_SA_4], "dct:publisher": [publisher], "dct:language": [ENGLISH]}
    triples: list[Triple] = []

    def add(subject, about: dict[str, list]) -> None:
        triples.extend(Triple(subject, term(p), o) for p, objects in about.items() for o in objects)

    add(catalog, {
        "rdf:type": [term("dcat:Catalog")],
        "dct:title": [Literal(CATALOG_TITLE, language="en")],
        "dct:description": [Literal(CATALOG_DESCRIPTION, language="en")],
        **common,
        "foaf:homepage": [home],
        "dct:issued": issued,
        "dct:modified": modified,
        "dcat:dataset": [dataset],
        "dcat:service": [service],
    })
    temporal = BlankNode()
    add(dataset, {
        "rdf:type": [term("dcat:Dataset")],
        "dct:title": [Literal(TITLE, language="en")],
        "dct:description": [Literal(DESCRIPTION, language="en")],
        **common,
        # The sources are web pages (the article, reference pages): DCAT-AP 3 gives dct:source the
        # range dcat:Dataset, so they are named with PROV, as each fact of the graph names its own.
        "prov:wasDerivedFrom": list(facts.sources),
        "dct:temporal": [temporal] if facts.start or facts.end else [],
        "dct:spatial": list(facts.places),
        "dcat:keyword": [Literal(k, language="en") for k in KEYWORDS],
        "dcat:version": [Literal(cat.version)],
        "owl:versionInfo": [Literal(cat.version)],
        "dct:issued": issued,
        "dct:modified": modified,
        "dcat:landingPage": [home],
        "rdfs:seeAlso": [NamedNode(cat.void)],
        "dcat:distribution": [minter.catalog(dump.fmt.name) for dump in cat.dumps],
    })
    if facts.start or facts.end:
        add(temporal, {"rdf:type": [term("dct:PeriodOfTime")],
                       "dcat:startDate": [d for d in (facts.start,) if d is not None],
                       "dcat:endDate": [d for d in (facts.end,) if d is not None]})
    for dump in cat.dumps:
        checksum = BlankNode()
        mime = media_type(dump.fmt.media_type)
        add(minter.catalog(dump.fmt.name), {
            "rdf:type": [term("dcat:Distribution")],
            "dct:title": [Literal(f"{TITLE}, {dump.fmt.label} dump", language="en")],
            "dct:description": [Literal(f"The whole graph in {dump.fmt.label}, file {dump.fmt.file_name}.",
                                        language="en")],
            "dcat:accessURL": [NamedNode(dump.url)],
            "dcat:downloadURL": [NamedNode(dump.url)],
            "dcat:mediaType": [mime],
            "dct:format": [mime],
            "dcat:byteSize": [Literal(str(dump.byte_size), datatype=term("xsd:nonNegativeInteger"))],
            "spdx:checksum": [checksum],
            "dct:license": [CC_BY_SA_4],
        })
        add(checksum, {"rdf:type": [term("spdx:Checksum")], "spdx:algorithm": [SHA256],
                       "spdx:checksumValue": [Literal(dump.sha256, datatype=term("xsd:hexBinary"))]})
        add(mime, {"rdf:type": [term("dct:MediaType"), term("dct:MediaTypeOrExtent")]})
        add(NamedNode(dump.url), {"rdf:type": [term("rdfs:Resource")]})
    add(service, {
        "rdf:type": [term("dcat:DataService")],
        "dct:title": [Literal(SERVICE_TITLE, language="en")],
        "dct:description": [Literal(SERVICE_DESCRIPTION, language="en")],
        "dcat:endpointURL": [service],
        "dcat:endpointDescription": [service],  # a GET without a query answers the service description
        "dcat:servesDataset": [dataset],
        "dct:conformsTo": [SPARQL_PROTOCOL],
        **common,
    })
    # The classes of the values, stated: DCAT-AP 3's shapes check ranges without RDFS inference.
    add(home, {"rdf:type": [term("foaf:Document")]})
    add(service, {"rdf:type": [term("rdfs:Resource")]})  # as the endpoint URL
    add(publisher, {"rdf:type": [term("foaf:Agent")], "foaf:name": [Literal(PUBLISHER_NAME, language="en")],
                    "foaf:homepage": [home]})
    add(CC_BY_SA_4, {"rdf:type": [term("dct:LicenseDocument")]})
    add(ENGLISH, {"rdf:type": [term("dct:LinguisticSystem")]})
    for place in facts.places:
        add(place, {"rdf:type": [term("dct:Location")]})
    add(SPARQL_PROTOCOL, {"rdf:type": [term("dct:Standard")]})
    add(SHA256, {"rdf:type": [term("spdx:ChecksumAlgorithm")]})
    return triples
