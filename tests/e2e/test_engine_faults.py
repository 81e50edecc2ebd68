"""A query that makes the engine itself abort: a clear 400 for that client, and the server answers the next one.

Oxigraph 0.5 aborts (a Rust panic: "comparison function does not correctly implement a total
order") when ORDER BY meets numbers and text together. The query runs in a worker process, so
only the worker dies; the client is told what happened and how to word the query instead.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

# Forty numbers and forty strings to order: enough for the engine's sort to notice its own inconsistency.
MIXED = "SELECT ?o WHERE { VALUES ?o { " + " ".join(f'{i} "{i * 1000}"' for i in range(40)) + " } } ORDER BY ?o"


def post(server, query: str) -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + "sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_an_engine_abort_is_a_clear_400_and_the_server_goes_on(live_server):
    status, body = post(live_server, MIXED)
    assert status == 400, body[:500]
    assert b"query engine (Oxigraph)" in body and b"ORDER BY STR(?x)" in body
    assert b"Traceback" not in body
    status, body = post(live_server, MIXED.replace("ORDER BY ?o", "ORDER BY STR(?o)"))
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 80
