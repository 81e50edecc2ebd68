"""The graph in each published RDF format, and the JSON-LD context that makes the JSON readable.

Here, in the graph layer, so that building a version writes all of its dumps (``build.Graph.archive``)
and the web process only ever reads them. A dump is byte-identical across builds of the same data:
statements are sorted, the ontology's blank nodes (class unions, lists) get labels computed from the
graph's shape, and the prefixes are fixed by the data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import rdflib
from pyld import jsonld
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

from kosru_kg.formats import Format, Kind
from kosru_kg.graph.canonical import canonical, line_based
from kosru_kg.graph.facts import TABLE_BY_NAME
from kosru_kg.graph.mapping import COLUMNS, PART_OF, XSD_DATE_TYPES
from kosru_kg.vocab import KOSRU, PREFIXES, Minter

__all__ = ["CONTEXT", "canonical", "context_document", "prefixes", "render"]

# ---------------------------------------------------------------------------
# The JSON-LD context: one short key per property, derived from the mapping.
# ---------------------------------------------------------------------------

# What a column of each kind (facts.Field.kind) becomes in JSON.
_JSON_VALUES = {
    "ref": "iri", "refs": "iri", "concept": "iri", "concepts": "iri", "sources": "iri",
    "iri": "iri", "qid": "iri", "date": "date", "int": "native", "bool": "native",
    "iso3166": "string", "iso3166-alpha3": "string", "iso3166-numeric": "string", "slug": "string",
    "text": "text", "texts": "text", "language": "xsd:language",
}
_SEVERAL = {"refs", "concepts", "sources", "texts"}  # kinds holding a list of values
# Properties Mapper writes beyond COLUMNS, and the ones the ontology describes itself with.
# Every typed literal needs a key of its own: rdflib's JSON-LD parser drops the datatype of a
# value object whose "@type" is spelled through the "type" alias.
_OTHER_PROPERTIES = {
    **dict.fromkeys({*PART_OF.values(), "skos:inScheme"}, ("iri", False)),
    "rdfs:comment": ("text", False), "rdfs:isDefinedBy": ("iri", False),
    "rdfs:domain": ("iri", False), "rdfs:range": ("iri", False),
    "rdfs:subClassOf": ("iri", True), "rdfs:subPropertyOf": ("iri", True),
    "dct:created": ("date", False), "dct:modified": ("date", False),
    "kosru:latestDate": ("xsd:date", False), "schema:disambiguatingDescription": ("text", False),
    # names in other languages (data/labels.csv): SKOS-XL label resources
    "skosxl:prefLabel": ("iri", True), "skosxl:literalForm": ("text", False),
    "kosru:transliteratedFrom": ("iri", False),
}
# Texts the build writes in every language of the site: a language map in JSON ("label": {"en": …, "ru": …}).
_LANGUAGE_MAPS = {"rdfs:label", "skos:prefLabel", "schema:disambiguatingDescription"}
# Where the property's local name reads poorly, or is taken (skos:prefLabel is "prefLabel").
_KEYS = {"prov:wasDerivedFrom": "sources", "skosxl:prefLabel": "labels"}
# A date property has one key per precision, so each value stays a plain string that round-trips
# to its exact datatype: "date": "2008-02-17", "dateMonth": "2008-02", "dateYear": "2008".
_DATE_KEY_SUFFIXES = {"day": "", "month": "Month", "year": "Year"}
_PN_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _properties() -> dict[str, tuple[str, bool]]:
    """Each property of the data → (what its values are in JSON, whether a node may have several)."""
    found: dict[str, tuple[str, bool]] = {}

    def note(prop: str, value: str, several: bool) -> None:
        value_before, several_before = found.get(prop, (value, False))
        if value_before != value:
            raise ValueError(f"{prop} is used for both {value_before} and {value} values")
        found[prop] = (value, several or several_before)

    for table, columns in COLUMNS.items():
        for column, prop in columns.items():
            kind = TABLE_BY_NAME[table].field(column).kind
            note(prop, _JSON_VALUES[kind], kind in _SEVERAL)
            if kind == "date" and prop.startswith("kosru:"):
                note(prop + "Precision", "iri", False)
    for prop, (value, several) in _OTHER_PROPERTIES.items():
        note(prop, value, several)
    return found


def _terms() -> dict[str, object]:
    """The context's term definitions, sorted by key; a key wanted twice is an error."""
    terms: dict[str, object] = {}
    for prop, (value, several) in sorted(_properties().items()):
        key = _KEYS.get(prop, prop.partition(":")[2])
        if value == "date":
            defined = {key + suffix: {"@id": prop, "@type": XSD_DATE_TYPES[precision]}
                       for precision, suffix in _DATE_KEY_SUFFIXES.items()}
        else:
            definition: dict[str, object] = {"@id": prop}
            if value == "iri":
                definition["@type"] = "@id"
            if value.startswith("xsd:"):  # a literal of one datatype
                definition["@type"] = value
            if value == "string":
                definition["@language"] = None
            if prop in _LANGUAGE_MAPS:
                definition["@container"] = "@language"
            elif several:
                definition["@container"] = "@set"
            defined = {key: definition if len(definition) > 1 else prop}
        for k, definition in defined.items():
            if k in terms:
                raise ValueError(f"two properties want the JSON key {k!r}")
            terms[k] = definition
    return dict(sorted(terms.items()))


