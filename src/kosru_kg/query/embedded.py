"""The embedded engine: the published pyoxigraph store, queried in worker processes killed at the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import Quad

from kosru_kg.config import Settings
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.backend import Backend, Job, Running
from kosru_kg.query.budget import Budget
from kosru_kg.query.workers import QueryWorkers


class EmbeddedBackend(Backend):
    """The published pyoxigraph store, queried in worker processes that can be killed at the deadline."""

    def __init__(self, layout: StoreLayout, settings: Settings | None = None):
        super().__init__(settings or Settings())
        self.layout = layout
        self.layout.manifest()  # fail now, clearly, if nothing has been published
        self._workers = QueryWorkers(self.settings.max_queries, self.settings.query_memory_mb)

    @classmethod
    def from_quads(cls, quads: Sequence[Quad], version: str, directory: Path,
                   settings: Settings | None = None) -> EmbeddedBackend:
        """A backend over ``quads`` alone, published into a store in ``directory`` (for tests and tools)."""
        layout = StoreLayout(Path(directory))
        quads = list(quads)
        layout.make_current(quads, version, triples=len(quads))
        return cls(layout, settings)

    @property
    def version(self) -> str:
        return self.layout.current.readlink().name

    @property
    def published(self) -> str | None:
        release = self.layout.release(self.version)
        return release.published if release else None

    def _execute(self, job: Job, budget: Budget, version: str) -> Running:
        return self._workers.run(self.layout.versions / version, job, budget)

    def close(self) -> None:
        self._workers.close()
