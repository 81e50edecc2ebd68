"""The version cache: per version, bounded, computed once; and the backend's answers kept in it."""

from __future__ import annotations

import threading

from kosru_kg.version_cache import ENTRY_BYTES, VersionCache, footprint

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_least_recently_used_entry_is_dropped_first():
    cache = VersionCache(entries=2)
    cache.put("v1", "a", b"A")
    cache.put("v1", "b", b"B")  # put without a get: the served version is unknown, nothing is kept
    assert cache.get("v1", "a") is None
    cache.put("v1", "a", b"A")
    cache.put("v1", "b", b"B")
    assert cache.get("v1", "a") == b"A"  # now "b" is the oldest
    cache.put("v1", "c", b"C")
    assert cache.get("v1", "b") is None
    assert cache.get("v1", "a") == b"A" and cache.get("v1", "c") == b"C"


def test_the_cache_stays_within_its_total_size():
    entry = footprint("a") + ENTRY_BYTES + 4  # an entry's key, the entry itself, and what its value holds
    cache = VersionCache(entries=100, total_bytes=2 * entry)
    cache.get("v1", "anything")
    for name in "abc":
        cache.put("v1", name, b"1234", 4)
    assert cache.get("v1", "a") is None
    assert cache.get("v1", "b") == cache.get("v1", "c") == b"1234"


def test_the_total_size_counts_the_keys():
    cache = VersionCache(entries=100, total_bytes=100_000)
    cache.get("v1", "anything")
    for number in range(100):
        cache.put("v1", (str(number), "x" * 10_000), b"", 0)  # nothing in the values: the keys fill it
    assert 5 <= len(cache) < 10


def test_a_new_version_empties_the_cache_and_an_old_one_cannot_refill_it():
    cache = VersionCache(entries=10)
    cache.get("v1", "x")
    cache.put("v1", "x", "old")
    assert cache.get("v2", "x") is None  # v2 is now served
    cache.put("v1", "x", "late answer for v1")
    assert cache.get("v2", "x") is None


def test_a_value_is_computed_once_however_many_ask_at_once():
    cache, calls, started = VersionCache(entries=10), [], threading.Barrier(8)

    def slow():
        calls.append(1)
        return "value"

    def ask():
        started.wait()
        assert cache.get_or_compute("v1", "k", slow) == "value"

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]


def test_a_repeated_query_is_answered_from_the_cache_without_the_engine(backend):
    first = backend.stream(COUNT, "text/csv")
    again = backend.stream(COUNT, "text/csv")
    assert again is first  # the very answer kept, not a second evaluation
    assert backend.stream(COUNT, "text/tab-separated-values") is not first


def test_an_entry_asked_for_again_outlasts_a_flood_of_entries_asked_for_once():
    cache = VersionCache(entries=10, total_bytes=100_000)
    cache.get("v1", "hot")
    cache.put("v1", "hot", "answer", 1000)
    assert cache.get("v1", "hot") == "answer"  # asked for again: protected
    for number in range(1000):  # more than both bounds hold, each asked for once
        cache.put("v1", f"stranger {number}", "junk", 5000)
    assert cache.get("v1", "hot") == "answer"
    assert len(cache) <= 10 and cache._size <= 100_000


def test_entries_asked_for_again_hold_at_most_their_share_and_the_rest_go_back_on_probation():
    cache = VersionCache(entries=10)
    cache.get("v1", "first")
    for number in range(20):
        cache.put("v1", number, str(number))
        assert cache.get("v1", number) == str(number)
    assert len(cache._protected) == 8 and len(cache) == 10
    assert cache.get("v1", 0) is None and cache.get("v1", 19) == "19"
