"""The one narrow interface between the web tier (and the CLI) and wherever the graph is stored.

Two implementations share everything but ``_execute``: ``EmbeddedBackend`` runs each query in
a pyoxigraph worker process over the published store (``kosru_kg.workers``), and
``RemoteBackend`` (``kosru_kg.remote``) sends it to any SPARQL 1.1 endpoint. This base class
holds what must not differ between them: SERVICE refusal, the per-request time budget, the
limit on queries running at once, and the cache of small answers of the current version.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import (NamedNode, Quad, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple,
                        Variable, parse, parse_query_results)

from . import budget as budgets
from .budget import Budget
from .config import Settings
from .errors import Busy
from .outbound import refuse_unsafe
from .store import StoreLayout

HEAD_BYTES = 256 * 1024  # an answer this small is held whole before it is sent, so it can fail cleanly


@dataclass(frozen=True)
class Job:
    """A query as the engine is asked it; hashable, so it keys the answer cache."""

    sparql: str
    media_type: str | None  # None: a format ``query`` parses (query_process.PARSED)
    default_graph: tuple[NamedNode, ...] | None = None
    named_graphs: tuple[NamedNode, ...] | None = None
    substitutions: tuple[tuple[Variable, object], ...] = ()
    base_iri: str | None = None


@dataclass
class Running:
    """A query the engine has accepted: its form and media type are known, its bytes are coming."""

    form: str  # "solutions", "boolean" or "triples"
    media_type: str
    chunks: Iterator[bytes]


@dataclass
class Answer:
    """An answer ready to send: ``head`` holds it whole when ``rest`` is None, else its first bytes."""

    form: str
    media_type: str
    head: bytes
    rest: Iterator[bytes] | None = None

    def whole(self) -> bytes:
        return self.head if self.rest is None else self.head + b"".join(self.rest)


class Backend:
    """Answers SPARQL queries over one published version of the graph at a time."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._gate = Gate(settings.max_queries, settings.queue_timeout)
        self._answers = AnswerCache()

    @property
    def version(self) -> str:
        """The published version being served; it changes when a new build is published."""
        raise NotImplementedError

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
        cached = self._answers.get((version, job))
        if cached is not None:
            return cached  # only ever cached after passing the check below
        refuse_unsafe(sparql)
        with self._gate.slot() as release_later:
            running = self._execute(job, budgets.current(self.settings.query_timeout), version)
            chunks = release_later(running.chunks)
        head = bytearray()
        for chunk in chunks:
            head += chunk
            if len(head) >= HEAD_BYTES:
                return Answer(running.form, running.media_type, bytes(head), chunks)
        answer = Answer(running.form, running.media_type, bytes(head))
        self._answers.put((version, job), answer)
        return answer

    def query(self, sparql: str, *, default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None, substitutions: Mapping[Variable, object] | None = None,
              base_iri: str | None = None) -> QuerySolutions | QueryBoolean | list[Triple]:
        """The parsed answer: solutions (rows by variable), a boolean, or a list of triples."""
        answer = self.stream(sparql, default_graph=default_graph, named_graphs=named_graphs,
                             substitutions=substitutions, base_iri=base_iri)
        if answer.form == "triples":
            return [quad.triple for quad in parse(answer.whole(), format=RdfFormat.from_media_type(answer.media_type))]
        return parse_query_results(answer.whole(), format=QueryResultsFormat.from_media_type(answer.media_type))


class EmbeddedBackend(Backend):
    """The published pyoxigraph store, queried in worker processes that can be killed at the deadline."""

    def __init__(self, layout: StoreLayout, settings: Settings | None = None):
        from .workers import QueryWorkers  # noqa: PLC0415 - the pool is only needed by this backend

        super().__init__(settings or Settings())
        self.layout = layout
        self.layout.manifest()  # fail now, clearly, if nothing has been published
        self._workers = QueryWorkers(self.settings.max_queries, self.settings.query_memory_mb)

    @classmethod
    def from_quads(cls, quads: Sequence[Quad], version: str, settings: Settings | None = None) -> "EmbeddedBackend":
        """A backend over ``quads`` alone, published into a temporary store (for tests and tools)."""
        layout = StoreLayout(Path(tempfile.mkdtemp(prefix="kosru-store-")))
        quads = list(quads)
        layout.publish(quads, version, triples=len(quads))
        return cls(layout, settings)

    @property
    def version(self) -> str:
        return self.layout.current.readlink().name

    def _execute(self, job: Job, budget: Budget, version: str) -> Running:
        return self._workers.run(self.layout.versions / version, job, budget)

    def close(self) -> None:
        self._workers.close()


def open_backend(settings: Settings) -> Backend:
    """The backend ``settings`` name: a SPARQL endpoint's URL, or else the embedded store."""
    if settings.backend:
        from .remote import RemoteBackend  # noqa: PLC0415 - only remote deployments need the HTTP client

        return RemoteBackend(settings.backend, settings)
    return EmbeddedBackend(StoreLayout(settings.store), settings)


class Gate:
    """At most ``size`` queries at once; others wait up to ``wait`` seconds, then get a 503 with Retry-After."""

    def __init__(self, size: int, wait: float):
        self._slots = threading.BoundedSemaphore(size)
        self._size, self._wait = size, wait

    @contextmanager
    def slot(self):
        """Hold a slot; ``release_later(chunks)`` hands it over to a stream, released when that ends."""
        if not self._slots.acquire(timeout=self._wait):
            raise Busy(self._size, retry_after=max(1, round(self._wait)))
        handed_over = False

        def release_later(chunks: Iterator[bytes]) -> Iterator[bytes]:
            nonlocal handed_over
            handed_over = True
            return self._releasing(chunks)

        try:
            yield release_later
        finally:
            if not handed_over:
                self._slots.release()

    def _releasing(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            self._slots.release()


class AnswerCache:
    """Recent whole answers of the served version, least recently used first out.

    A version never changes, so an answer stays right until the next version; only small
    answers are kept, within a total size, so the cache stays small whatever strangers ask.
    """

    def __init__(self, entries: int = 1024, largest: int = HEAD_BYTES, total: int = 64 * 1024 * 1024):
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, Answer] = OrderedDict()
        self._limit, self._largest, self._total = entries, largest, total
        self._size = 0

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: Answer) -> None:
        if answer.rest is not None or len(answer.head) > self._largest:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = answer
            self._size += len(answer.head)
            while len(self._entries) > self._limit or self._size > self._total:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.head)
