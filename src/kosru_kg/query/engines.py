"""The engines a deployment can serve from, and the one its settings choose."""

from __future__ import annotations

from kosru_kg.config import Settings
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.backend import Backend
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.query.remote import RemoteBackend


def open_backend(settings: Settings) -> Backend:
    """The backend ``settings`` name: a SPARQL endpoint's URL, or else the embedded store."""
    if settings.backend:
        return RemoteBackend(settings.backend, settings)
    return EmbeddedBackend(StoreLayout(settings.store), settings)
