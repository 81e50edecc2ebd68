"""Every idle query worker frozen (SIGSTOP), then a query, against a real server.

The server checks an idle worker as it hands it a job: a frozen one misses the check, is killed,
and a new worker answers, so the client sees only a little more latency, and is charged for none
of it. Before, the query waited out the whole deadline (20 s) for a 503, and its client was
charged that time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import urllib.parse
from pathlib import Path

import pytest
from conftest import start_server, stop_server

from kosru_kg.query.workers import CHECK_SECONDS

# Each client's query time per minute: the missed check alone would spend it, and the test's own
# queries (two counts of some 10^4 triples, milliseconds each) come nowhere near it.
BUDGET_SECONDS = CHECK_SECONDS
COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {}"  # a new text each time: no cache answers it
CLIENT = "127.0.0.23"  # an address of its own, charged for nothing else (warming the server asks as 127.0.0.1)


@pytest.fixture(scope="module")
def server(settings):
    env = {**os.environ, "KOSRU_CLIENT_QUERY_SECONDS": str(BUDGET_SECONDS)}
    server = start_server("--store", str(settings.store), env=env)
    yield server
    stop_server(server)


def counted(server, tag: str) -> tuple[int, int | None]:
    """The status of a count of every triple, asked by CLIENT, and the count."""
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120, source_address=(CLIENT, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT.format(tag)}),
                           headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        return response.status, None
    return response.status, int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def query_workers(server_pid: int) -> set[int]:
    """The query worker processes below a server process (the web worker's, started by its queries)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                commands[int(entry.name)] = (entry / "cmdline").read_bytes()
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [server_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if b"kosru_kg.query.worker_process" in commands.get(child, b""):
                found.add(child)
    return found


def test_a_query_after_every_idle_worker_froze_is_answered_by_a_new_worker_free_of_charge(server, store):
    triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    assert counted(server, "first") == (200, triples)  # its worker stays, idle
    frozen = {os.pidfd_open(pid): pid for pid in query_workers(server.process.pid)}
    assert frozen
    try:
        for pidfd in frozen:
            signal.pidfd_send_signal(pidfd, signal.SIGSTOP)
        assert counted(server, "after the freeze") == (200, triples)
        assert set(select.select(list(frozen), [], [], 0)[0]) == set(frozen)  # each was killed before the answer
        replacements = query_workers(server.process.pid)
        assert replacements and not replacements & set(frozen.values())
        # Had the time lost to the frozen worker been charged (its check, the new worker's start), the client
        # would now be past its budget.
        assert counted(server, "next") == (200, triples)
    finally:
        for pidfd in frozen:
            with contextlib.suppress(ProcessLookupError):  # it has ended, as it should have
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            os.close(pidfd)
