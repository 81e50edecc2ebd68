"""One place that renders every error: JSON for clients that ask, HTML for browsers, else text."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed

from kosru_kg.errors import MEDIA_TYPES, HttpError
from kosru_kg.web.middleware.access_log import OUTCOME

log = logging.getLogger("kosru_kg")


def render(status: int, title: str, message: str, headers: dict[str, str] | None = None) -> Response:
    accept = request.accept_mimetypes
    best = accept.best_match(MEDIA_TYPES, default=MEDIA_TYPES[0])
    if best == "application/json":
        response = jsonify({"status": status, "error": title, "message": message})
    elif best == "text/html" and accept["text/html"] > accept["text/plain"]:
        page = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status} {escape(title)}"
                f"</title></head><body><main><h1>{status} {escape(title)}</h1><p>{escape(message)}</p></main></body></html>")
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
