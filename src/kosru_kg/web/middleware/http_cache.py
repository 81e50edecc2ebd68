"""HTTP caching: every GET answer is tagged with the dataset version, so a revalidation costs nothing.

A published version never changes, so the answer to a GET is fixed by the version, the URL
and what the request negotiates on (Accept, and Host for the pages that name the server), and,
for a page, the interface language (``web.i18n``). The tag is computed from those alone, before any work: a client, reverse proxy or CDN that
already holds the answer gets 304 Not Modified without a query being run. Tags are weak
(RFC 9110 §8.8.1): equivalent, not promised byte-identical, across servers of one version.

Whether an answer is a page (language-dependent) or not (RDF, results: the same in every
language) is fixed by the rest of the request, so a revalidation matches either the tag of
the language-free answer or the tag of the page in the request's language. An answer that
sets a cookie (the language switcher's) is private.

The few answers that say what holds today (the home page's map, ``asOf=today``, a state's
position now) read the date through ``clock.today``, which notes it: their tag also carries
the day (UTC), so that it changes at midnight although the version does not. Whether an
answer reads the date is fixed by the request too, so a revalidation may match the tags of
today as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import Flask, Response, g, request

from kosru_kg import clock
from kosru_kg.web import i18n
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.state import state

CACHEABLE_METHODS = ("GET", "HEAD")


def register(app: Flask) -> None:
    app.before_request(_note_the_day)
    app.before_request(_not_modified)
    app.after_request(_tag)
    app.teardown_request(_stop_noting)


def entity_tag(language: str | None = None, day: dt.date | None = None) -> str:
    """The weak tag of this request's answer in the served version (read from the environ: it is on every GET).

    ``language`` is the interface language of a page; None for an answer the same in every language.
    ``day`` is the day an answer that reads today's date was made for; None for the others.
    """
    version = state().backend.version
    environ = request.environ
    negotiated = "\n".join(environ.get(name, "") for name in ("PATH_INFO", "QUERY_STRING", "HTTP_ACCEPT", "HTTP_HOST"))
    if language:
        negotiated += "\n" + language
    if day:
        negotiated += "\nday " + day.isoformat()
    return f'W/"{version}-{hashlib.sha1(negotiated.encode("utf-8", "surrogateescape")).hexdigest()[:12]}"'


def _tags(day: dt.date | None = None) -> tuple[str, str]:
    """The tag of the language-free answer and of the page in this request's language (made on ``day``)."""
    return entity_tag(day=day), entity_tag(i18n.from_environ(request.environ), day)


def _note_the_day() -> None:
    g.days_read = []
    g.noting = clock.noting(g.days_read)


def _stop_noting(exc: BaseException | None = None) -> None:
    token = g.pop("noting", None)
    if token is not None:
        clock.stop_noting(token)


def _not_modified() -> Response | None:
    if request.method not in CACHEABLE_METHODS or not request.if_none_match:
        return None
    tags = g.entity_tags = _tags()  # kept for the answer, should none match
    # An answer that reads the date carries today's in its tag (not noted: asking is not reading it).
    candidates = (*tags, *_tags(clock.utc_today()))
    matched = next((tag for tag in candidates
                    if request.if_none_match.contains_weak(tag.removeprefix("W/").strip('"'))), None)
    if matched is None:
        return None
    response = Response(status=304)
    _describe(response, matched)
    if candidates.index(matched) % 2:  # the page's tag, in the request's language
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def _tag(response: Response) -> Response:
    if response.status_code >= 500:
        response.headers["Cache-Control"] = "no-store"  # busy or out of time now, not for good
    elif request.method in CACHEABLE_METHODS and response.status_code == 200:
        days = sorted(set(g.get("days_read", ())))
        if days:  # the answer depends on the day: kept whole, and tagged, for that day
            whole_answers.made_on(request.environ, days)
        if "ETag" not in response.headers:
            plain, paged = _tags(days[-1]) if days else g.get("entity_tags") or _tags()
            _describe(response, paged if response.mimetype == "text/html" else plain)
    return response


def _describe(response: Response, tag: str) -> None:
    settings = state().settings
    headers = response.headers
    headers["ETag"] = tag
    shared = "private" if "Set-Cookie" in headers else "public"
    headers["Cache-Control"] = f"{shared}, max-age={settings.cache_max_age}"
    vary = headers.get("Vary")
    if vary is None:  # set directly: parsing Vary costs more than the rest of this function
        headers["Vary"] = "Accept"
    elif "accept" not in vary.lower():
        response.vary.add("Accept")
