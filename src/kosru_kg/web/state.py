"""The app's state, built once by ``create_app`` and reached one way: ``state()``."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from flask import current_app

from kosru_kg.config import Settings
from kosru_kg.query.backend import Backend
from kosru_kg.service import ontology, questions
from kosru_kg.service.search import Search
from kosru_kg.service.versions import Versions
from kosru_kg.version_cache import VersionCache

KEY = "kosru"  # the one key of app.extensions this app uses


@dataclass
class AppState:
    settings: Settings
    backend: Backend
    questions: dict[str, questions.Question]  # the canned questions by name, read and checked at start
    ontology: ontology.Ontology
    search: Search = field(init=False)  # the served version's search index
    versions: Versions = field(init=False)  # the versions published in the store (none when serving a backend)
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(init=False)
    # Values derived from the served version: pages' parts, pictures and descriptions, whose keys may
    # carry the request's Host; and the dumps, apart, so that a slow JSON-LD dump never holds up a
    # page and strangers' Host headers can never push a dump out.
    values: VersionCache = field(init=False, default_factory=lambda: VersionCache(entries=256))
    downloads: VersionCache = field(init=False, default_factory=lambda: VersionCache(entries=64))

    def __post_init__(self) -> None:
        self.search = Search(self.settings, self.backend)
        self.versions = Versions(self.settings.local_store())
        self.trusted_proxies = self.settings.trusted_networks()

    @classmethod
    def build(cls, settings: Settings, backend: Backend) -> AppState:
        """Read the questions and the ontology now: a malformed file stops the app from starting."""
        return cls(settings, backend, questions.load(settings.queries_dir, settings.base_iri),
                   ontology.load(settings.ontology_dir))


def state() -> AppState:
    return current_app.extensions[KEY]
