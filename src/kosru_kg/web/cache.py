"""Values computed once per served version: the graph of a version never changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app

from .. import budget
from . import state

KEY = "kosru.version-cache"  # key of the pages' cache in app.extensions
# A value computed once for everyone (a dump, a picture, the home page's counts) is not one
# client's query: it gets this long, whatever the per-query limit, and no client's hang-up stops it.
SHARED_WORK_SECONDS = 300.0


class _Entry:
    def __init__(self):
        self.lock = threading.Lock()
        self.done = False
        self.value: object = None


class VersionCache:
    """Values derived from the served version, each computed once: a version never changes.

    Each key has its own lock, so concurrent first requests for one value compute it once,
    and a slow value (a dump) holds up only the requests that need it. Keys may carry what a
    request says about itself (its Host, for one), so only the most recently used ``entries``
    are kept.
    """

    def __init__(self, entries: int = 256):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._limit = entries

    def get(self, version: str, key: tuple, compute: Callable):
        with self._lock:
            if version != self._version:
                self._version, self._entries = version, OrderedDict()
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
                if len(self._entries) > self._limit:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(key)
        with entry.lock:
            if not entry.done:
                with budget.scope(budget.Budget.starting_now(SHARED_WORK_SECONDS)):
                    entry.value = compute()
                entry.done = True
            return entry.value


def cached(key: tuple, compute: Callable, name: str = KEY):
    """``compute()`` for the served version, computed on the first request that needs it."""
    version_cache = current_app.extensions.setdefault(name, VersionCache())
    return version_cache.get(state().backend.version, key, compute)
