"""Many hostile addresses at once, against a real server: what a fresh address still gets.

Sixteen loopback addresses send an expensive legal query (it runs to the deadline) back to back,
as many at once as they are allowed. A fresh address then asks for cached answers and for
uncached light queries. Timing is bench/attack.py's business; this checks the outcome.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import urllib.parse

import pytest
from conftest import start_server, stop_server

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ATTACKERS = [f"127.0.0.{11 + n}" for n in range(16)]
FRESH = "127.0.0.200"
LIGHT_TRIES = 20


@pytest.fixture(scope="module")
def server(settings):
    server = start_server("--store", str(settings.store),
                          env={**os.environ, "KOSRU_QUERY_TIMEOUT": "2", "KOSRU_CLIENT_QUERY_SECONDS": "600"})
    yield server
    stop_server(server)


def get(server, source: str, path: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def test_a_fresh_address_is_served_while_sixteen_addresses_attack(server):
    cached = ["/", "/questions", sparql("ASK {}")]
    for path in cached:  # in the whole-answer cache before the attack
        assert get(server, FRESH, path, "text/html" if "sparql" not in path else "application/sparql-results+json")[0] == 200
    stop, refused, answered, changed = threading.Event(), [], set(), threading.Condition()

    def attack(source: str) -> None:
        while not stop.is_set():
            status, body = get(server, source, sparql(EXPENSIVE))
            if status != 200:
                refused.append((status, body))
            with changed:
                answered.add(source)
                changed.notify_all()

    attackers = [threading.Thread(target=attack, args=(source,), daemon=True) for source in ATTACKERS]
    for thread in attackers:
        thread.start()
    try:
        # The attack is under way once every attacker has had an answer (its query stopped at the deadline,
        # or turned away): each has used query time since, and the slots and the waiting room are full.
        with changed:
            assert changed.wait_for(lambda: len(answered) == len(ATTACKERS), timeout=120)
        light = [get(server, FRESH, sparql(f"ASK {{ ?s ?p ?o }} # try {n}")) for n in range(LIGHT_TRIES)]
        pages = [get(server, FRESH, path, "text/html" if "sparql" not in path else "application/sparql-results+json")
                 for path in cached * 5]
    finally:
        stop.set()
        for thread in attackers:
            thread.join(60)
    answers = [json.loads(body) for status, body in light if status == 200]
    assert len(answers) >= 0.95 * LIGHT_TRIES, [body for status, body in light if status != 200]
    assert all(answer == {"head": {}, "boolean": True} for answer in answers)
    assert [status for status, _ in pages] == [200] * len(pages)
    # The attackers were refused by the rules, each refusal saying why: a 503 (every slot taken, or the
    # deadline of a slot kept for short queries) or a 429 (too many at once from one address).
    assert refused and {status for status, _ in refused} <= {429, 503}
    assert any(b"kept for short queries" in body or b"already running" in body for _, body in refused)
