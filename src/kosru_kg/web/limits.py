"""Limits every request meets before any work is done for it, and the time budget its queries share."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from .. import budget
from ..errors import HeaderFieldsTooLarge, PayloadTooLarge, UriTooLong


def register(app: Flask) -> None:
    settings = app.extensions["kosru"].settings
    # Werkzeug enforces it too while a body of unstated length is read; the check below names it first.
    app.config["MAX_CONTENT_LENGTH"] = body_limit(settings.max_query_bytes)
    app.before_request(_check_and_open_budget)
    app.teardown_request(_close_budget)


def body_limit(query_bytes: int) -> int:
    """A form body may percent-encode every byte of the query (three bytes each), plus other parameters."""
    return 3 * query_bytes + 4096


def _check_and_open_budget() -> None:
    settings = current_app.extensions["kosru"].settings
    environ = request.environ  # read directly: these checks run on every request
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
    g.budget_token = budget.enter(budget.Budget.starting_now(settings.query_timeout, environ.get("gunicorn.socket")))


def _close_budget(_exc) -> None:
    token = g.pop("budget_token", None)
    if token is not None:
        budget.leave(token)
