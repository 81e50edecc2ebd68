"""Values computed once per served version: the graph of a version never changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app

from . import state

KEY = "kosru.version-cache"  # key of the pages' cache in app.extensions


class VersionCache:
    """Values derived from the served version, each computed once: a version never changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: dict[tuple, object] = {}

    def get(self, version: str, key: tuple, compute: Callable):
        with self._lock:  # held while computing, so concurrent first requests compute once
            if version != self._version:
                self._version, self._entries = version, {}
            if key not in self._entries:
                self._entries[key] = compute()
            return self._entries[key]


def cached(key: tuple, compute: Callable, name: str = KEY):
    """``compute()`` for the served version, computed on the first request that needs it.

    ``compute`` must not call ``cached`` itself: the cache's lock is held while it runs.
    """
    version_cache = current_app.extensions.setdefault(name, VersionCache())
    return version_cache.get(state().backend.version, key, compute)


class AnswerCache:
    """Recent query answers of the served version, least recently used first out.

    A version never changes, so an answer stays right until the next version; only small
    answers are kept, so the cache stays small whatever strangers ask.
    """

    def __init__(self, entries: int = 1024, largest: int = 256 * 1024):
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._limit, self._largest = entries, largest

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if len(body) > self._largest:
            return
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self._limit:
                self._entries.popitem(last=False)
