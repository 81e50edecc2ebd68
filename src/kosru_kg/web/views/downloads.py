"""Downloads of the whole graph, its JSON-LD context, and the VoID description at ``/.well-known/void``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request, url_for

from kosru_kg import formats
from kosru_kg.errors import NotFound
from kosru_kg.formats import Kind
from kosru_kg.service import export, protocol, void
from kosru_kg.web import cache
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.state import state

blueprint = Blueprint("downloads", __name__)

# Formats of the VoID description, by media type; the first is the default.
VOID_FORMATS = {f.media_type: f for f in formats.of_kind(Kind.GRAPH)}


def dump_bytes(fmt: formats.Format) -> bytes:
    """The served version's dump in ``fmt``: the bytes /download sends, which the DCAT catalogue's checksums describe.

    Dumps have a cache (and locks) of their own: a slow JSON-LD dump must not hold up the pages. A version
    published in this store has its dumps archived there, made once for every server process (the
    JSON-LD one takes pyld most of a minute); a store elsewhere is rendered here."""
    app_state = state()
    settings, version = app_state.settings, app_state.backend.version

    def make() -> bytes:
        archive = app_state.versions
        if archive.find(version) is not None:
            try:
                return archive.dump(version, fmt, settings.base_iri)
            except NotFound:  # published without an archive (a synthetic graph)
                pass
        return export.dump(app_state.backend, fmt, settings.base_iri)

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
    return Response(json.dumps(export.context_document(), indent=2) + "\n", mimetype="application/ld+json")


@blueprint.get("/.well-known/void")
def void_description():
    media_type = protocol.negotiate(request.headers.get("Accept"), list(VOID_FORMATS), request.args.getlist("format"))
    fmt = VOID_FORMATS[media_type]
    whole_answers.names_the_host(request.environ)
    app_state = state()
    endpoint = url_for("endpoint.sparql", _external=True)
    dumps = [url_for(".download", name=f.file_name, _external=True) for f in formats.DUMPS]
    catalogue = url_for("catalog.catalogue", _external=True)

    def describe() -> bytes:
        triples = void.describe(app_state.backend, app_state.settings.base_iri, sparql_endpoint=endpoint, dumps=dumps,
                                catalogue=catalogue)
        return export.render(export.canonical(triples), fmt, app_state.settings.base_iri)

    response = Response(cache.cached(("void", request.url_root, fmt.name), describe),
                        content_type=protocol.content_type(media_type))
    response.vary.add("Accept")
    return response
