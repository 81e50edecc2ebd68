"""Errors that carry their HTTP status; raised below the web layer, rendered by it."""

from __future__ import annotations


class HttpError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(HttpError):
    status, title = 400, "Bad request"


class Forbidden(HttpError):
    status, title = 403, "Forbidden"


class NotFound(HttpError):
    status, title = 404, "Not found"


class MethodNotAllowed(HttpError):
    status, title = 405, "Method not allowed"


class NotAcceptable(HttpError):
    status, title = 406, "Not acceptable"


class PayloadTooLarge(HttpError):
    status, title = 413, "Payload too large"


class UnsupportedMediaType(HttpError):
    status, title = 415, "Unsupported media type"


class ServiceUnavailable(HttpError):
    status, title = 503, "Service unavailable"
