"""Values computed once per served version: the graph of a version never changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app

from . import state

KEY = "kosru.version-cache"  # key of the pages' cache in app.extensions


class VersionCache:
    """Values derived from the served version, each computed once: a version never changes.

    Keys may carry what a request says about itself (its Host, for one), so only the most
    recently used ``entries`` are kept.
    """

    def __init__(self, entries: int = 256):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._limit = entries

    def get(self, version: str, key: tuple, compute: Callable):
        with self._lock:  # held while computing, so concurrent first requests compute once
            if version != self._version:
                self._version, self._entries = version, OrderedDict()
            if key not in self._entries:
                self._entries[key] = compute()
                if len(self._entries) > self._limit:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(key)
            return self._entries[key]


def cached(key: tuple, compute: Callable, name: str = KEY):
    """``compute()`` for the served version, computed on the first request that needs it.

    ``compute`` must not call ``cached`` itself: the cache's lock is held while it runs.
    """
    version_cache = current_app.extensions.setdefault(name, VersionCache())
    return version_cache.get(state().backend.version, key, compute)
