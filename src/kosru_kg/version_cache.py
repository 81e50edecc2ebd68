"""The one cache of the project: values that hold for one published version of the graph.

A published version never changes, so anything derived from it (an answer, a page, a dump)
stays right until the version does; when the version changes, every entry goes at once.
Within a version, the least recently used entries go first once there are more than
``entries`` of them or their sizes add up to more than ``total_bytes``: keys made from what
strangers send (query strings, Host headers) can churn the cache but never grow it. An entry's
size counts all it holds: its key, the bytes its caller says the value holds, and the entry itself.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

# The bytes of an entry's own objects (its slot and node in the ordered dict, the tuple holding value and size):
# 161 measured with tracemalloc over 100,000 entries.
ENTRY_BYTES = 160


def footprint(value: object) -> int:
    """The bytes ``value`` holds, counted deeply through tuples, lists, sets and objects' attributes (what keys
    and headers are made of: strings, bytes, numbers, and dataclasses of them)."""
    size = sys.getsizeof(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        size += sum(map(footprint, value))
    elif hasattr(value, "__dict__"):
        size += footprint(tuple(vars(value).values()))
    return size


class VersionCache(Generic[V]):
    def __init__(self, entries: int, total_bytes: int | None = None):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._limit, self._total, self._size = entries, total_bytes, 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: str, key: Hashable) -> V | None:
        """The value kept for ``key`` in ``version``, or None."""
        with self._lock:
            self._follow(version)
            kept = self._entries.get(key)
            if kept is None:
                return None
            self._entries.move_to_end(key)
            return kept[0]

    def put(self, version: str, key: Hashable, value: V, size: int = 0) -> None:
        """Keep ``value`` (holding ``size`` bytes) for ``key``, unless the served version has moved on."""
        size += footprint(key) + ENTRY_BYTES
        with self._lock:
            if version != self._version or key in self._entries:
                return  # computed for a version no longer served (``get`` follows the version), or kept already
            self._entries[key] = (value, size)
            self._size += size
            while len(self._entries) > self._limit or (self._total is not None and self._size > self._total):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def get_or_compute(self, version: str, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed once however many requests ask for it at the same time."""
        kept = self.get(version, key)
        if kept is not None:
            return kept
        with self._lock:
            computing = self._computing.setdefault((version, key), threading.Lock())
        with computing:
            kept = self.get(version, key)
            if kept is None:
                kept = compute()
                self.put(version, key, kept)
        with self._lock:
            self._computing.pop((version, key), None)
        return kept

    def _follow(self, version: str) -> None:
        if version != self._version:
            self._version, self._entries, self._size = version, OrderedDict(), 0
