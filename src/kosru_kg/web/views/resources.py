"""Linked data: every resource IRI under the base, and the ontology IRI, dereference as Cool URIs.

A resource ``{base}{kind}/{id}`` is served at ``/{kind}/{id}``. One URL answers by content
negotiation (``web.negotiation``) — an HTML page for browsers, Turtle, JSON-LD, N-Triples or
RDF/XML for clients that ask — with ``Vary: Accept``, the variant sent named in
``Content-Location`` and the JSON-LD variant (the page, beside JSON-LD) in ``Link:
rel="alternate"``; each variant also has a URL of its own with a suffix (``/state/kosovo.ttl``)
to link to and for clients that cannot set Accept (``format=`` or ``output=``, as /sparql takes,
work too). An unknown suffix is a 406 naming the others; an id with capitals redirects (301)
to its slug, the only spelling an IRI of the data has.

Why a 200 on the resource's own URL rather than the note's 303 to a document URL: w3id.org
already answers every IRI with a redirect, so a 303 would cost each client a second round
trip; the W3C TAG's 2012 revision of its httpRange-14 advice allows a 200 answer to describe
a thing, and Content-Location names the document for clients that must tell the thing from
its description. The ontology takes the note's other way, hash IRIs: ``kosru:Recognition`` is
``/ontology#Recognition``, an anchor in one negotiated document. The dataset and its named
graphs are described by the VoID description, so their IRIs answer 303 See Other to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from kosru_kg import clock, formats, vocab
from kosru_kg.errors import NotFound
from kosru_kg.formats import Kind
from kosru_kg.graph import serialization
from kosru_kg.service import ontology, protocol, resource_description, roster
from kosru_kg.vocab import KOSRU, ONTOLOGY_IRI, PREFIXES, RDF_TYPE, SLUG, SUMMARY, WIKIDATA_PAGE, term
from kosru_kg.web import language, negotiation
from kosru_kg.web.i18n import N_
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.render import quality, terms
from kosru_kg.web.render import roster as roster_drawing
from kosru_kg.web.state import state

blueprint = Blueprint("resources", __name__)

# The first path segment of every IRI the graph mints: the mapping's paths, concept schemes and graphs.
KINDS = sorted({*vocab.KINDS, "scheme", "graph"})
VOID = "/.well-known/void"  # the VoID description, which describes the dataset and its graphs
DESCRIPTIONS = (SUMMARY, term("dct:description"), term("skos:definition"))
SOURCE, URL, SAME_AS = term("prov:wasDerivedFrom"), term("schema:url"), term("owl:sameAs")
POSITION_OF = term("kosru:positionOf")
SOURCE_CLASS, VERIFICATION = term("kosru:sourceClass"), term("kosru:verification")


# What a resource is served as: its page, the default, then its description in each graph format; each
# variant (not the aliases reached by Accept) at a URL of its own, the resource's with the variant's suffix.
OFFERS = protocol.Offers.suffixed((*formats.of_kind(Kind.PAGE), *formats.of_kind(Kind.GRAPH)))
VARIANTS = formats.named_rows(OFFERS.formats)
PAGE, JSON_LD = formats.named("html", Kind.PAGE), formats.named("jsonld", Kind.GRAPH)


@dataclass(frozen=True)
class Alternate:
    variant: formats.Format
    href: str


@dataclass(frozen=True)
class Row:
    """One property of a resource with its values (outgoing) or the resources that point here with it (incoming)."""

    property: terms.TermView
    values: list[terms.TermView]


# ---------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------

@blueprint.get(f"/<any({', '.join(KINDS)}):kind>/<name>")
@whole_answers.reads(*negotiation.PARAMETERS)
def resource(kind: str, name: str) -> Response:
    ident, dot, suffix = name.partition(".")
    if not SLUG.match(ident) and SLUG.match(ident.lower()):  # /state/Ghana: identifiers are lower-case
        query = f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
        return redirect(f"{request.script_root}/{kind}/{ident.lower()}{dot}{quote(suffix)}{query}", code=301)
    if not SLUG.match(ident):
        raise NotFound(f"/{kind}/{name} names no resource: identifiers are lower-case slugs")
    app_state = state()
    base = app_state.settings.base_iri
    iri = NamedNode(f"{base}{kind}/{ident}")
    triples = resource_description.describe_resource(app_state.backend, iri)
    if not triples:
        if kind == "graph" and resource_description.is_graph(app_state.backend, iri):
            return redirect(request.script_root + VOID, code=303)
        raise NotFound(f"the graph says nothing about {iri.value}")
    return _answer(f"/{kind}/{ident}", suffix if dot else None,
                   page=lambda alternates: _resource_page(iri, triples, alternates),
                   rdf=lambda fmt: serialization.render(serialization.canonical(triples), fmt, base))


@blueprint.get("/dataset")
def dataset() -> Response:
    return redirect(request.script_root + VOID, code=303)


def _resource_page(iri: NamedNode, triples: set[Triple], alternates: list[Alternate]) -> str:
    show = _shower(triples)
    outgoing = [t for t in triples if t.subject == iri]
    incoming = [t for t in triples if t.object == iri]

    def objects(*properties: NamedNode) -> list:
        return sorted((t.object for t in outgoing if t.predicate in properties), key=lambda o: show(o).text)

    urls = {t.subject: t.object.value for t in triples if t.predicate == URL}
    classes = {t.subject: t.object.value for t in triples if t.predicate == SOURCE_CLASS}
    return render_template(
        "resources/resource.html", iri=iri.value, label=_heading(show(iri), iri, outgoing),
        position=_position(iri, show(iri).text, triples), types=[show(o) for o in objects(RDF_TYPE)],
        descriptions=[show(o) for p in DESCRIPTIONS for o in _in_page_language(objects(p))],
        outgoing=_rows(outgoing, lambda t: t.object, show), incoming=_rows(incoming, lambda t: t.subject, show),
        sources=[(show(s), urls.get(s), quality.source_class(classes.get(s))) for s in objects(SOURCE)],
        unverified=any(quality.is_unverified(o.value) for o in objects(VERIFICATION)),
        wikidata=[o.value.removeprefix(PREFIXES["wd"]) for o in objects(SAME_AS) if o.value.startswith(PREFIXES["wd"])],
        wikidata_page=WIKIDATA_PAGE, alternates=alternates)


@dataclass(frozen=True)
class Position:
    """A state's position on Kosovo over time: the strip (None if no claim is dated), and each claim linked
    with its summary."""

    strip: object | None
    claims: list[tuple[str, roster.Claim]]  # the claim's local address, the claim


def _position(iri: NamedNode, label: str, triples: set[Triple]) -> Position | None:
    """The position strip of a state the roster has claims about, else None."""
    if not any(t.predicate == POSITION_OF and t.object == iri for t in triples):
        return None
    settings, root = state().settings, request.script_root
    claims = roster.claims(state().backend, iri, language.language())
    strip = roster_drawing.position_strip(claims, label, root, settings.base_iri, clock.today())
    return Position(strip, [(terms.view(NamedNode(c.iri), {}, settings.base_iri, root).href, c) for c in claims])
def _heading(label: terms.TermView, iri: NamedNode, outgoing: list[Triple]) -> terms.TermView:
    """The page's heading: the resource's name, tagged with the language it is in (the page's, else English)."""
    if label.language or iri.value not in vocab.names(outgoing):
        return label
    return replace(label, language=language.language())


def _in_page_language(texts: list) -> list:
    """Of one property's texts written in several languages (a summary), those in the page's language, else
    the English ones."""
    tag = language.language().lower()
    tagged = [t for t in texts if isinstance(t, Literal) and t.language]
    own = [t for t in tagged if t.language.lower() == tag]
    english = [t for t in tagged if t.language.lower() == "en"]
    kept = own or english
    return [t for t in texts if t not in tagged or t in kept]


def _rows(triples: Iterable[Triple], other: Callable[[Triple], object], show) -> list[Row]:
    """The statements grouped by property, properties and values in alphabetical order."""
    grouped = defaultdict(list)
    for t in triples:
        grouped[t.predicate].append(other(t))
    rows = [Row(show(p), sorted((show(v) for v in _in_page_language(values)), key=lambda v: v.text.lower()))
            for p, values in grouped.items()]
    return sorted(rows, key=lambda row: row.property.text.lower())


# ---------------------------------------------------------------------------
# The ontology
# ---------------------------------------------------------------------------

@blueprint.get("/ontology", defaults={"suffix": None}, strict_slashes=False)  # and /ontology/
@blueprint.get("/ontology.<suffix>")
@whole_answers.reads(*negotiation.PARAMETERS)
def ontology_document(suffix: str | None) -> Response:
    document = state().ontology
    base = state().settings.base_iri
    return _answer("/ontology", suffix, page=lambda alternates: _ontology_page(document, alternates),
                   rdf=lambda fmt: document.serialise(fmt, base))


@blueprint.get("/ontology/<version>")
@whole_answers.reads(*negotiation.PARAMETERS)
def ontology_version(version: str) -> Response:
    """The version IRI (``owl:versionIRI``) of the current version names the same document."""
    version_iri = state().ontology.first("owl:versionIRI")  # compared as text: most strings make no IRI
    if version_iri is None or version_iri.value != f"{ONTOLOGY_IRI}/{version}":
        raise NotFound(f"there is no version {version!r} of the ontology; the current one is at {ONTOLOGY_IRI}")
    return ontology_document(None)


# Sections of the ontology page: (anchor, heading, the kinds of term it lists).
SECTIONS = (
    ("classes", N_("Classes"), ("class",)),
    ("properties", N_("Properties"), ("object property", "datatype property", "annotation property")),
    ("datatypes", N_("Datatypes"), ("datatype",)),
)
# The kinds of term and the sections' captions, as the page shows them (translated there).
TERM_KINDS = (N_("class"), N_("object property"), N_("datatype property"), N_("annotation property"),
              N_("datatype"))
REUSED = (N_("Classes reused from other vocabularies"), N_("Properties reused from other vocabularies"),
          N_("Datatypes reused from other vocabularies"))


def _ontology_page(document: ontology.Ontology, alternates: list[Alternate]) -> str:
    # The ontology's own terms link to their anchors on this page, whatever URL it was served at.
    show = _shower(document.triples, lambda node: f"#{node.value.removeprefix(KOSRU)}"
                   if node.value.startswith(KOSRU) else None)
    sections = [(anchor, heading, [t for t in document.terms if t.kind in kinds],
                 [t for t in document.reused if t.kind in kinds]) for anchor, heading, kinds in SECTIONS]
    return render_template("resources/ontology.html", ontology=document, iri=ONTOLOGY_IRI, sections=sections,
                           show=show, alternates=alternates)


# ---------------------------------------------------------------------------
# Shared: negotiation and naming
# ---------------------------------------------------------------------------

def _answer(path: str, suffix: str | None, page: Callable[[list[Alternate]], str],
            rdf: Callable[[formats.Format], bytes]) -> Response:
    """The variant named by ``suffix``, else the one asked for (``negotiation``), with headers naming the others.

    ``Link`` names one alternate, the one a JSON-LD client follows (JSON-LD 1.1 API, LoadDocumentCallback):
    the JSON-LD variant, or the page when JSON-LD is sent. pyld's loader reads no more than one
    ``rel="alternate"``; the page's head lists every variant."""
    url = request.script_root + path
    variant = negotiation.choose(OFFERS, suffix)
    alternates = [Alternate(v, f"{url}.{v.suffix}") for v in VARIANTS]
    if variant.kind is Kind.PAGE:
        body = page([a for a in alternates if a.variant.kind is not Kind.PAGE])
    else:
        body = rdf(variant)
    response = Response(body, content_type=protocol.content_type(variant.media_type))
    linked = next(a for a in alternates if a.variant is (PAGE if variant.engine == RdfFormat.JSON_LD else JSON_LD))
    response.headers["Link"] = f'<{linked.href}>; rel="alternate"; type="{linked.variant.media_type}"'
    if suffix is None:
        response.headers["Content-Location"] = f"{url}.{variant.suffix}"
    return negotiation.negotiated(response, suffix)


def _shower(triples: Iterable[Triple], anchor: Callable[[NamedNode], str | None] = lambda node: None):
    """A function showing a term of ``triples`` by its name, linked locally (or to ``anchor(node)`` if it gives one)."""
    triples = list(triples)
    tag = language.language()
    named = terms.Names(terms.named(vocab.names(triples, tag), tag), summaries=terms.summaries(triples, tag))
    # The description names what it links to in every language (resource_description); what it leaves unnamed
    # (a SKOS-XL label resource, named by its text) is looked up, only where there is any.
    unnamed = {node for t in triples for node in (t.subject, t.predicate, t.object)
               if isinstance(node, NamedNode) and node.value not in named}
    if unnamed:
        named.update(terms.labels(state().backend, unnamed, tag))
    base = state().settings.base_iri
    root = request.script_root

    def show(node) -> terms.TermView:
        if not isinstance(node, NamedNode):
            return terms.view(node, named, base, root)
        named.setdefault(node.value, _fallback_name(node.value, base))
        view = terms.view(node, named, base, root)
        href = anchor(node)
        return replace(view, href=href) if href else view

    return show


def _fallback_name(iri: str, base: str) -> str:
    """A readable name for an IRI without a label: its path under the base, a prefixed name, or itself."""
    if iri.startswith(base) and iri != base:
        return iri[len(base):]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
