"""Content negotiation for the views: ``protocol.choose`` over this request's suffix, parameters and Accept.

Every view that answers in more than one format chooses through ``choose`` and marks the answer
with ``negotiated``, so that all of them take the same ``format=`` and ``output=`` values and
refuse alike: a 406 listing what is available, for an unknown suffix too.
"""

from __future__ import annotations

from flask import Response, request

from kosru_kg import formats
from kosru_kg.service import protocol

PARAMETERS = ("format", "output")  # the query parameters that name a format (declare them: ``whole_answers.reads``)


def choose(offers: protocol.Offers, suffix: str | None = None) -> formats.Format:
    """The format of ``offers`` this request asks for, by ``suffix`` (the URL's), else parameters or Accept."""
    named = [value for name in PARAMETERS for value in request.args.getlist(name)]
    return protocol.choose(offers, request.headers.get("Accept"), named, suffix)


def negotiated(response: Response, suffix: str | None = None) -> Response:
    """``response`` marked as chosen by Accept (``Vary: Accept``), unless its URL's suffix chose it."""
    if suffix is None:
        response.vary.add("Accept")
    return response
