"""Errors that carry their HTTP status; raised below the web layer, rendered by it."""

from __future__ import annotations

# What an error is written as, by the request's Accept: plain text unless JSON or HTML is preferred.
MEDIA_TYPES = ("text/plain", "application/json", "text/html")


class HttpError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(HttpError):
    status, title = 400, "Bad request"


class BadParameter(BadRequest):
    """A query parameter's value is not one the parameter takes: a page can offer its form again without it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


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


class UriTooLong(HttpError):
    status, title = 414, "URI too long"


class UnsupportedMediaType(HttpError):
    status, title = 415, "Unsupported media type"


class HeaderFieldsTooLarge(HttpError):
    status, title = 431, "Request header fields too large"


class TooManyRequests(HttpError):
    status, title = 429, "Too many requests"


class ServiceUnavailable(HttpError):
    status, title = 503, "Service unavailable"


class QueryTimeout(ServiceUnavailable):
    """The query ran out of time and was stopped; sending it again will not help."""

    def __init__(self, limit: float):
        super().__init__(f"the query ran longer than the time limit of {limit:g} s and was stopped; "
                         "narrow it (add LIMIT, more specific patterns) or download the data and query it locally")
        self.limit = limit


class Busy(ServiceUnavailable):
    """Every query slot is taken; the client may try again shortly."""

    def __init__(self, running: int, retry_after: int):
        super().__init__(f"{running} queries are already running, the most this server runs at once; "
                         f"try again in {retry_after} s", headers={"Retry-After": str(retry_after)})
