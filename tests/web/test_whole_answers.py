"""Whole GET answers kept per version: sent again without the app running, on a real backend."""

from __future__ import annotations

import pytest

from kosru_kg.web import create_app
from kosru_kg.web.middleware.whole_answers import WholeAnswers, declared_by


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
    middleware = WholeAnswers(app.wsgi_app, lambda: backend.version, declared_by(app), entries=3)
    app.wsgi_app = middleware
    client = app.test_client()
    for number in range(20):
        assert client.get("/sparql", query_string={"query": f"ASK {{}} # {number}"}).status_code == 200
    assert len(middleware._kept) <= 3  # the marker of what the answers vary on counts as an entry too


def test_the_bound_counts_keys_and_headers_not_only_bodies(settings, backend):
    app = create_app(settings, backend)
    middleware = WholeAnswers(app.wsgi_app, lambda: backend.version, declared_by(app), total_bytes=64 * 1024)
    app.wsgi_app = middleware
    client = app.test_client()
    bodies = 0
    for number in range(100):  # a small answer under a long key: 100 of them hold less than 10 KiB of bodies
        answer = client.get("/sparql", query_string={"query": f"ASK {{}} # {number} {'x' * 1000}"})
        assert answer.status_code == 200
        bodies += len(answer.data)
    assert bodies < 10 * 1024 and 0 < middleware._kept._size <= 64 * 1024
    assert len(middleware._kept) < 64  # each entry counted at its key's size and more


def test_parameters_the_view_does_not_read_reach_neither_it_nor_the_key(counted):
    client, reached = counted
    first = client.get("/download/kosru.ttl")
    for junk in ("x=1", "x=2&y=3", "callback=%3Cscript%3E", "=", "&&"):
        again = client.get(f"/download/kosru.ttl?{junk}")
        assert again.data == first.data and again.headers["Cache-Status"] == "kosru-kg; hit"
    assert len(reached) == 1
    page = client.get("/questions?x=1", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/questions?lang=sq"' in page and "x=1" not in page  # the language switcher never saw it
    assert client.get("/questions?x=2", headers={"Accept": "text/html"}).headers["Cache-Status"] == "kosru-kg; hit"


def test_the_parameters_a_view_reads_key_its_answers_however_they_are_spelled(counted):
    client, reached = counted
    kosovo = client.get("/search?q=kosovo&kind=state&format=json")
    assert kosovo.headers["Cache-Status"] == "kosru-kg; fwd=uri-miss"
    for spelling in ("kind=state&format=json&q=kosovo", "q=%6Bosovo&kind=state&format=json&unread=1"):
        again = client.get(f"/search?{spelling}")
        assert again.data == kosovo.data and again.headers["Cache-Status"] == "kosru-kg; hit"
    assert len(reached) == 1
    serbia = client.get("/search?q=serbia&kind=state&format=json")
    assert serbia.headers["Cache-Status"] == "kosru-kg; fwd=vary-miss" and serbia.json != kosovo.json
    assert len(reached) == 2


def test_a_questions_own_parameters_key_its_answers_and_no_others(counted):
    client, reached = counted
    years = {year: client.get(f"/questions/recognitions-in-year.csv?year={year}").data for year in (2008, 2009)}
    assert years[2008] != years[2009] and len(reached) == 2
    vetoes = client.get("/questions/contested-facts.csv")
    for junk in ("year=2009", "year=1", "state=serbia"):  # another question's parameters: not this one's
        assert client.get(f"/questions/contested-facts.csv?{junk}").data == vetoes.data
    assert len(reached) == 3


# (?lang= values, lang cookie, Accept-Language) → the language of the page. A blank or unknown ?lang= value
# states no preference; the first naming a language is chosen; then the cookie, then Accept-Language.
LANGUAGE_CASES = [
    ("", None, "sq", "sq"),
    ("lang=&lang=ru", None, "sq", "ru"),
    ("lang=&lang=ru", "ru", "sq", "ru"),
    ("lang=xx&lang=sr-Latn", "sr-Latn", "ru", "sr-Latn"),
    ("lang=xx", None, "sq", "sq"),
    ("lang=", "sq", "ru", "sq"),
    ("", "ru", "sq", "ru"),
    ("", None, "ru", "ru"),
    ("lang=ru", "sq", "sq", "ru"),
    ("", None, None, "en"),
]


@pytest.mark.parametrize("order", [1, -1])
def test_a_kept_page_is_in_the_language_its_key_names(counted, order):
    client, _ = counted
    for query, cookie, accept_language, expected in [*LANGUAGE_CASES, *LANGUAGE_CASES][::order]:
        client._cookies.clear()
        if cookie:
            client.set_cookie("lang", cookie)
        headers = {"Accept": "text/html", **({"Accept-Language": accept_language} if accept_language else {})}
        page = client.get(f"/questions?{query}", headers=headers)
        assert page.headers["Content-Language"] == expected, (query, cookie, accept_language)
        assert f'<html lang="{expected}"' in page.get_data(as_text=True)


@pytest.mark.parametrize("host", ["one.example,two.example", "one.example, two.example", "one example"])
def test_a_request_with_two_hosts_or_a_malformed_one_is_refused_even_when_its_answer_is_kept(counted, host):
    client, _ = counted
    assert client.get("/download/kosru.ttl").status_code == 200
    refused = client.get("/download/kosru.ttl", headers={"Host": host, "Accept": "text/plain"})
    assert refused.status_code == 400 and "Cache-Status" not in refused.headers  # never looked up
    assert "RFC 9112" in refused.get_data(as_text=True)


def test_warming_computes_every_expensive_answer_before_the_first_visitor(settings, backend):
    from kosru_kg.web.warm import paths, requests, warm  # noqa: PLC0415

    app = create_app(settings, backend)
    reached = []
    app.before_request(lambda: reached.append(1))
    quota = backend.gate.quota
    before = quota.spent("127.0.0.1")  # the test client's address
    warm(app)
    assert quota.spent("127.0.0.1") <= before  # the server's own work is charged to no client
    warmed = len(reached)
    assert warmed == len(requests(app)) and any(path.startswith("/download/") for path in paths(app))
    assert {tag for _, tag in requests(app)} == {"en", "sq", "sr-Latn", "sr-Cyrl", "ru"}
    client = app.test_client()
    for path, tag in requests(app):
        assert client.get(path, headers={"Accept-Language": tag}).status_code == 200
    assert len(reached) == warmed  # every one was already kept
