"""Any SPARQL 1.1 endpoint over HTTP as the store: queries go over the Protocol, answers stream back.

What the embedded store reads from its `current` link, a remote store gives in one triple
that ``kosru-kg publish`` writes last, in a graph of its own: the published version, which
keys the answer cache. It is read again every few seconds, so a new publication is served
soon after it lands. The time budget holds while connecting, while the engine thinks, and
between the chunks of its answer; errors become the same HTTP errors the embedded store
raises, with the engine's message for a refused query and nothing of its internals else.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import urllib3
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    Triple,
    parse_query_results,
)
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import NewConnectionError, ReadTimeoutError
from urllib3.exceptions import TimeoutError as TransportTimeout

from kosru_kg import formats
from kosru_kg.config import Settings
from kosru_kg.errors import BadRequest, HttpError, NotAcceptable, QueryTimeout, ServiceUnavailable
from kosru_kg.formats import Kind
from kosru_kg.graph.store import StoreMissing
from kosru_kg.query import budget as budgets
from kosru_kg.query.backend import Backend, Job, Running
from kosru_kg.query.bindings import query_form, with_values
from kosru_kg.query.budget import Budget
from kosru_kg.query.engine_link import PASSWORD_VARIABLE, USER_VARIABLE, Credentials, EngineLink
from kosru_kg.query.malformed import explain
from kosru_kg.query.safety import code_only
from kosru_kg.vocab import Minter, term

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
READ_BYTES = 64 * 1024  # an answer is passed on in pieces of at most this size
VERSION_TTL = 3.0  # seconds a version read from the endpoint is trusted before it is read again
CONNECT_TIMEOUT = 5.0  # seconds to open a connection, at most (the request's budget may allow less)
ERROR_BYTES = 2_000  # of an engine's error message, passed on to the client (400) or the log
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"  # Virtuoso's word that it cut the answer at its ResultSetMaxRows
ASK_VARIABLE = "__ASK_RETVAL"  # the variable of Virtuoso's one-row answer to an ASK query
# The two answers of an ASK query, written by pyoxigraph as the embedded store writes them.
BOOLEANS = {True: Store().query("ASK {}"), False: Store().query("ASK { FILTER(false) }")}
_DECLARATION = re.compile(r"\s*(BASE\b|PREFIX\s+[^\s:]*:)", re.IGNORECASE)  # in a query masked by code_only

log = logging.getLogger("kosru_kg.query.remote")


class EndpointNotReady(StoreMissing):
    """The endpoint cannot serve the graph yet: it is unreachable, or nothing has been published to it."""


def asked_of_engine(kind: Kind, asked: str) -> str:
    """The media type the engine is asked for, to send on as ``asked``: a graph asked for as quads (N-Quads,
    TriG) is asked in N-Triples, which is both of them with every triple in the default graph, as not every
    engine writes a graph as quads (Virtuoso 7.2 answers 406)."""
    if kind is Kind.GRAPH and formats.BY_MEDIA_TYPE[asked].kind is Kind.DATASET:
        return formats.PARSED[Kind.GRAPH].media_type
    return asked


def publication_graph(base_iri: str) -> NamedNode:
    """The graph that holds only the published version, written last by every publication."""
    return Minter(base_iri).graph("publication")


def version_triple(base_iri: str, version: str) -> Triple:
    """What a publication says: the data set ``{base}dataset`` is at ``version`` (as VoID says it)."""
    return Triple(Minter(base_iri).dataset(), term("owl:versionInfo"), Literal(version))


def open_link(url: str, size: int) -> EngineLink:
    """Reusable connections to the host of ``url``, with the credentials the environment gives for it."""
    return EngineLink(url, size, Credentials.from_environment())


def declares_base(sparql: str) -> bool:
    """Whether the query's prologue has a BASE of its own (read past comments, strings and IRIs)."""
    code, at = code_only(sparql), 0
    while declaration := _DECLARATION.match(code, at):
        if declaration.group(1).upper() == "BASE":
            return True
        at = declaration.end()
    return False


def read_version(link: EngineLink, base_iri: str, budget: Budget) -> str | None:
    """The version the endpoint's last publication recorded, or None if it holds none."""
    pattern = version_triple(base_iri, "")
    rows = select(link, f"SELECT ?version WHERE {{ GRAPH {publication_graph(base_iri)} "
                                  f"{{ {pattern.subject} {pattern.predicate} ?version }} }}", budget)
    versions = sorted(row["version"].value for row in rows)
    return versions[0] if versions else None


def select(link: EngineLink, sparql: str, budget: Budget) -> QuerySolutions:
    """The solutions of a small SELECT query, read whole."""
    return _parsed(link, Job(sparql, formats.PARSED[Kind.SOLUTIONS].media_type), budget)


