"""Limits every request meets before any work is done for it, and the time budget its queries share."""

from __future__ import annotations

import io
import os
import queue
import re
import threading

from flask import Flask, g, request
from werkzeug.wrappers import Response

from kosru_kg.errors import BadRequest, HeaderFieldsTooLarge, PayloadTooLarge, UriTooLong
from kosru_kg.query import budget, fair_use
from kosru_kg.web.state import KEY, state


def register(app: Flask) -> None:
    settings = app.extensions[KEY].settings
    # Werkzeug enforces it too while a body of unstated length is read; the check below names it first.
    app.config["MAX_CONTENT_LENGTH"] = body_limit(settings.max_query_bytes)
    app.before_request(_check_and_open_budget)
    app.teardown_request(_close_budget)
    app.before_request(_charge_to_client)
    app.teardown_request(_stop_charging)


def body_limit(query_bytes: int) -> int:
    """A form body may percent-encode every byte of the query (three bytes each), plus other parameters."""
    return 3 * query_bytes + 4096


def _check_and_open_budget() -> None:
    settings = state().settings
    environ = request.environ  # read directly: these checks run on every request
    refusal = host_refusal(environ)
    if refusal:
        raise BadRequest(refusal)
    target = len(environ.get("PATH_INFO", "")) + 1 + len(environ.get("QUERY_STRING", ""))
    if target > settings.max_url_bytes:
        raise UriTooLong(f"the request target is {target} bytes; this server takes at most {settings.max_url_bytes} "
                         "(send a long query by POST)")
    fields = [(key, value) for key, value in environ.items() if key.startswith("HTTP_")]
    fields += [(key, environ[key]) for key in ("CONTENT_TYPE", "CONTENT_LENGTH") if environ.get(key)]
    if len(fields) > settings.max_headers:
        raise HeaderFieldsTooLarge(f"the request has {len(fields)} header fields; this server takes at most "
                                   f"{settings.max_headers}")
    for key, value in fields:
        if len(key) + len(value) + 2 > settings.max_header_bytes:
            name = key.removeprefix("HTTP_").replace("_", "-").title()
            raise HeaderFieldsTooLarge(f"the {name} header is longer than {settings.max_header_bytes} bytes")
    length = request.content_length
    if length is not None and length > body_limit(settings.max_query_bytes):
        raise PayloadTooLarge(f"the request body is {length} bytes; this server takes at most "
                              f"{body_limit(settings.max_query_bytes)}")
    g.budget_token = budget.enter(budget.Budget.starting_now(settings.query_timeout))


# RFC 9112 §3.2: a Host header is uri-host [":" port] (RFC 3986 §3.2.2), or empty. The grammar lets a reg-name
# hold a comma, but no host name does, and a comma is how the HTTP server joins two Host lines.
HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+(?:%25[\w.~-]+)?\]|(?:[\w.~!$&'()*+;=-]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?",
                  re.ASCII)


def host_refusal(environ) -> str | None:
    """Why a request's Host header gets a 400 (RFC 9112 §3.2: one Host line, naming one host), or None.

    Read from the environ alone, so that the whole-answer cache (below Flask) never answers such a request."""
    host = environ.get("HTTP_HOST", "")
    if "," in host:
        return (f"the request has more than one Host header, or one naming more than one host ({host[:200]!r}); "
                "RFC 9112 §3.2 asks for exactly one")
    if not HOST.fullmatch(host):
        return f"the Host header {host[:200]!r} is not a host name with an optional port (RFC 9112 §3.2)"
    return None


def _close_budget(_exc) -> None:
    token = g.pop("budget_token", None)
    if token is not None:
        budget.leave(token)


SERVER_WORK = "kosru.server-work"  # environ key of the server's own requests (warming): charged to nobody


def _charge_to_client() -> None:
    """Every query this request makes, a page's as well as /sparql's, is this client's (``fair_use``)."""
    if request.environ.get(SERVER_WORK):
        return
    client = fair_use.client_address(request.environ.get("REMOTE_ADDR", ""), request.headers.get("X-Forwarded-For"),
                                     state().trusted_proxies)
    g.client_token = fair_use.enter(client)


def _stop_charging(_exc) -> None:
    token = g.pop("client_token", None)
    if token is not None:
        fair_use.leave(token)


class BodyDeadline:
    """WSGI middleware: a request body that has not all arrived within ``seconds`` gets a 408.

    The HTTP server calls the app once the headers are in; the body is read here, by a helper
    thread, so that a client trickling its body holds a request thread for ``seconds`` at
    most. The app then reads the body from memory (its size is bounded by ``most`` bytes).
    """

    def __init__(self, app, seconds: float, most: int):
        self.app, self.seconds, self.most = app, seconds, most
        self._readers = _Readers()

    def __call__(self, environ, start_response):
        declared = environ.get("CONTENT_LENGTH", "")
        has_body = declared not in ("", "0") or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if has_body and not (declared.isdigit() and int(declared) > self.most):  # too large: refused unread
            arrived: queue.SimpleQueue = queue.SimpleQueue()
            self._readers.run(self._read, environ["wsgi.input"], arrived)
            try:
                body = arrived.get(timeout=self.seconds)
            except queue.Empty:
                return self._refuse(environ, start_response)
            if isinstance(body, Exception):
                raise body
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def _read(self, stream, arrived: queue.SimpleQueue) -> None:
        """Read to the end, or one byte past the limit (the app then refuses the size)."""
        body = bytearray()
        try:
            while len(body) <= self.most and (chunk := stream.read(min(64 * 1024, self.most + 1 - len(body)))):
                body += chunk
            arrived.put(bytes(body))
        except Exception as exc:  # noqa: BLE001 - a broken body is the request's fault: handed to the app's handler
            arrived.put(exc)

    def _refuse(self, environ, start_response):
        message = f"408 Request timeout: the request body did not arrive within {self.seconds:g} s\n"
        response = Response(message, status=408, mimetype="text/plain", headers={"Connection": "close"})
        return response(environ, start_response)


class _Readers:
    """Threads that read request bodies, each kept for another once its body is read.

    Starting a thread for every POST cost about 0.4 ms of the web process's time (an uncached
    ``ASK {}``: 740 req/s POSTed, 1,140 as a GET). A reader is started whenever none is idle, so a
    body that never arrives, which holds its reader until the connection closes, delays no other.
    """

    MOST_IDLE = 16

    def __init__(self):
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue] = []
        self._pid = os.getpid()

    def run(self, work, *args) -> None:
        """Call ``work(*args)`` on an idle reader, or on a new one."""
        with self._lock:
            if os.getpid() != self._pid:  # forked (a server worker): the parent's readers are not here
                self._idle, self._pid = [], os.getpid()
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), daemon=True).start()
        inbox.put((work, args))

    def _serve(self, inbox: queue.SimpleQueue) -> None:
        pid = os.getpid()
        while True:
            work, args = inbox.get()
            work(*args)
            with self._lock:
                if len(self._idle) >= self.MOST_IDLE or self._pid != pid:
                    return
                self._idle.append(inbox)


class ForwardedScheme:
    """WSGI middleware: behind a trusted proxy that terminates TLS, links are built as ``https``.

    X-Forwarded-Proto is believed only from the addresses of KOSRU_TRUSTED_PROXIES.
    """

    def __init__(self, app, trusted: tuple):
        self.app, self.trusted = app, trusted

    def __call__(self, environ, start_response):
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").lower()
        if scheme in ("http", "https") and fair_use.is_trusted(environ.get("REMOTE_ADDR", ""), self.trusted):
            environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)
