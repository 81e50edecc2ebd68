"""The one narrow interface between the web tier (and the CLI) and wherever the graph is stored.

Two implementations share everything but ``_execute``: ``EmbeddedBackend`` runs each query in
a pyoxigraph worker process over the published store (``kosru_kg.query.workers``), and
``RemoteBackend`` (``kosru_kg.query.remote``) sends it to any SPARQL 1.1 endpoint. This base class
holds what must not differ between them: SERVICE refusal, the per-request time budget, the
slots of queries running at once, shared fairly between clients (``fair_use.FairGate``), and the
cache of small answers of the current version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from kosru_kg.config import Settings
from kosru_kg.errors import QueryTimeout
from kosru_kg.formats import Kind
from kosru_kg.query import budget as budgets
from kosru_kg.query.budget import Budget
from kosru_kg.query.fair_use import FairGate, QueryTimeQuota
from kosru_kg.query.safety import refuse_unsafe
from kosru_kg.version_cache import VersionCache

# The named graphs of any engine: not GRAPH ?graph {}, which Virtuoso 7.2 answers with no graph at all.
NAMED_GRAPHS = "SELECT DISTINCT ?graph WHERE { GRAPH ?graph { ?s ?p ?o } }"
HEAD_BYTES = 256 * 1024  # an answer this small is held whole before it is sent, so it can fail cleanly


@dataclass(frozen=True)
class Job:
    """A query as the engine is asked it; hashable, so it keys the answer cache."""

    sparql: str
    media_type: str | None  # None: the format ``query`` parses (formats.PARSED)
    default_graph: tuple[NamedNode, ...] | None = None
    named_graphs: tuple[NamedNode, ...] | None = None
    substitutions: tuple[tuple[Variable, object], ...] = ()
    base_iri: str | None = None


@dataclass
class Running:
    """A query the engine has accepted: its form and media type are known, its bytes are coming."""

    form: Kind
    media_type: str
    chunks: Iterator[bytes]


@dataclass
class Answer:
    """An answer ready to send: ``head`` holds it whole when ``rest`` is None, else its first bytes."""

    form: Kind
    media_type: str
    head: bytes
    rest: Iterator[bytes] | None = None

    def whole(self) -> bytes:
        return self.head if self.rest is None else self.head + b"".join(self.rest)


class Backend:
    """Answers SPARQL queries over one published version of the graph at a time."""

    def __init__(self, settings: Settings):
        self.settings = settings
        # Each request thread that waits for a slot is one fewer for answers that need no query: the
        # waiting room leaves at least one thread free beyond the running queries.
        self.gate = FairGate(QueryTimeQuota(settings.client_query_seconds), settings.max_queries,
                             per_client=settings.client_max_queries, reserved=settings.reserved_queries,
                             light_seconds=settings.light_client_seconds,
                             waiting_room=max(0, settings.threads - settings.max_queries - 1),
                             wait=settings.queue_timeout)
        # Small whole answers of the served version (a version never changes), within a count and a size.
        self._answers: VersionCache[Answer] = VersionCache(entries=1024, total_bytes=64 * 1024 * 1024)

    @property
    def version(self) -> str:
        """The published version being served; it changes when a new build is published."""
        raise NotImplementedError

    @property
    def published(self) -> str | None:
        """When the served version was first published (UTC, ISO 8601), if the engine knows."""
        return None

    def _execute(self, job: Job, budget: Budget, version: str) -> Running:
        """Start ``job`` on the engine, within ``budget``; raise an HttpError if it cannot be answered."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the engine's resources (worker processes, connections)."""

    def stream(self, sparql: str, media_type: str | None = None, *,
               default_graph: Sequence[NamedNode] | None = None, named_graphs: Sequence[NamedNode] | None = None,
               substitutions: Mapping[Variable, object] | None = None, base_iri: str | None = None) -> Answer:
        """The answer to ``sparql`` serialised as ``media_type``, the first bytes in hand.

        Raises before anything is sent if the query is refused, malformed, too slow to start,
        or if every query slot stays busy; a failure later ends ``rest`` with an exception.
        """
        job = Job(sparql, media_type,
                  None if default_graph is None else tuple(default_graph),
                  None if named_graphs is None else tuple(named_graphs),
                  tuple((substitutions or {}).items()), base_iri)
        version = self.version
        cached = self._answers.get(version, job)
        if cached is not None:
            return cached  # only ever cached after passing the check below
        refuse_unsafe(sparql)
        with self.gate.slot() as held, budgets.excusing(held.excuse):  # the server's own faults are not charged
            budget = budgets.current(self.settings.query_timeout)
            full = budget
            if held.kept:  # a slot kept for light clients: short queries only
                budget = budget.at_most(self.gate.light_seconds)
            try:
                running = self._execute(job, budget, version)
            except QueryTimeout as exc:
                raise _shortened(exc, budget, full) from None
            chunks = held.hand_over(running.chunks)
        head = bytearray()
        try:
            for chunk in chunks:
                head += chunk
                if len(head) >= HEAD_BYTES:
                    return Answer(running.form, running.media_type, bytes(head), chunks)
        except QueryTimeout as exc:
            raise _shortened(exc, budget, full) from None
        answer = Answer(running.form, running.media_type, bytes(head))
        self._answers.put(version, job, answer, len(answer.head))
        return answer

    def query(self, sparql: str, *, default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None, substitutions: Mapping[Variable, object] | None = None,
              base_iri: str | None = None) -> QuerySolutions | QueryBoolean | list[Triple]:
        """The parsed answer: solutions (rows by variable), a boolean, or a list of triples."""
        answer = self.stream(sparql, default_graph=default_graph, named_graphs=named_graphs,
                             substitutions=substitutions, base_iri=base_iri)
        if answer.form is Kind.GRAPH:
            return [quad.triple for quad in parse(answer.whole(), format=RdfFormat.from_media_type(answer.media_type))]
        return parse_query_results(answer.whole(), format=QueryResultsFormat.from_media_type(answer.media_type))


def _shortened(timeout: QueryTimeout, budget: Budget, full: Budget) -> QueryTimeout:
    """A timeout in a slot kept for light clients says so: the query may run its full time later."""
    if budget is full:
        return timeout
    timeout.message = (f"every other query slot was taken, so the query ran in one kept for short queries, where "
                       f"the limit is {budget.limit:g} s, and was stopped; try again later for the full limit of "
                       f"{full.limit:g} s")
    return timeout
