"""One place that renders every error: JSON for clients that ask, HTML for browsers, else text.

An HTML error page is in the interface language: its title and frame are translated, and the
message, written by the code that raised the error for every client, is shown in English,
marked ``lang="en"`` on a page in another language. JSON and text errors stay English.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from flask_babel import gettext
from markupsafe import escape
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed

from kosru_kg.errors import MEDIA_TYPES, HttpError
from kosru_kg.web import language
from kosru_kg.web.i18n import N_
from kosru_kg.web.middleware.access_log import OUTCOME

log = logging.getLogger("kosru_kg")
# Every status's title, as kosru_kg.errors and Werkzeug write them, for the catalogs (translated where shown).
TITLES = (
    N_("Internal error"), N_("Bad request"), N_("Forbidden"), N_("Not found"), N_("Method not allowed"),
    N_("Not acceptable"), N_("Payload too large"), N_("URI too long"), N_("Unsupported media type"),
    N_("Request header fields too large"), N_("Too many requests"), N_("Service unavailable"),
    N_("Bad Request"), N_("Not Found"), N_("Method Not Allowed"), N_("Request Entity Too Large"),
    N_("Request-URI Too Long"), N_("Request Header Fields Too Large"), N_("Internal Server Error"),
)
_TITLES = frozenset(TITLES)


def render(status: int, title: str, message: str, headers: dict[str, str] | None = None) -> Response:
    accept = request.accept_mimetypes
    best = accept.best_match(MEDIA_TYPES, default=MEDIA_TYPES[0])
    if best == "application/json":
        response = jsonify({"status": status, "error": title, "message": message})
    elif best == "text/html" and accept["text/html"] > accept["text/plain"]:
        tag = language.language()
        shown = gettext(title) if title in _TITLES else title
        marked = ' lang="en"' if tag != "en" else ""
        page = (f"<!doctype html><html lang=\"{tag}\"><head><meta charset=\"utf-8\"><title>{status} {escape(shown)}"
                f"</title></head><body><main><h1>{status} {escape(shown)}</h1><p{marked}>{escape(message)}</p>"
                "</main></body></html>")
        response = Response(page, mimetype="text/html")
    else:
        response = Response(f"{status} {title}: {message}\n", mimetype="text/plain")
    response.status_code = status
    response.headers.update(headers or {})
    response.vary.add("Accept")
    return response


def register(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _http_error(exc: HttpError):
        request.environ[OUTCOME] = type(exc).__name__
        return render(exc.status, exc.title, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def _werkzeug_error(exc: HTTPException):
        headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        message = exc.description or exc.name
        if isinstance(exc, MethodNotAllowed) and "Allow" in headers:
            message = f"{request.method} is not allowed on {request.path}, which is read-only; use {headers['Allow']}"
        return render(exc.code or 500, exc.name, message, headers)

    @app.errorhandler(ClientDisconnected)
    def _unreadable_body(exc: Exception):
        return render(400, "Bad request", "the request body cannot be read: it ended before its announced length")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        request.environ[OUTCOME] = f"error: {type(exc).__name__}"
        return render(500, "Internal error", "The server failed to answer this request; the error is logged.")
