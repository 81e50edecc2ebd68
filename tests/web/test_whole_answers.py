"""Whole GET answers kept per version: sent again without the app running, on a real backend."""

from __future__ import annotations

import pytest

from kosru_kg.web import create_app
from kosru_kg.web.middleware.whole_answers import WholeAnswers


@pytest.mark.parametrize("path, accept", [
    ("/", "text/html"),
    ("/questions/recognising-states", "text/csv"),
    ("/state/kosovo", "text/turtle"),
    ("/download/kosru.ttl", "*/*"),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
])
def test_a_second_get_is_sent_from_memory(counted, path, accept):
    client, reached = counted
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and len(reached) == 1
    again = client.get(path, headers={"Accept": accept})
    assert len(reached) == 1
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    revalidated = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and len(reached) == 1
    assert revalidated.headers["ETag"] == first.headers["ETag"]


def test_another_variant_is_computed_once_for_itself(counted):
    client, reached = counted
    turtle = client.get("/state/kosovo", headers={"Accept": "text/turtle"})
    json_ld = client.get("/state/kosovo", headers={"Accept": "application/ld+json"})
    assert len(reached) == 2 and turtle.data != json_ld.data
    client.get("/state/kosovo", headers={"Accept": "application/ld+json"})
    assert len(reached) == 2


def test_an_answer_naming_the_server_is_kept_per_host(counted):
    client, reached = counted
    one = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "one.example"})
    two = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "two.example"})
    assert b"http://one.example/sparql" in one.data and b"http://two.example/sparql" in two.data
    assert client.get("/sparql", headers={"Accept": "text/turtle", "Host": "two.example"}).data == two.data
    assert len(reached) == 2


def test_errors_and_posts_are_never_kept(counted):
    client, reached = counted
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "ASK {"}).status_code == 400
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200
    assert len(reached) == 4


def test_the_kept_answers_stay_within_their_bound(settings, backend):
    app = create_app(settings, backend)
    middleware = WholeAnswers(app.wsgi_app, lambda: backend.version, entries=3)
    app.wsgi_app = middleware
    client = app.test_client()
    for number in range(20):
        assert client.get(f"/sparql?query=ASK%7B%7D&stranger={number}").status_code == 200
    assert len(middleware._kept) <= 3  # a host-dependent answer's marker counts as an entry too


def test_warming_computes_every_expensive_answer_before_the_first_visitor(settings, backend):
    from kosru_kg.web.warm import paths, requests, warm  # noqa: PLC0415

    app = create_app(settings, backend)
    reached = []
    app.before_request(lambda: reached.append(1))
    warm(app)
    warmed = len(reached)
    assert warmed == len(requests(app)) and any(path.startswith("/download/") for path in paths(app))
    assert {tag for _, tag in requests(app)} == {"en", "sq", "sr-Latn", "sr-Cyrl", "ru"}
    client = app.test_client()
    for path, tag in requests(app):
        assert client.get(path, headers={"Accept-Language": tag}).status_code == 200
    assert len(reached) == warmed  # every one was already kept
