"""The one cache of the project: values that hold for one published version of the graph.

A published version never changes, so anything derived from it (an answer, a page, a dump)
stays right until the version does; when the version changes, every entry goes at once.
Within a version, entries go once there are more than ``entries`` of them or their sizes add
up to more than ``total_bytes``: keys made from what strangers send (query strings, Host
headers) can churn the cache but never grow it. An entry's size counts all it holds: its key,
the bytes its caller says the value holds, and the entry itself.

Which go first is a segmented LRU: a new entry is on probation, and one asked for again is
protected; the least recently used entry on probation goes first, and a protected one only when
none is left on probation. Protected entries hold at most ``PROTECTED`` of each bound (beyond
it, the least recently used go back on probation). So a flood of keys asked for once (a new
query text per request, varied Accept headers) churns the entries on probation, and never
pushes out an answer that readers come back for.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

PROTECTED = 0.8  # the share of the bounds the entries asked for again may hold
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
        self._probation: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()  # each: (value, size)
        self._protected: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._limit, self._total = entries, total_bytes
        self._size = self._protected_size = 0

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected)

    def get(self, version: str, key: Hashable) -> V | None:
        """The value kept for ``key`` in ``version``, or None."""
        with self._lock:
            self._follow(version)
            kept = self._protected.get(key)
            if kept is not None:
                self._protected.move_to_end(key)
                return kept[0]
            kept = self._probation.pop(key, None)
            if kept is None:
                return None
            self._protected[key] = kept
            self._protected_size += kept[1]
            while len(self._protected) > PROTECTED * self._limit or (
                    self._total is not None and self._protected_size > PROTECTED * self._total):
                demoted, entry = self._protected.popitem(last=False)
                self._protected_size -= entry[1]
                self._probation[demoted] = entry
            return kept[0]

    def put(self, version: str, key: Hashable, value: V, size: int = 0) -> V | None:
        """Keep ``value`` (holding ``size`` bytes) for ``key``, unless the served version has moved on; the value
        kept for ``key`` now (one kept already stays), or None. Asks for nothing: no entry is protected by it."""
        size += footprint(key) + ENTRY_BYTES
        with self._lock:
            if version != self._version:
                return None  # computed for a version no longer served (``get`` follows the version)
            kept = self._protected.get(key) or self._probation.get(key)
            if kept is not None:
                return kept[0]
            self._probation[key] = (value, size)
            self._size += size
            while len(self) > self._limit or (self._total is not None and self._size > self._total):
                segment = self._probation or self._protected
                _, (_, dropped) = segment.popitem(last=False)
                self._size -= dropped
                if segment is self._protected:
                    self._protected_size -= dropped
            kept = self._probation.get(key)  # gone already if it alone is larger than the bounds
            return None if kept is None else kept[0]

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
            self._version, self._probation, self._protected = version, OrderedDict(), OrderedDict()
            self._size = self._protected_size = 0
