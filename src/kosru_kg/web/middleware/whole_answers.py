"""Whole GET answers of the served version, kept in memory and sent again without running the app.

A published version never changes, so the answer to a GET is fixed by the version, the path,
the query string and the Accept header (and, for the few answers that name the server, its
Host). The first answer to each such request is kept, whole, and the next ones are sent from
memory, revalidations (If-None-Match) answered 304 from the kept tag. Only 200 answers that
were sent whole are kept (not streams), within a total size and a number of entries, least
recently used out first: strangers' varied query strings and Host headers can churn the
cache but never grow it. A view whose answer names the server marks it with ``names_the_host``;
a page (rendered in the request's interface language, ``web.i18n``) is kept per language; an
answer that reads today's date (``clock.today``; ``http_cache`` marks it with ``made_on``) is kept
per day (UTC), so that the next day's request makes it again; and an answer that sets a cookie
is never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from werkzeug.http import parse_etags

from kosru_kg import clock
from kosru_kg.version_cache import VersionCache
from kosru_kg.web import i18n

HOST_DEPENDENT = "kosru.names-the-host"  # environ key a view sets when its answer names the server
MADE_ON = "kosru.made-on"  # environ key: the days (ISO dates) an answer read as today's date, when it read any


class _Varies:
    """The entry under a request's plain key when the answer depends on its Host, its language and/or the day."""

    def __init__(self, host: bool, language: bool, day: bool = False):
        self.host, self.language, self.day = host, language, day

    def key(self, key: tuple, environ, day: str) -> tuple:
        host = (environ.get("HTTP_HOST", ""), environ["wsgi.url_scheme"]) if self.host else ()
        return (*key, *host, i18n.from_environ(environ) if self.language else "", day if self.day else "")


REVALIDATION_HEADERS = ("etag", "cache-control", "vary")


class WholeAnswers:
    """WSGI middleware over ``app``; ``version()`` names the version being served."""

    def __init__(self, app, version: Callable[[], str], entries: int = 4096, total_bytes: int = 256 * 1024 * 1024,
                 largest: int = 16 * 1024 * 1024):
        self.app, self.version = app, version
        self._kept: VersionCache = VersionCache(entries, total_bytes)
        self._largest = largest

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        version = self.version()
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""))
        kept = self._kept.get(version, key)
        if isinstance(kept, _Varies):
            kept = self._kept.get(version, kept.key(key, environ, clock.utc_today().isoformat()))
        if kept is not None:
            return _send(kept, environ, start_response, head=method == "HEAD")
        answered: list = []

        def recording_start_response(status, headers, exc_info=None):
            answered[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start_response)
        if method == "HEAD" or not answered or not answered[0].startswith("200 "):
            return body
        headers = answered[1]
        names = {name.lower() for name, _ in headers}
        if "content-length" not in names or "set-cookie" in names:
            return body  # a stream, sent as it comes, or an answer for one client: never held
        try:
            whole = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        days = environ.get(MADE_ON, ())
        if len(whole) <= self._largest and len(days) <= 1:  # one made across midnight is not kept
            varies = _Varies(bool(environ.get(HOST_DEPENDENT)), i18n.LANGUAGE_KEY in environ, bool(days))
            if varies.host or varies.language or varies.day:
                self._kept.put(version, key, varies)
                key = varies.key(key, environ, days[0] if days else "")
            self._kept.put(version, key, (answered[0], headers, whole), len(whole))
        return [whole]


def _send(kept: tuple, environ, start_response, head: bool) -> Iterable[bytes]:
    status, headers, whole = kept
    asked = environ.get("HTTP_IF_NONE_MATCH")
    if asked:
        tag = next((value for name, value in headers if name.lower() == "etag"), None)
        if tag and parse_etags(asked).contains_weak(tag.removeprefix("W/").strip('"')):
            start_response("304 Not Modified", [(name, value) for name, value in headers
                                                if name.lower() in REVALIDATION_HEADERS])
            return []
    start_response(status, headers)
    return [] if head else [whole]


def names_the_host(environ) -> None:
    """Mark this request's answer as naming the server, so that it is kept per Host."""
    environ[HOST_DEPENDENT] = True


def made_on(environ, days) -> None:
    """Mark this request's answer as made for ``days`` (the dates it read as today's), so that it is kept per day."""
    environ[MADE_ON] = tuple(day.isoformat() for day in days)
