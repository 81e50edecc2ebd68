"""One place that renders every error: JSON for clients that ask, HTML for browsers, else text.

An HTML error page is a page of the site (``error.html``, in the layout) in the interface
language: its title and frame are translated, and the message, written by the code that raised
the error for every client, is shown in English, marked ``lang="en"`` on a page in another
language. It has ways back: home; the page the reader came from, if it is one of this site's;
and, when a parameter's value was refused (``BadParameter``), the same form without that value,
so that the reader's other values are kept. JSON and text errors stay English.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from markupsafe import escape
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed

from kosru_kg.errors import MEDIA_TYPES, HttpError
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


def render(status: int, title: str, message: str, headers: dict[str, str] | None = None,
           parameter: str | None = None) -> Response:
    """The error as the client prefers it; ``parameter``: the query parameter whose value was refused, if one was."""
    accept = request.accept_mimetypes
    best = accept.best_match(MEDIA_TYPES, default=MEDIA_TYPES[0])
    if best == "application/json":
        response = jsonify({"status": status, "error": title, "message": message})
    elif best == "text/html" and accept["text/html"] > accept["text/plain"]:
        response = Response(_page(status, title, message, parameter), mimetype="text/html")
    else:
        response = Response(f"{status} {title}: {message}\n", mimetype="text/plain")
    response.status_code = status
    response.headers.update(headers or {})
    response.vary.add("Accept")
    return response


def _page(status: int, title: str, message: str, parameter: str | None) -> str:
    shown = gettext(title) if title in _TITLES else title
    try:
        return render_template("error.html", status=status, title=shown, message=message,
                               form=_form_without(parameter), came_from=_came_from())
    except Exception:  # the layout itself failed (the error being shown may be why): the bare page, never a loop
        log.exception("the error page of %s %s could not be rendered", request.method, request.path)
        return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status} {escape(title)}"
                f"</title></head><body><main><h1>{status} {escape(title)}</h1><p>{escape(message)}</p>"
                "</main></body></html>")


def _form_without(parameter: str | None) -> str | None:
    """This GET's URL without the refused parameter: the form again, the reader's other values kept."""
    if parameter is None or request.method != "GET":
        return None
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != parameter]
    return request.script_root + request.path + (f"?{urlencode(kept)}" if kept else "")


def _came_from() -> str | None:
    """The page the reader came from (Referer), if it is this site's and not this page."""
    referrer = urlsplit(request.referrer or "")
    if referrer.scheme not in ("http", "https") or referrer.netloc != request.host or referrer.geturl() == request.url:
        return None
    return referrer.geturl()


def register(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _http_error(exc: HttpError):
        request.environ[OUTCOME] = type(exc).__name__
        return render(exc.status, exc.title, exc.message, exc.headers, getattr(exc, "parameter", None))

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
