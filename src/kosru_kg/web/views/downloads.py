"""Downloads of the whole graph, its JSON-LD context, and the VoID description at ``/.well-known/void``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request, url_for

from kosru_kg import formats
from kosru_kg.errors import NotFound
from kosru_kg.formats import Kind
from kosru_kg.graph import serialization
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.service import export, protocol, void
from kosru_kg.service.versions import Versions
from kosru_kg.web import cache, negotiation
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.state import state

blueprint = Blueprint("downloads", __name__)

# Formats of the VoID description; the first is the default.
VOID_FORMATS = protocol.Offers(formats.of_kind(Kind.GRAPH))


def dump_bytes(fmt: formats.Format) -> bytes:
    """The served version's dump in ``fmt``: the bytes /download sends, which the DCAT catalogue's checksums describe.

    An embedded store's dumps are read from its archive, written when the version was built: never
    rendered here (a version without one, a synthetic graph, has no downloads). A remote engine's
    statements are rendered once per version. Dumps have a cache of their own, so that strangers'
    Host headers can never push one out."""
    app_state = state()
    backend = app_state.backend

    def make() -> bytes:
        if isinstance(backend, EmbeddedBackend):
            return Versions(backend.layout.root).dump(backend.version, fmt)
        return export.dump(backend, fmt, app_state.settings.base_iri)

    return cache.cached(("dump", fmt.name), make, in_cache=lambda: state().downloads)


@blueprint.get("/download/<name>")
def download(name: str):
    fmt = formats.dump_file(name)
    if fmt is None:
        available = ", ".join(f.file_name for f in formats.DUMPS)
        raise NotFound(f"there is no download {name!r}; the downloads are {available}")
    return Response(dump_bytes(fmt), content_type=protocol.content_type(fmt.media_type),
                    headers={"Content-Disposition": f'attachment; filename="{fmt.file_name}"'})


@blueprint.get("/context.jsonld")
def context():
    return Response(json.dumps(serialization.context_document(), indent=2) + "\n", mimetype="application/ld+json")


@blueprint.get("/.well-known/void")
@whole_answers.reads(*negotiation.PARAMETERS)
def void_description():
    fmt = negotiation.choose(VOID_FORMATS)
    whole_answers.names_the_host(request.environ)
    app_state = state()
    endpoint = url_for("endpoint.sparql", _external=True)
    dumps = [url_for(".download", name=f.file_name, _external=True) for f in formats.DUMPS]
    catalogue = url_for("catalog.catalogue", _external=True)

    def describe() -> bytes:
        triples = void.describe(app_state.backend, app_state.settings.base_iri, sparql_endpoint=endpoint, dumps=dumps,
                                catalogue=catalogue)
        with app_state.backend.gate.slot():  # made for this Host: the client's work, like the queries above
            return serialization.render(serialization.canonical(triples), fmt, app_state.settings.base_iri)

    response = Response(cache.cached(("void", request.url_root, fmt.name), describe),
                        content_type=protocol.content_type(fmt.media_type))
    return negotiation.negotiated(response)
