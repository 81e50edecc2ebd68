"""Whole GET answers of the served version, kept in memory and sent again without running the app.

A published version never changes, so the answer to a GET is fixed by the version, the path,
the query string and the Accept header (and, for the few answers that name the server, its
Host). The first answer to each such request is kept, whole, and the next ones are sent from
memory, revalidations (If-None-Match) answered 304 from the kept tag. Only 200 answers that
were sent whole are kept (not streams), within a total size and a number of entries, least
recently used out first: strangers' varied query strings and Host headers can churn the
cache but never grow it. A view whose answer names the server marks it with ``names_the_host``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from werkzeug.http import parse_etags

HOST_DEPENDENT = "kosru.names-the-host"  # environ key a view sets when its answer names the server
_HOST_VARIES = object()  # the entry under a request's host-free key when the answer depends on Host
REVALIDATION_HEADERS = ("etag", "cache-control", "vary")


class WholeAnswers:
    """WSGI middleware over ``app``; ``version()`` names the version being served."""

    def __init__(self, app, version: Callable[[], str], entries: int = 4096, total_bytes: int = 256 * 1024 * 1024,
                 largest: int = 16 * 1024 * 1024):
        self.app, self.version = app, version
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._served_version: str | None = None
        self._size = 0
        self._limit, self._total, self._largest = entries, total_bytes, largest

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        version = self.version()
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""))
        host_key = (*key, environ.get("HTTP_HOST", ""), environ["wsgi.url_scheme"])
        kept = self._get(version, key)
        if kept is _HOST_VARIES:
            kept = self._get(version, host_key)
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
        if not any(name.lower() == "content-length" for name, _ in headers):
            return body  # a stream: sent as it comes, never held
        try:
            whole = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        if len(whole) <= self._largest:
            if environ.get(HOST_DEPENDENT):
                self._put(version, key, _HOST_VARIES, 0)
                key = host_key
            self._put(version, key, (answered[0], headers, whole), len(whole))
        return [whole]

    def _get(self, version: str, key: tuple):
        with self._lock:
            if version != self._served_version:
                self._served_version, self._entries, self._size = version, OrderedDict(), 0
                return None
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
            return kept

    def _put(self, version: str, key: tuple, kept, size: int) -> None:
        with self._lock:
            if version != self._served_version or key in self._entries:
                return
            self._entries[key] = kept
            self._size += size
            while len(self._entries) > self._limit or self._size > self._total:
                _, dropped = self._entries.popitem(last=False)
                if dropped is not _HOST_VARIES:
                    self._size -= len(dropped[2])


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
