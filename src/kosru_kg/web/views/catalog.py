"""The DCAT catalogue at ``/.well-known/dcat``: Turtle for RDF clients, JSON-LD, and a page for browsers.

Its checksums and sizes are those of the very bytes ``/download`` serves: both take the dumps
from the same per-version cache (``downloads.dump_bytes``). The download and endpoint URLs
name the server answering, so the answer is kept per Host.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from kosru_kg import formats
from kosru_kg.formats import Kind
from kosru_kg.graph import serialization
from kosru_kg.service import dcat, protocol
from kosru_kg.vocab import Minter
from kosru_kg.web import cache, language, negotiation
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.state import state
from kosru_kg.web.views import downloads

blueprint = Blueprint("catalog", __name__)

# The catalogue's variants: Turtle first (the default), the other RDF formats, then the page.
VARIANTS = protocol.Offers((*formats.of_kind(Kind.GRAPH), *formats.of_kind(Kind.PAGE)))


def _catalogue() -> dcat.Catalogue:
    app_state = state()
    base = app_state.settings.base_iri
    facts = cache.cached(("dcat-facts",), lambda: dcat.graph_facts(app_state.backend, base))
    bodies = {fmt: downloads.dump_bytes(fmt) for fmt in formats.DUMPS}
    return dcat.catalogue(base, request.url_root, app_state.backend.version, app_state.backend.published,
                          bodies, facts)


@blueprint.get("/.well-known/dcat")
@whole_answers.reads(*negotiation.PARAMETERS)
def catalogue():
    fmt = negotiation.choose(VARIANTS)
    whole_answers.names_the_host(request.environ)
    base = state().settings.base_iri

    def render() -> bytes:
        cat = _catalogue()
        with state().backend.gate.slot():  # made for this Host: the client's work
            return _rendered(cat, fmt, base)

    page_language = language.language() if fmt.kind is Kind.PAGE else None  # the RDF is the same in every language
    body = cache.cached(("dcat", request.url_root, fmt.name, page_language), render)
    return negotiation.negotiated(Response(body, content_type=protocol.content_type(fmt.media_type)))


def _rendered(cat: dcat.Catalogue, fmt, base: str) -> bytes:
    if fmt.kind is Kind.PAGE:
        alternates = [f for f in formats.named_rows(VARIANTS.formats) if f.kind is not Kind.PAGE]
        return render_template("catalog/catalog.html", catalogue=cat, alternates=alternates,
                               catalog_iri=Minter(base).catalog().value, dcat_title=dcat.TITLE,
                               keywords=dcat.KEYWORDS).encode("utf-8")
    return serialization.render(serialization.canonical(dcat.describe(cat)), fmt, base)


@blueprint.get("/catalog")
def catalog_iri():
    """The catalogue's IRI (and those of the things only it describes, after a ``#``) name the catalogue's document."""
    return redirect(url_for(".catalogue"), code=303)
