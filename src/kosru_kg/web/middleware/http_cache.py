"""HTTP caching: every GET answer is tagged with the dataset version, so a revalidation costs nothing.

A published version never changes, so the answer to a GET is fixed by the version, the URL
and what the request negotiates on (Accept, and Host for the pages that name the server).
The tag is computed from those alone, before any work: a client, reverse proxy or CDN that
already holds the answer gets 304 Not Modified without a query being run. Tags are weak
(RFC 9110 §8.8.1): equivalent, not promised byte-identical, across servers of one version.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g, request

from kosru_kg.web.state import state

CACHEABLE_METHODS = ("GET", "HEAD")


def register(app: Flask) -> None:
    app.before_request(_not_modified)
    app.after_request(_tag)


def entity_tag() -> str:
    """The weak tag of this request's answer in the served version (read from the environ: it is on every GET)."""
    version = state().backend.version
    environ = request.environ
    negotiated = "\n".join(environ.get(name, "") for name in ("PATH_INFO", "QUERY_STRING", "HTTP_ACCEPT", "HTTP_HOST"))
    return f'W/"{version}-{hashlib.sha1(negotiated.encode("utf-8", "surrogateescape")).hexdigest()[:12]}"'


def _not_modified() -> Response | None:
    if request.method not in CACHEABLE_METHODS or not request.if_none_match:
        return None
    tag = g.entity_tag = entity_tag()  # kept for the answer, should this one not match
    if not request.if_none_match.contains_weak(tag.removeprefix("W/").strip('"')):
        return None
    response = Response(status=304)
    _describe(response, tag)
    return response


def _tag(response: Response) -> Response:
    if response.status_code >= 500:
        response.headers["Cache-Control"] = "no-store"  # busy or out of time now, not for good
    elif request.method in CACHEABLE_METHODS and response.status_code == 200 and "ETag" not in response.headers:
        _describe(response, g.get("entity_tag") or entity_tag())
    return response


def _describe(response: Response, tag: str) -> None:
    settings = state().settings
    headers = response.headers
    headers["ETag"] = tag
    headers["Cache-Control"] = f"public, max-age={settings.cache_max_age}"
    vary = headers.get("Vary")
    if vary is None:  # set directly: parsing Vary costs more than the rest of this function
        headers["Vary"] = "Accept"
    elif "accept" not in vary.lower():
        response.vary.add("Accept")
