"""The SPARQL 1.1 Protocol for a read-only service, independent of any web framework.

``read_request`` turns what arrived (method, query string, content type, body, Accept)
into a ``QueryRequest`` — the query, its dataset and the media type to answer in — or
raises an ``HttpError`` naming precisely what was wrong.
See https://www.w3.org/TR/sparql11-protocol/#query-operation.

``choose`` is the one content negotiation of the whole site, /sparql's and every page's: a URL
suffix, ``format=`` (or ``output=``, as Fuseki and Virtuoso name it) or Accept picks one of the
offered formats, and whatever picks none is a 406 listing the media types, names and suffixes
that would.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import dump_options_header, parse_accept_header, parse_options_header

from kosru_kg import formats
from kosru_kg.errors import BadRequest, Forbidden, NotAcceptable, PayloadTooLarge, UnsupportedMediaType
from kosru_kg.formats import Kind
from kosru_kg.query.bindings import query_form
from kosru_kg.query.safety import refuse_unsafe

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"
UTF8_NAMES = ("utf-8", "utf8")
READ_ONLY = "this endpoint is read-only: it answers SPARQL queries, never SPARQL Update or Graph Store writes"

# What each kind of answer can be sent in, the default first (from the one format table).
SOLUTION_FORMATS = {f.media_type: f.engine for f in formats.for_answer(Kind.SOLUTIONS)}
GRAPH_FORMATS = {f.media_type: f.engine for f in formats.for_answer(Kind.GRAPH)}

# A prologue (BASE and PREFIX declarations, comments) and then an update operation's keyword.
_PROLOGUE = re.compile(r"""(?:\s+|\#[^\n\r]*|BASE\s*<[^>\s]*>|PREFIX\s*[^\s:]*:\s*<[^>\s]*>)*""", re.IGNORECASE)
_UPDATE_KEYWORD = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    params: int = 100  # parameters in the query string and form body together
    query_bytes: int = 100_000  # the query text, UTF-8 encoded


@dataclass(frozen=True)
class QueryRequest:
    query: str
    # Both None: the service's own dataset (and the query's FROM / FROM NAMED). Otherwise
    # the protocol's dataset, which replaces the query's (SPARQL 1.1 Protocol §2.1.4).
    default_graphs: tuple[NamedNode, ...] | None
    named_graphs: tuple[NamedNode, ...] | None
    answered_as: formats.Format  # the format chosen, perhaps an alias (``text/plain``) sent under its own type
    timeout: float | None = None  # seconds the client allows, if it set ``timeout``

    @property
    def media_type(self) -> str:
        """The media type the answer is sent as."""
        return self.answered_as.media_type

    @property
    def written_as(self) -> str:
        """The media type the query engine is asked to write: an alias's canonical format's."""
        return formats.canonical(self.answered_as).media_type


def read_request(method: str, query_string: bytes, content_type: str | None, body: bytes,
                 accept: str | None, limits: Limits = Limits()) -> QueryRequest | None:
    """The query a GET, HEAD or POST asks, or None for a GET that asks none (it wants the service description)."""
    params = _decode_params(query_string, "the query string")
    if method == "POST":
        if "graph" in params or "default" in params:
            raise Forbidden(READ_ONLY)
        for name, values in _post_params(content_type, body).items():
            params.setdefault(name, []).extend(values)
    count = sum(len(values) for values in params.values())
    if count > limits.params:
        raise BadRequest(f"the request has {count} parameters; this endpoint takes at most {limits.params}")
    if "update" in params:
        raise Forbidden(READ_ONLY)
    if "query" not in params and method != "POST":
        return None
    queries = params.get("query", [])
    if len(queries) > 1:
        raise BadRequest(f"the request has {len(queries)} queries; send one")
    query = queries[0] if queries else ""
    if not query.strip():
        raise BadRequest("the request has no query: send it as the 'query' parameter or as an "
                         f"{QUERY_MEDIA_TYPE} body")
    size = len(query.encode("utf-8"))
    if size > limits.query_bytes:
        raise PayloadTooLarge(f"the query is {size} bytes; this endpoint takes queries of at most {limits.query_bytes} "
                              "bytes")
    chosen = choose(_offers_for(query), accept, [*params.get("format", []), *params.get("output", [])])
    dataset_given = "default-graph-uri" in params or "named-graph-uri" in params
    return QueryRequest(
        query=query,
        default_graphs=_graphs(params, "default-graph-uri") if dataset_given else None,
        named_graphs=_graphs(params, "named-graph-uri") if dataset_given else None,
        answered_as=chosen,
        timeout=_timeout(params.get("timeout", [])),
    )


@dataclass(frozen=True)
class Offers:
    """What one answer can be sent in: its formats, the default first (aliases reached by Accept included),
    and, where it has URLs of its own for them, the format each URL suffix names."""

    formats: tuple[formats.Format, ...]
    suffixes: tuple[tuple[str, formats.Format], ...] = ()

    @classmethod
    def suffixed(cls, rows: Sequence[formats.Format], key=lambda f: f.suffix) -> Offers:
        """Offers whose named formats each have a URL ending ``.{key(format)}`` (the file suffix by default)."""
        return cls(tuple(rows), tuple((key(f), f) for f in formats.named_rows(tuple(rows))))

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(f.media_type for f in self.formats)

    def available(self) -> str:
        """The media types, ``format`` names and suffixes that choose one of these formats, for a 406's message."""
        suffixes = f", or the URL suffix {'|'.join('.' + s for s, _ in self.suffixes)}" if self.suffixes else ""
        return (f"this answer is available as {', '.join(self.media_types)} "
                f"(format= or output= {'|'.join(format_names(self.media_types))}{suffixes})")


# What a query's answer can be sent in, by the kind of answer its form gives.
QUERY_OFFERS = {kind: Offers(formats.for_answer(kind)) for kind in (Kind.SOLUTIONS, Kind.GRAPH)}


def choose(offers: Offers, accept: str | None, format_values: Sequence[str] = (), suffix: str | None = None
           ) -> formats.Format:
    """The format of ``offers`` the request asks for: the one its URL's suffix names, else the one its ``format``
    (or ``output``) values name, else the one Accept prefers (RFC 9110 §12.5.1), ties going to the earlier
    offer. Anything else is a 406 listing what is available; an empty ``format`` value names nothing."""
    return _choose(offers, accept, tuple(value for value in format_values if value), suffix)


@functools.lru_cache(maxsize=512)
def _choose(offers: Offers, accept: str | None, format_values: tuple[str, ...], suffix: str | None
            ) -> formats.Format:
    """Cached: clients send the same few Accept headers again and again, and parsing them is costly."""
    if suffix is not None:
        named = dict(offers.suffixes).get(suffix)
        if named is None:
            raise NotAcceptable(f"there is no .{suffix} form of this answer; {offers.available()}")
        return named
    unknown = [value for value in format_values if "/" not in value and not formats.media_types_named(value.lower())]
    if unknown:
        raise NotAcceptable(f"format={unknown[0]!r} names no format this service knows; {offers.available()}")
    best = _acceptable(accept, format_values).best_match(offers.media_types)
    if best is None:
        asked = "; ".join([f"Accept: {accept}", *(f"format={value}" for value in format_values)])
        raise NotAcceptable(f"cannot answer in any media type the request accepts ({asked}); {offers.available()}")
    return next(f for f in offers.formats if f.media_type == best)


def format_names(offers: Sequence[str]) -> list[str]:
    """The ``format`` names that choose one of the media types ``offers``."""
    return [name for name in formats.names() if set(formats.media_types_named(name)) & set(offers)]


def parse_accept(header: str | None) -> MIMEAccept:
    """Accept as RFC 9110 reads it (q-values, q=0, wildcards, most specific range wins).

    An absent header, or one with no valid media range, accepts anything.
    """
    return MIMEAccept(_media_ranges(header) or [("*/*", 1)])


def content_type(media_type: str) -> str:
    """The Content-Type header for an answer: text types say they are UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def _acceptable(accept: str | None, format_values: Sequence[str]) -> MIMEAccept:
    """What the client accepts: the names and media ranges of its ``format`` values if any, else Accept.

    Names this service does not know are ignored: SPARQLWrapper, for one, sends its own name
    (json-ld, n3, rdf+xml) beside the media types it means, as a second ``format`` value.
    """
    named = [(media_type, 1) for value in format_values for media_type in formats.media_types_named(value.lower())]
    ranges = named + [media_range for value in format_values if "/" in value for media_range in _media_ranges(value)]
    return MIMEAccept(ranges) if ranges else parse_accept(accept)


def _media_ranges(header: str | None) -> list[tuple[str, float]]:
    """The valid media ranges of an Accept value with their q-values.

    A charset=utf-8 parameter is dropped, since every answer here is UTF-8 and would otherwise never match.
    """
    return [(_without_utf8_charset(value), quality) for value, quality in parse_accept_header(header) if "/" in value]


def _without_utf8_charset(media_range: str) -> str:
    media_type, options = parse_options_header(media_range)
    if options.get("charset", "").lower() in UTF8_NAMES:
        del options["charset"]
    return dump_options_header(media_type, options)


def _post_params(content_type: str | None, body: bytes) -> dict[str, list[str]]:
    """A POST's parameters: a URL-encoded form, or a query sent directly as the body."""
    media_type, options = parse_options_header(content_type)
    media_type = media_type.lower()  # media types are case-insensitive (RFC 9110 §8.3.1)
    if media_type == UPDATE_MEDIA_TYPE:
        raise Forbidden(READ_ONLY)
    if media_type not in (FORM_MEDIA_TYPE, QUERY_MEDIA_TYPE):
        got = f"not {content_type}" if content_type else "and this request has no Content-Type"
        raise UnsupportedMediaType(f"POST a query as {FORM_MEDIA_TYPE} or as {QUERY_MEDIA_TYPE}, {got}")
    if options.get("charset", "utf-8").lower() not in UTF8_NAMES:
        raise UnsupportedMediaType(f"the body must be UTF-8, not charset={options['charset']}")
    if media_type == FORM_MEDIA_TYPE:
        return _decode_params(body, "the form body")
    try:
        return {"query": [body.decode("utf-8")]}
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the query is not valid UTF-8: {exc}") from None


def _decode_params(raw: bytes, where: str) -> dict[str, list[str]]:
    """URL-encoded parameters, decoded strictly: invalid UTF-8 is refused rather than mangled."""
    params: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{where} is not valid percent-encoded UTF-8: {exc}") from None
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _timeout(values: list[str]) -> float | None:
    """The ``timeout`` a client asks for, in seconds (as Fuseki takes it); the server's limit still caps it."""
    if not values:
        return None
    try:
        seconds = float(values[-1])
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise BadRequest(f"timeout must be a positive number of seconds, not {values[-1]!r}")
    return seconds


def _graphs(params: dict[str, list[str]], name: str) -> tuple[NamedNode, ...]:
    graphs = []
    for value in params.get(name, []):
        try:
            graphs.append(NamedNode(value))
        except ValueError as exc:
            raise BadRequest(f"{name} must be an absolute IRI, not {value!r}: {exc}") from None
    return tuple(graphs)


def _offers_for(query: str) -> Offers:
    """What the query's form can be answered in, read from its text: nothing is evaluated here.

    A query asking for a SERVICE is a 403, one nested too deep a 400, a SPARQL Update sent as
    a query a 403, all before any engine sees it. Whether the rest parses is the engine's to
    say: the query worker reports a malformed query as a 400 within the query's deadline.
    """
    refuse_unsafe(query)
    if _UPDATE_KEYWORD.match(query, _PROLOGUE.match(query).end()):
        raise Forbidden(READ_ONLY)
    return QUERY_OFFERS[Kind.GRAPH if Kind.of_query_form(query_form(query)) is Kind.GRAPH else Kind.SOLUTIONS]
