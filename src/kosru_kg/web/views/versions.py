"""Citable versions: each version's dumps at ``/download/<version>/<file>`` (immutable), the list of
versions at ``/versions``, and the changes between two versions at ``/versions/<new>/changes``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for

from kosru_kg import formats
from kosru_kg.errors import NotFound
from kosru_kg.formats import Kind
from kosru_kg.service import protocol
from kosru_kg.service.versions import Versions
from kosru_kg.web import negotiation
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.state import state

blueprint = Blueprint("versions", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
PAGE, PATCH, TRIG = formats.named("html", Kind.PAGE), formats.named("rdfp", Kind.CHANGES), formats.dump("trig")
JSON = formats.named("json", Kind.DOCUMENT)
# By suffix, format= or Accept; the page by default. RDF Patch's older name, by Accept only, is answered as RDF Patch.
LIST_FORMATS = protocol.Offers.suffixed((PAGE, JSON))
CHANGES_FORMATS = protocol.Offers.suffixed((PAGE, *formats.of_kind(Kind.CHANGES), TRIG))


def versions() -> Versions:
    return state().versions


@blueprint.get("/download/<version>/<name>")
def download(version: str, name: str):
    """A version's dump: the same bytes for good, so caches may keep it for a year without asking again."""
    published = versions()
    published.release(version)  # an unknown version is a 404 naming the known ones, whatever the file
    fmt = formats.dump_file(name)
    if fmt is None:
        available = ", ".join(f.file_name for f in formats.DUMPS)
        raise NotFound(f"there is no download {name!r}; the downloads of version {version} are {available}")
    body = published.dump(version, fmt)
    response = Response(body, content_type=protocol.content_type(fmt.media_type),
                        headers={"Content-Disposition": f'attachment; filename="{fmt.file_name}"',
                                 "Cache-Control": IMMUTABLE})
    response.set_etag(f"{version}-{fmt.suffix}")  # set here, so the served version's tag is not put on it
    return response.make_conditional(request)


@blueprint.get("/versions", defaults={"suffix": None})
@blueprint.get("/versions.<suffix>")
@whole_answers.reads(*negotiation.PARAMETERS)
def listing(suffix: str | None):
    fmt = negotiation.choose(LIST_FORMATS, suffix)
    published = versions()
    releases = list(reversed(published.releases()))  # the newest first
    current = state().backend.version
    whole_answers.names_the_host(request.environ)
    rows = []
    for i, release in enumerate(releases):
        previous = releases[i + 1].version if i + 1 < len(releases) else None
        rows.append({
            "version": release.version,
            "published": release.published,
            "triples": release.triples,
            "current": release.version == current,
            "downloads": {f.file_name: url_for(".download", version=release.version, name=f.file_name, _external=True)
                          for f in formats.DUMPS},
            "changes": url_for(".changes", new=release.version, _external=True) if previous else None,
            "previous": previous,
        })
    if fmt is JSON:
        return negotiation.negotiated(Response(_json({"versions": rows}), mimetype=JSON.media_type), suffix)
    return negotiation.negotiated(Response(render_template("pages/versions.html", rows=rows, dumps=formats.DUMPS)),
                                  suffix)


@blueprint.get("/versions/<new>/changes", defaults={"suffix": None})
@blueprint.get("/versions/<new>/changes.<suffix>")
@whole_answers.reads("from", *negotiation.PARAMETERS)
def changes(new: str, suffix: str | None):
    published = versions()
    old = published.from_version(new, request.args.get("from"))
    fmt = formats.canonical(negotiation.choose(CHANGES_FORMATS, suffix))
    with state().backend.gate.slot():  # work a client can ask for at will: its budget, and a query slot, pay for it
        diff = published.changes(old, new)
    if fmt is PATCH:
        response = Response(diff.patch(), content_type=f"{PATCH.media_type}; charset=utf-8")
    elif fmt is TRIG:
        response = Response(diff.trig(state().settings.base_iri), content_type=protocol.content_type(TRIG.media_type))
    else:
        forms = {s: url_for(".changes", new=new, suffix=s, **{"from": old}) for s, _ in CHANGES_FORMATS.suffixes
                 if s != PAGE.suffix}
        response = Response(render_template("pages/changes.html", changes=diff, subjects=diff.by_subject(),
                                            forms=forms))
    return negotiation.negotiated(response, suffix)


def _json(document) -> str:
    return json.dumps(document, indent=2) + "\n"
