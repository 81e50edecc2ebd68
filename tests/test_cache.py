"""The answer cache keeps few, small answers, and the least recently used goes first."""

from __future__ import annotations

from kosru_kg.backend import Answer, AnswerCache


def answer(body: bytes) -> Answer:
    return Answer("solutions", "text/csv", body)


def test_least_recently_used_answer_is_dropped_first():
    cache = AnswerCache(entries=2)
    cache.put(("v1", "a"), answer(b"A"))
    cache.put(("v1", "b"), answer(b"B"))
    assert cache.get(("v1", "a")).head == b"A"  # now "b" is the oldest
    cache.put(("v1", "c"), answer(b"C"))
    assert cache.get(("v1", "b")) is None
    assert cache.get(("v1", "a")).head == b"A" and cache.get(("v1", "c")).head == b"C"


def test_large_answers_are_not_kept():
    cache = AnswerCache(largest=4)
    cache.put(("v1", "big"), answer(b"12345"))
    assert cache.get(("v1", "big")) is None


def test_the_cache_stays_within_its_total_size():
    cache = AnswerCache(total=10)
    for name in "abc":
        cache.put(("v1", name), answer(b"1234"))
    assert cache.get(("v1", "a")) is None
    assert cache.get(("v1", "b")).head == cache.get(("v1", "c")).head == b"1234"


def test_an_answer_still_streaming_is_not_kept():
    cache = AnswerCache()
    cache.put(("v1", "big"), Answer("solutions", "text/csv", b"head", iter([b"rest"])))
    assert cache.get(("v1", "big")) is None


def test_a_repeated_query_gets_the_same_answer_from_the_endpoint(client):
    url = "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D"
    first = client.get(url, headers={"Accept": "text/csv"})
    second = client.get(url, headers={"Accept": "text/csv"})
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and int(first.data.split()[1]) > 4000
    assert client.get(url, headers={"Accept": "text/tab-separated-values"}).data.startswith(b"?n")