def ask(link: EngineLink, job: Job, budget: Budget) -> bool:
    """An ASK query's answer. The Protocol's is a boolean; Virtuoso 7.2 sends solutions instead, in every
    results format, of the one variable ``__ASK_RETVAL``: one row, 1, for yes; no row for no."""
    answer = _parsed(link, job, budget)
    if isinstance(answer, QueryBoolean):
        return bool(answer)
    rows = [[term.value for term in row] for row in answer]
    if [v.value for v in answer.variables] == [ASK_VARIABLE] and rows in ([["1"]], [["0"]], []):
        return rows == [["1"]]
    log.warning("SPARQL endpoint %s answered an ASK query with neither a boolean nor %s solutions",
                link.url, ASK_VARIABLE)
    raise ServiceUnavailable("the graph store behind this service answered a yes-or-no query with something else")


def _parsed(link: EngineLink, job: Job, budget: Budget) -> QuerySolutions | QueryBoolean:
    """A small answer of results (a SELECT's, an ASK's), asked in JSON and read whole."""
    accept = formats.PARSED[Kind.SOLUTIONS].media_type
    response = post_query(link, job, accept, budget)
    try:
        body = response.data
    except (TransportError, OSError) as exc:
        raise _broken(link.url, exc, budget) from None
    finally:
        response.release_conn()
    try:
        return parse_query_results(body, format=QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        log.warning("SPARQL endpoint %s sent results that do not parse: %s", link.url, exc)
        raise ServiceUnavailable("the graph store behind this service sent an answer that cannot be read") from None


def post_query(link: EngineLink, job: Job, accept: str, budget: Budget) -> urllib3.BaseHTTPResponse:
    """Send ``job`` over the SPARQL 1.1 Protocol (a form POST); the response of a 200, its body unread.

    A dataset goes as the Protocol has it: once either part is given, the other is what is
    given of it (none at all if None), as /sparql asks; no part given is the endpoint's own.
    An answer the engine cut at its row cap (it says so in ``X-SPARQL-MaxRows``) is an error.
    """
    remaining = budget.remaining()
    if remaining <= 0:
        raise QueryTimeout(budget.limit)
    sparql = with_values(job.sparql, job.substitutions)
    if job.base_iri and not declares_base(sparql):  # the Protocol has no base parameter; the query's own BASE wins
        sparql = f"BASE <{job.base_iri}>\n{sparql}"
    fields = [("query", sparql)]
    fields += [("default-graph-uri", graph.value) for graph in job.default_graph or ()]
    fields += [("named-graph-uri", graph.value) for graph in job.named_graphs or ()]
    try:
        response = link.send(
            "POST", urllib3.util.parse_url(link.url).request_uri, body=urlencode(fields).encode(),
            headers={"Content-Type": FORM_MEDIA_TYPE, "Accept": accept},
            timeout=urllib3.Timeout(connect=min(CONNECT_TIMEOUT, remaining), read=remaining), preload_content=False,
        )
    except (TransportError, OSError) as exc:
        raise _broken(link.url, exc, budget) from None
    if response.status != 200:
        raise _refusal(link.url, response, accept, job.sparql)
    cap = response.headers.get(MAX_ROWS_HEADER)
    if cap is not None:
        response.close()
        response.release_conn()
        log.warning("SPARQL endpoint %s cut an answer at %s rows (%s)", link.url, cap, MAX_ROWS_HEADER)
        raise ServiceUnavailable(f"the graph store behind this service cut the answer at {cap.strip()} rows (its "
                                 "ResultSetMaxRows setting), so it is not sent incomplete; the setting must be "
                                 "raised above the graph's size")
    return response


class RemoteBackend(Backend):
    """The graph as published to a SPARQL 1.1 endpoint (``kosru-kg publish``), queried over HTTP."""

    def __init__(self, endpoint: str, settings: Settings | None = None, *, version_ttl: float = VERSION_TTL):
        super().__init__(settings or Settings())
        self.endpoint = endpoint
        self.version_ttl = version_ttl  # 0: read the version before every query
        self._lock, self._link_lock = threading.Lock(), threading.Lock()
        self._link, self._link_pid = None, -1
        self._version, self._version_read = "", float("-inf")
        try:
            version = read_version(self._connections(), self.settings.base_iri,
                                   budgets.current(self.settings.query_timeout))
        except HttpError as exc:
            raise EndpointNotReady(f"cannot use the SPARQL endpoint {endpoint}: {exc.message}") from None
        if version is None:
            raise EndpointNotReady(
                f"the SPARQL endpoint {endpoint} holds no published kosru-kg graph (no version in "
                f"{publication_graph(self.settings.base_iri)}); run 'kosru-kg publish --endpoint {endpoint}' first")
        self._version, self._version_read = version, time.monotonic()

    @property
    def version(self) -> str:
        with self._lock:
            if time.monotonic() - self._version_read >= self.version_ttl:
                version = read_version(self._connections(), self.settings.base_iri,
                                       budgets.current(self.settings.query_timeout))
                if version is None:
                    log.warning("SPARQL endpoint %s: the published version has gone", self.endpoint)
                    raise ServiceUnavailable("the graph store behind this service holds no published graph "
                                             "at the moment; try again later")
                self._version, self._version_read = version, time.monotonic()
            return self._version

    def _execute(self, job: Job, budget: Budget, version: str) -> Running:
        kind = Kind.of_query_form(query_form(job.sparql))
        asked = job.media_type or formats.PARSED[kind].media_type
        if kind is Kind.BOOLEAN:  # a few bytes: read, and written as the embedded store writes it
            written = BOOLEANS[ask(self._connections(), job, budget)].serialize(format=formats.BY_MEDIA_TYPE[asked].engine)
            return Running(kind, asked, iter([written]))
        wanted = asked_of_engine(kind, asked)
        response = post_query(self._connections(), job, wanted, budget)
        answered = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        written = formats.BY_MEDIA_TYPE.get(answered)
        if written is None or written.engine != formats.BY_MEDIA_TYPE[wanted].engine:
            response.close()
            response.release_conn()
            log.warning("SPARQL endpoint %s answered a %s query in %r, not in %s",
                        self.endpoint, kind.value, answered, wanted)
            raise ServiceUnavailable(f"the graph store behind this service answered in {answered or 'no media type'}, "
                                     f"not in the {wanted} asked for")
        return Running(kind, asked, self._chunks(response, budget))

    def close(self) -> None:
        with self._link_lock:
            if self._link is not None:
                self._link.close()
            self._link, self._link_pid = None, -1

    def _connections(self) -> EngineLink:
        """This process's link: a server worker forked after start-up must not share its parent's sockets."""
        with self._link_lock:
            if self._link_pid != os.getpid():
                self._link, self._link_pid = open_link(self.endpoint, self.settings.max_queries + 1), os.getpid()
            return self._link

    def _chunks(self, response: urllib3.BaseHTTPResponse, budget: Budget) -> Iterator[bytes]:
        """The answer's bytes as they come, each read bounded by what is left of the budget."""
        finished = False
        try:
            while True:
                remaining = budget.remaining()
                if remaining <= 0:
                    raise QueryTimeout(budget.limit)
                socket = getattr(response.connection, "sock", None)
                if socket is not None:
                    socket.settimeout(remaining)
                chunk = response.read1(READ_BYTES)
                if not chunk:
                    finished = True
                    return
                yield chunk
        except (TransportError, OSError) as exc:
            raise _broken(self.endpoint, exc, budget) from None
        finally:
            if not finished:
                response.close()  # unread bytes would poison the connection: drop it
            response.release_conn()


def _broken(endpoint: str, exc: Exception, budget: Budget) -> HttpError:
    """The error for a transport failure: out of time, or the endpoint unreachable or gone mid-answer."""
    if isinstance(exc, (ReadTimeoutError, TimeoutError)) or (
            isinstance(exc, TransportTimeout) and not isinstance(exc, NewConnectionError) and budget.remaining() <= 0):
        return QueryTimeout(budget.limit)
    log.warning("SPARQL endpoint %s: %s", endpoint, exc)
    return ServiceUnavailable("the graph store behind this service cannot be reached, or broke off its answer; "
                              "try again later")


def _refusal(endpoint: str, response: urllib3.BaseHTTPResponse, asked: str, sparql: str) -> HttpError:
    """The error for an answer other than 200: the engine's own message only for a query it refused."""
    try:
        text = response.read(ERROR_BYTES).decode("utf-8", "replace").strip()
    except (TransportError, OSError):
        text = ""
    finally:
        response.close()
        response.release_conn()
    if response.status == 400:
        return BadRequest(f"malformed query, as the SPARQL engine behind this service reads it: {explain(sparql, text)}")
    if response.status == 406:
        return NotAcceptable(f"the graph store behind this service cannot answer this query in {asked}")
    log.warning("SPARQL endpoint %s answered HTTP %s: %s", endpoint, response.status, text)
    if response.status == 401:
        log.warning("SPARQL endpoint %s wants credentials: set %s and %s", endpoint, USER_VARIABLE, PASSWORD_VARIABLE)
        return ServiceUnavailable("the graph store behind this service was given no credentials, or refused them "
                                  "(HTTP 401)")
    if 300 <= response.status < 400:
        return ServiceUnavailable("the graph store behind this service redirected the query elsewhere, "
                                  "and this service follows no redirects")
    return ServiceUnavailable(f"the graph store behind this service failed to answer (HTTP {response.status}); "
                              "try again later")
