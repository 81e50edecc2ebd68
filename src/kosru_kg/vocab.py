"""Namespaces and IRI minting: the only place that knows how IRIs are spelled."""

from __future__ import annotations

from pyoxigraph import NamedNode

ONTOLOGY_IRI = "https://w3id.org/kosru/ontology"
KOSRU = ONTOLOGY_IRI + "#"
SHAPES = "https://w3id.org/kosru/shapes#"

PREFIXES = {
    "kosru": KOSRU,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
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
}


def term(prefixed: str) -> NamedNode:
    """``term("rdfs:label")`` → the full IRI as a NamedNode."""
    prefix, _, local = prefixed.partition(":")
    return NamedNode(PREFIXES[prefix] + local)


RDF_TYPE = term("rdf:type")
RDFS_LABEL = term("rdfs:label")


class Minter:
    """Mints resource IRIs under one configurable base."""

    def __init__(self, base_iri: str):
        self.base = base_iri

    def resource(self, path: str, ident: str) -> NamedNode:
        return NamedNode(f"{self.base}{path}/{ident}")

    def graph(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{name}")

    def dataset(self) -> NamedNode:
        return NamedNode(f"{self.base}dataset")

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serialisation, including the resource base."""
        return {**PREFIXES, "kr": self.base}
