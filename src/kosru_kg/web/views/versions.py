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
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.state import state

blueprint = Blueprint("versions", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
LIST_TYPES = {"html": "text/html", "json": "application/json"}
PAGE, PATCH, TRIG = formats.named("html", Kind.PAGE), formats.named("rdfp", Kind.CHANGES), formats.dump("trig")
CHANGES_TYPES = {f.suffix: f.media_type for f in (PAGE, PATCH, TRIG)}  # by suffix or Accept; the page by default
OLDER_NAMES = tuple(f.media_type for f in formats.of_kind(Kind.CHANGES) if not f.names)  # Accept only


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


def _chosen(offers: dict[str, str], suffix: str | None, older_names: tuple[str, ...] = ()) -> str:
    """The media type a suffix names, else the one Accept prefers (the first offer by default); an offer's
    older name, acceptable by Accept too, is answered as the offer."""
    if suffix is not None:
        if suffix not in offers:
            raise NotFound(f"there is no {suffix!r} form of this page; its forms are "
                           f"{', '.join('.' + s for s in offers if s != 'html')} (or none, for HTML)")
        return offers[suffix]
    chosen = protocol.negotiate(request.headers.get("Accept"), [*offers.values(), *older_names])
    return formats.canonical(formats.BY_MEDIA_TYPE[chosen]).media_type if chosen in older_names else chosen


def _vary(response: Response, suffix: str | None) -> Response:
    if suffix is None:
        response.vary.add("Accept")
    return response


@blueprint.get("/versions", defaults={"suffix": None})
@blueprint.get("/versions.<suffix>")
def listing(suffix: str | None):
    media_type = _chosen(LIST_TYPES, suffix)
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
    if media_type == "application/json":
        return _vary(Response(_json({"versions": rows}), mimetype="application/json"), suffix)
    return _vary(Response(render_template("pages/versions.html", rows=rows, dumps=formats.DUMPS)), suffix)


@blueprint.get("/versions/<new>/changes", defaults={"suffix": None})
@blueprint.get("/versions/<new>/changes.<suffix>")
@whole_answers.reads("from")
def changes(new: str, suffix: str | None):
    published = versions()
    old = published.from_version(new, request.args.get("from"))
    fmt = formats.BY_MEDIA_TYPE[_chosen(CHANGES_TYPES, suffix, OLDER_NAMES)]
    with state().backend.gate.slot():  # work a client can ask for at will: its budget, and a query slot, pay for it
        diff = published.changes(old, new)
    if fmt is PATCH:
        response = Response(diff.patch(), content_type=f"{PATCH.media_type}; charset=utf-8")
    elif fmt is TRIG:
        response = Response(diff.trig(state().settings.base_iri), content_type=protocol.content_type(TRIG.media_type))
    else:
        forms = {s: url_for(".changes", new=new, suffix=s, **{"from": old}) for s in CHANGES_TYPES if s != "html"}
        response = Response(render_template("pages/changes.html", changes=diff, subjects=diff.by_subject(),
                                            forms=forms))
    return _vary(response, suffix)


def _json(document) -> str:
    return json.dumps(document, indent=2) + "\n"
