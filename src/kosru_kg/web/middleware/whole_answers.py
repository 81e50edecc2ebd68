"""Whole GET answers of the served version, kept in memory and sent again without running the app.

A published version never changes, so the answer to a GET is fixed by the version, the path,
the query parameters its view reads and the Accept header (and, for the few answers that name
the server, its Host). Each view declares the parameters it reads (``reads``); the others are
dropped from the request before the app sees it, so ``?x=1``, ``?x=2``, … reach neither the view
nor the key, and cannot push kept answers out. The parameters a view reads are in the key by
their decoded values, in the order of their names, which is also the order the app sees them in:
one request spelled two ways is one entry. ``?lang=`` reaches every view; a page (rendered in the
request's interface language, ``web.i18n``) is kept per language, the one ``i18n.from_environ``
chooses, never per the text of ``?lang=``; an answer that names the server (``names_the_host``)
is kept per Host; an answer that reads today's date (``clock.today``; ``http_cache`` marks it with
``made_on``) is kept per day (UTC), so that the next day's request makes it again; and an answer
that sets a cookie is never kept. A request whose Host the app refuses (``limits.host_refusal``)
is never answered from here.

The first answer to each request is kept, whole, and the next ones are sent from memory,
revalidations (If-None-Match) answered 304 from the kept tag. Only 200 answers sent whole are
kept (not streams), within a number of entries and a total size that counts keys, headers and
bodies, least recently used out first. Every answer says whether it came from here in a
``Cache-Status`` header (RFC 9211): ``hit``, or why it was not (``fwd=uri-miss``, ``fwd=vary-miss``).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from urllib.parse import unquote_to_bytes

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags

from kosru_kg import clock
from kosru_kg.version_cache import VersionCache, footprint
from kosru_kg.web import i18n
from kosru_kg.web.middleware import limits

HOST_DEPENDENT = "kosru.names-the-host"  # environ key a view sets when its answer names the server
MADE_ON = "kosru.made-on"  # environ key: the days (ISO dates) an answer read as today's date, when it read any
READS = "kosru_reads"  # a view's attribute: the parameters it reads (``reads``)
EVERY_VIEW_READS = frozenset({i18n.PARAMETER})  # a page's language; in the key as the language chosen
CACHE_STATUS = "Cache-Status"
HIT, URI_MISS, VARY_MISS = "kosru-kg; hit", "kosru-kg; fwd=uri-miss", "kosru-kg; fwd=vary-miss"
REVALIDATION_HEADERS = ("etag", "cache-control", "vary", CACHE_STATUS.lower())
# Allocators' settings that give freed memory back at once (``return_freed_memory``).
JEMALLOC_CONF = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")  # Granian's (Rust) allocator
M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 128 * 1024  # glibc's mallopt parameter (malloc.h), and its default value

TOTAL_BYTES = 256 * 1024 * 1024  # what the kept answers may hold in all, keys and headers counted
Given = list[tuple[str, bytes, str]]  # the query string's parameters: (name, decoded value, as sent)


@dataclass(frozen=True, slots=True)
class _Varies:
    """What the answers to one path and Accept header depend on, kept under that pair: the parameters its
    view reads, and whether the Host, the language and the day count."""

    parameters: frozenset[str]
    host: bool
    language: bool
    day: bool

    def key(self, plain: tuple, given: Given, environ, language: str | None, day: str) -> tuple:
        host = (environ.get("HTTP_HOST", ""), environ["wsgi.url_scheme"]) if self.host else None
        read = sorted(((name, value) for name, value, _ in given if name in self.parameters and name != i18n.PARAMETER),
                      key=itemgetter(0))  # stable: a parameter's values keep their order
        return (*plain, tuple(read), host, language if self.language else None, day if self.day else None)


class WholeAnswers:
    """WSGI middleware over ``app``; ``version()`` names the version being served, ``parameters(environ)`` the
    query parameters the view a request goes to reads (``declared_by``)."""

    def __init__(self, app, version: Callable[[], str], parameters: Callable[[dict], frozenset[str]],
                 entries: int = 4096, total_bytes: int = TOTAL_BYTES, largest: int = 16 * 1024 * 1024):
        self.app, self.version, self._parameters = app, version, parameters
        self._kept: VersionCache = VersionCache(entries, total_bytes)
        self._largest = largest

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD") or limits.host_refusal(environ):
            return self.app(environ, start_response)
        given = _given(environ.get("QUERY_STRING", ""))
        if given is None:  # not UTF-8: the app refuses it
            return self.app(environ, start_response)
        version = self.version()
        plain = (environ.get("PATH_INFO", ""), environ.get("HTTP_ACCEPT", ""))
        varies = self._kept.get(version, plain)
        if varies is not None:
            kept = self._kept_answer(version, varies, plain, given, environ)
            if kept is not None:
                return _send(kept, environ, start_response, head=method == "HEAD")
            parameters, status = varies.parameters, VARY_MISS
        else:
            parameters, status = self._parameters(environ) | EVERY_VIEW_READS, URI_MISS
        given = sorted((each for each in given if each[0] in parameters), key=itemgetter(0))
        environ["QUERY_STRING"] = "&".join(sent for _, _, sent in given)
        answered: list = []

        def recording_start_response(line, headers, exc_info=None):
            answered[:] = [line, headers]
            return start_response(line, [*headers, (CACHE_STATUS, status)], exc_info)

        body = self.app(environ, recording_start_response)
        if method == "HEAD" or not answered or not answered[0].startswith("200 "):
            return body
        line, headers = answered
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
            language = environ.get(i18n.LANGUAGE_KEY)  # the language the page was rendered in, if it is one
            made = _Varies(parameters, bool(environ.get(HOST_DEPENDENT)), language is not None, bool(days))
            kept = self._kept.put(version, plain, made, sys.getsizeof(made) + footprint(made.parameters))
            if kept == made:  # else the answer would be kept under a key no lookup makes
                self._kept.put(version, made.key(plain, given, environ, language, days[0] if days else ""),
                               (line, headers, whole), footprint((line, headers)) + sys.getsizeof(whole))
        return [whole]

    def _kept_answer(self, version: str, varies: _Varies, plain: tuple, given: Given, environ) -> tuple | None:
        language = None
        if varies.language:  # chosen as the app chooses it (``i18n.from_environ``)
            asked, cookie, accept_language = i18n.preferences(environ)
            if i18n.cookie_to_set(asked, cookie):
                return None  # the page sets the cookie: an answer for one client
            language = i18n.choose(asked, cookie, accept_language)
        day = clock.utc_today().isoformat() if varies.day else ""
        return self._kept.get(version, varies.key(plain, given, environ, language, day))


def _given(query: str) -> Given | None:
    """The parameters of a query string, each with its name and value decoded as the app decodes them (``+``
    a space, then percent-escapes), and as sent; None if the query string is not UTF-8."""
    if not query:
        return []
    try:
        sent = query.encode("latin-1")  # a WSGI string holds the bytes as sent
        sent.decode("utf-8")
    except UnicodeError:
        return None
    given = []
    for segment in sent.split(b"&"):
        if segment:
            name, _, value = segment.replace(b"+", b" ").partition(b"=")
            given.append((unquote_to_bytes(name).decode("utf-8", "replace"), unquote_to_bytes(value),
                          segment.decode("latin-1")))
    return given


def _send(kept: tuple, environ, start_response, head: bool) -> Iterable[bytes]:
    line, headers, whole = kept
    asked = environ.get("HTTP_IF_NONE_MATCH")
    if asked:
        tag = next((value for name, value in headers if name.lower() == "etag"), None)
        if tag and parse_etags(asked).contains_weak(tag.removeprefix("W/").strip('"')):
            start_response("304 Not Modified", [*((name, value) for name, value in headers
                                                  if name.lower() in REVALIDATION_HEADERS), (CACHE_STATUS, HIT)])
            return []
    start_response(line, [*headers, (CACHE_STATUS, HIT)])
    return [] if head else [whole]


def reads(*names: str | Callable[..., Iterable[str]]):
    """Declare the query parameters a view reads: by name, or as a function of its URL's values (called in the
    app's context). Only these and ``?lang=`` reach it; a view that declares none gets ``?lang=`` alone."""
    def declare(view):
        setattr(view, READS, names[0] if len(names) == 1 and callable(names[0]) else frozenset(names))
        return view

    return declare


