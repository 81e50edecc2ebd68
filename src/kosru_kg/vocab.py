"""Namespaces and IRI minting: the only place that knows how IRIs are spelled."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pyoxigraph import Literal, NamedNode, Triple

DEFAULT_BASE = "https://w3id.org/kosru/"  # the resources' base unless KOSRU_BASE_IRI says otherwise
ONTOLOGY_IRI = DEFAULT_BASE + "ontology"
KOSRU = ONTOLOGY_IRI + "#"

PREFIXES = {
    "kosru": KOSRU,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "org": "http://www.w3.org/ns/org#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
    "sh": "http://www.w3.org/ns/shacl#",
    "formats": "http://www.w3.org/ns/formats/",
    "ent": "http://www.w3.org/ns/entailment/",
    # The data catalogue's vocabularies (DCAT 3 and the DCAT-AP profile's companions).
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "adms": "http://www.w3.org/ns/adms#",
    "spdx": "http://spdx.org/rdf/terms#",
    "locn": "http://www.w3.org/ns/locn#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"  # + a Q-identifier: the item's page for people
CC_BY_SA_4 = NamedNode("https://creativecommons.org/licenses/by-sa/4.0/")  # the licence of Wikipedia's text
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"  # + a media type: its registration
SPARQL_PROTOCOL = NamedNode("https://www.w3.org/TR/sparql11-protocol/")  # what the endpoint conforms to
ENGLISH = NamedNode("http://publications.europa.eu/resource/authority/language/ENG")  # EU language authority
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# Where each table's resources live: the first segment of their IRI path under the base.
TABLE_PATHS = {
    "sources": "source", "concepts": "concept", "roles": "role", "memberships": "membership",
    "positions": "position", "counts": "count", "events": "event",
    "sporting_events": "sport", "matches": "match", "results": "result", "stances": "stance",
    "statements": "statement", "vetoes": "veto", "relations": "relation",
    "labels": "label",  # {entity}-{language}: a SKOS-XL label of an entity in another language
}
# Where entities live, by their class.
ENTITY_PATHS = {
    "State": "state", "PartiallyRecognisedState": "state", "InternationalOrganization": "organization",
    "Organ": "organization", "Mission": "organization", "SportsFederation": "organization",
    "NewsMedium": "organization", "Person": "person", "City": "place", "Region": "place",
    "Venue": "place", "Team": "team", "CompetitionSeries": "competition", "MusicalWork": "work",
    "Document": "document", "SovereignEntity": "state",
}
KINDS = frozenset(TABLE_PATHS.values()) | frozenset(ENTITY_PATHS.values())  # every resource path's first segment
SLUG = re.compile(r"\A[a-z0-9][a-z0-9-]*\Z")  # a resource's id: the last segment of its IRI path (\Z: no "\n" after)


def term(prefixed: str) -> NamedNode:
    """``term("rdfs:label")`` → the full IRI as a NamedNode."""
    prefix, _, local = prefixed.partition(":")
    return NamedNode(PREFIXES[prefix] + local)


RDF_TYPE = term("rdf:type")
RDFS_LABEL = term("rdfs:label")
# The properties that name a resource, the preferred first: entities and facts have an
# rdfs:label, concepts a skos:prefLabel, sources a dct:title.
NAMING = (term("rdfs:label"), term("skos:prefLabel"), term("dct:title"))
NAMING_PATH = "|".join(str(p) for p in NAMING)  # the same, as a SPARQL property path
SUMMARY = term("schema:disambiguatingDescription")  # a fact's or a state's one-line summary (graph/summaries.py)
# What search finds a resource by: its names (NAMING, preferred) and its other names, in any language.
SEARCH_NAMES = (*NAMING, term("skos:altLabel"), term("foaf:name"), term("schema:name"))
# A name in another language (data/labels.csv) is a SKOS-XL label: the resource → label → its text.
XL_NAME = (term("skosxl:prefLabel"), term("skosxl:literalForm"))
# What sums a resource up in a line (search results): the first of these it has, English first.
SUMMARIES = (SUMMARY, term("dct:description"), term("skos:definition"), term("rdfs:comment"))


# xsd:boolean's lexical forms by value: ``true`` and ``1`` are one value (Virtuoso writes every boolean as 1 or 0).
BOOLEAN_VALUES = {"true": True, "1": True, "false": False, "0": False}


def truth(value: Literal) -> bool:
    """An xsd:boolean read by its value."""
    return BOOLEAN_VALUES.get(value.value, False)


def in_language(subject: str, predicate: str, variable: str) -> str:
    """SPARQL binding ``?variable`` to ``subject``'s ``predicate`` text in the language ``?language`` (bound by
    the caller) where it has one, else to its English one: the Wikidata label service's rule."""
    own, english = f"?{variable}InLanguage", f"?{variable}InEnglish"
    return (f"OPTIONAL {{ {subject} {predicate} {own} FILTER(LANGMATCHES(LANG({own}), ?language)) }}\n"
            f"  OPTIONAL {{ {subject} {predicate} {english} FILTER(LANGMATCHES(LANG({english}), \"en\")) }}\n"
            f"  BIND(COALESCE({own}, {english}) AS ?{variable})")


def prologue(*prefixes: str) -> str:
    """SPARQL PREFIX declarations for the named prefixes of ``PREFIXES``."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in prefixes)


def media_type(name: str) -> NamedNode:
    """The IANA registration of a media type, the IRI DCAT names a media type by."""
    return NamedNode(IANA_MEDIA_TYPES + name)


def names(triples: Iterable[Triple], language: str = "en", naming: Sequence[NamedNode] = NAMING) -> dict[str, Literal]:
    """Each named resource's name: by the first of ``naming`` it has, English (or untagged) first.

    With another ``language`` (a BCP 47 tag), a name in that language comes before any other,
    then the English one: a page in Albanian shows a state's ``rdfs:label "Rusia"@sq``.
    """
    rank = {p: i for i, p in enumerate(naming)}
    wanted = language.lower()
    best: dict[str, tuple[tuple, Literal]] = {}
    for t in triples:
        if t.predicate in rank and isinstance(t.object, Literal):
            tag = (t.object.language or "en").lower()
            key = (rank[t.predicate], tag != "en", t.object.value)
            if wanted != "en":
                key = (tag != wanted, *key)
            if t.subject.value not in best or key < best[t.subject.value][0]:
                best[t.subject.value] = (key, t.object)
    return {iri: name for iri, (_, name) in best.items()}


class Minter:
    """Mints resource IRIs under one configurable base."""

    def __init__(self, base_iri: str):
        self.base = base_iri

    def resource(self, path: str, ident: str) -> NamedNode:
        return NamedNode(f"{self.base}{path}/{ident}")

    def graph(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{name}")

    @staticmethod
    def base_of_graph(iri: str, name: str) -> str | None:
        """The base a graph IRI was minted under, if it names the graph ``name`` (``{base}graph/{name}``)."""
        return iri.removesuffix(f"graph/{name}") if iri.endswith(f"/graph/{name}") else None

    def dataset(self) -> NamedNode:
        return NamedNode(f"{self.base}dataset")

    def catalog(self, part: str = "") -> NamedNode:
        """The data catalogue, or one of the things only it describes (``#service``, ``#turtle``, …)."""
        return NamedNode(f"{self.base}catalog" + (f"#{part}" if part else ""))

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serialisation, including the resource base."""
        return {**PREFIXES, "kr": self.base}