CONTEXT = {
    "@version": 1.1,
    "@vocab": KOSRU,
    "@language": "en",
    "id": "@id",
    "type": {"@id": "@type", "@container": "@set"},
    **{prefix: iri for prefix, iri in PREFIXES.items() if prefix != "wd"},  # vocabularies, not data
    **_terms(),
}


def context_document() -> dict:
    """The document served at ``/context.jsonld``."""
    return {"@context": CONTEXT}


# ---------------------------------------------------------------------------
# Statements and their serialisations
# ---------------------------------------------------------------------------

def render(quads: Sequence[Quad], fmt: Format, base_iri: str) -> bytes:
    """Serialise canonical statements (see ``canonical``) in ``fmt``."""
    if fmt.engine == RdfFormat.TURTLE:
        return _turtle(quads, base_iri)
    if fmt.engine == RdfFormat.JSON_LD:
        return _json_ld(quads, base_iri)
    if fmt.engine in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS):  # as publishing archives them
        return line_based(quads, dataset=fmt.kind is Kind.DATASET)
    items = quads if fmt.kind is Kind.DATASET else [q.triple for q in quads]
    return serialize(items, format=fmt.engine, prefixes=prefixes(quads, base_iri))


def prefixes(quads: Sequence[Quad], base_iri: str) -> dict[str, str]:
    """The vocabulary prefixes the statements use, and one per path of the resources they describe
    (``state:kosovo`` reads better than the full IRI of the state)."""
    iris = {term.value for q in quads for term in (q.subject, q.predicate, q.object, q.graph_name)
            if isinstance(term, NamedNode)}
    iris |= {q.object.datatype.value for q in quads if isinstance(q.object, Literal)}
    known = Minter(base_iri).prefixes()
    paths = {q.subject.value[len(base_iri):].partition("/")[0] for q in quads
             if q.subject.value.startswith(base_iri) and "/" in q.subject.value[len(base_iri):]}
    known |= {path: f"{base_iri}{path}/" for path in paths if _PN_PREFIX.match(path) and path not in known}
    return {p: ns for p, ns in sorted(known.items()) if any(iri.startswith(ns) for iri in iris)}


_XSD_STRING = PREFIXES["xsd"] + "string"


def _turtle(quads: Sequence[Quad], base_iri: str) -> bytes:
    """rdflib writes the prettiest Turtle (nested blank nodes and lists, subjects sorted).

    The statements are handed over term by term, blank nodes keeping their canonical labels: parsed
    from N-Triples they got new random ones in each process, and rdflib orders nested blank nodes by
    label, so the same graph came out in another order (a VoID description differed between nodes).
    """
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in prefixes(quads, base_iri).items():
        graph.bind(prefix, namespace)
    for quad in quads:
        graph.add((_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object)))
    return graph.serialize(format="turtle", encoding="utf-8")


def _rdflib(term: NamedNode | BlankNode | Literal) -> rdflib.term.Node:
    """A pyoxigraph term as rdflib's, as its N-Triples parser would make it (a plain string has no datatype)."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    datatype = term.datatype.value if term.datatype is not None else None
    plain = term.language or datatype in (None, _XSD_STRING)
    return rdflib.Literal(term.value, lang=term.language or None, datatype=None if plain else rdflib.URIRef(datatype))


def _json_ld(quads: Sequence[Quad], base_iri: str) -> bytes:
    """Compacted with the published context, which the document carries inline; nodes sorted by id.

    The context is embedded, not named by an address, so that any JSON-LD processor reads
    the document wherever it was served or saved, fetching nothing; the same context is
    also published at ``/context.jsonld`` for people and tools that want it on its own.

    pyoxigraph writes the statements as expanded JSON-LD (pyld's own conversion from RDF reads
    N-Quads, checking every statement against every other, and took most of a minute here); pyld
    compacts them. Integers and booleans become JSON's own; they round-trip exactly because the
    mapping writes them in canonical form (the tests check the expansion against the Turtle dump).
    """
    options = {"documentLoader": _no_remote_documents}
    expanded = json.loads(serialize([q.triple for q in quads], format=RdfFormat.JSON_LD))
    for node in expanded:
        _as_json_ld_reads_rdf(node)
    compacted = jsonld.compact(expanded, context_document(), {"graph": True, **options})
    nodes = sorted(compacted["@graph"], key=lambda node: node["id"])
    document = {"@context": CONTEXT, "@graph": nodes}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


_RDF_TYPE = PREFIXES["rdf"] + "type"
_NATIVE = {PREFIXES["xsd"] + "integer": int, PREFIXES["xsd"] + "boolean": lambda lexical: lexical == "true"}


def _as_json_ld_reads_rdf(node: dict) -> None:
    """What JSON-LD's own conversion from RDF makes of pyoxigraph's node object, done in place: its
    rdf:type statements become ``@type``, its integers and booleans JSON numbers and booleans (the
    conversion with ``useRdfType`` false and ``useNativeTypes`` true)."""
    types = node.pop(_RDF_TYPE, [])
    if types:
        node["@type"] = [value["@id"] for value in types]
    for prop, values in node.items():
        if prop.startswith("@"):
            continue
        for value in values:
            native = _NATIVE.get(value.get("@type"))
            if native is not None:
                del value["@type"]
                value["@value"] = native(value["@value"])


def _no_remote_documents(url: str, options=None):
    """pyld fetches remote contexts by default; every context here is local, so none is ever fetched."""
    raise jsonld.JsonLdError(f"remote JSON-LD documents are never loaded: {url}", "jsonld.LoadDocumentError",
                             code="loading document failed")