def declared_by(app: Flask) -> Callable[[dict], frozenset[str]]:
    """The parameters declared (``reads``) by the view of ``app`` a request goes to; none for a request no view
    answers (a 404, a redirect)."""
    def parameters(environ) -> frozenset[str]:
        try:
            endpoint, values = app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return frozenset()
        declared = getattr(app.view_functions.get(endpoint), READS, frozenset())
        if callable(declared):
            with app.app_context():
                declared = frozenset(declared(**values))
        return declared

    return parameters


def return_freed_memory() -> None:
    """Have the web process's allocators give freed memory back to the system at once, so that its RSS follows
    what the caches hold. Call it before the HTTP server is imported: its allocator reads its settings once.

    Measured (issue 23, ``bench/cache_flood.py`` on two cores: 8 threads ask for 720 versioned dumps under as many
    Accept headers, 6 times what the cache holds): the web process held 503 MiB at the end and idle, for a cap of
    256 MiB and 105 MiB at start. glibc raises its mmap threshold past an answer's size once it frees one, then
    keeps later answers in heaps it does not shrink; Granian's jemalloc keeps the pages of the copies it sends until
    it next purges, never while idle. With glibc's threshold fixed at its default (larger answers are mapped alone
    and unmapped when freed) and jemalloc's decay at 0 it held 346 MiB. The cost: answers of a megabyte or more are
    sent at about half the rate (a 1.2 MB dump from memory: 900 to 1,100 a second rather than 1,800 to 2,600); small
    ones as fast.
    """
    os.environ.setdefault(*JEMALLOC_CONF)  # an operator's own setting is kept
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)  # fixed, where glibc would raise it
    except (OSError, AttributeError):
        pass  # not glibc: its allocator's own policy holds


def names_the_host(environ) -> None:
    """Mark this request's answer as naming the server, so that it is kept per Host."""
    environ[HOST_DEPENDENT] = True


def made_on(environ, days) -> None:
    """Mark this request's answer as made for ``days`` (the dates it read as today's), so that it is kept per day."""
    environ[MADE_ON] = tuple(day.isoformat() for day in days)
