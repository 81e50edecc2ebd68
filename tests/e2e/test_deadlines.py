"""Queries run under a deadline in worker processes that are really killed, against real servers.

Three servers, each set up for what it shows: a short server-wide limit with one query at a
time; a long limit where clients ask for less; one worker whose death can be watched (and one more
of that kind for the test that kills the server's web worker).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import select
import signal
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import start_server, stop_server

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # about 10^11 rows to count
HUGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # about 3 × 10^7 rows: streams far longer than any limit here
FAST = "ASK { ?s ?p ?o }"
WATCH_SECONDS = 30  # how long a test waits for a worker to die; the query would run for minutes


def server_with(settings, **limits):
    env = {**os.environ, **{f"KOSRU_{name.upper()}": str(value) for name, value in limits.items()}}
    return start_server("--store", str(settings.store), env=env)


@pytest.fixture(scope="module")
def strict(settings):
    """A server whose own limit is 2 s and which runs one query at a time."""
    server = server_with(settings, query_timeout=2, max_queries=1, queue_timeout=0.5)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def roomy(settings):
    """A server with a 120 s limit (any shorter deadline below is the client's own) and 1 GiB per query."""
    server = server_with(settings, query_timeout=120, max_queries=3, query_memory_mb=1024)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def one_worker(settings):
    """A server with one query worker and a 120 s limit, for the tests that watch what becomes of that worker."""
    server = server_with(settings, query_timeout=120, max_queries=1)
    yield server
    stop_server(server)


UNCACHED = itertools.count(1)


def its_worker(server) -> int:
    """The pid of a one-worker server's query worker, started now by a query no earlier one answered (so
    not from the cache) if the worker before was killed or has ended."""
    assert ask(server, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {next(UNCACHED)}")[0] == 200
    [worker] = query_workers(server.process.pid)
    return worker


@pytest.fixture()
def single(one_worker):
    """The one-worker server (shared by the module) and its worker as the test begins."""
    return one_worker, its_worker(one_worker)


@pytest.fixture()
def dying(settings):
    """A one-worker server of the test's own, for a test that kills its web worker."""
    server = server_with(settings, query_timeout=120, max_queries=1)
    yield server, its_worker(server)
    stop_server(server)


def connect(server) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(server.url)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=300)


def ask(server, query: str, accept: str = "application/sparql-results+json", **params) -> tuple[int, object, bytes]:
    connection = connect(server)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query, **params}), headers={"Accept": accept})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body  # header names as sent: any case


def descendants(pid: int) -> dict[int, bytes]:
    """Every process below ``pid``, with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            try:
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes()
            except OSError:
                pass
    return found


def query_workers(server_pid: int) -> list[int]:
    """The pids of the query worker processes below a server process."""
    return [pid for pid, command in descendants(server_pid).items() if b"kosru_kg.query.worker_process" in command]


def exits_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` ends within ``seconds``: a pidfd becomes readable when it does."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([pidfd], [], [], seconds)[0])
    finally:
        os.close(pidfd)


def peak_memory_kib(pid: int) -> int:
    status = (Path("/proc") / str(pid) / "status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


def web_worker(server) -> int:
    """The HTTP worker process (the one that answers) of a one-worker server."""
    return next(pid for pid, command in descendants(server.process.pid).items()
                if b"kosru_kg.query.worker_process" not in command)


# --- the deadline ---------------------------------------------------------------------------

def test_a_query_past_the_servers_limit_gets_503_naming_it(strict):
    status, headers, body = ask(strict, ENDLESS)
    assert status == 503
    assert "time limit of 2 s" in body.decode()


def inline_data(blocks: int = 10) -> str:
    """Rows made from nothing but the query's own VALUES blocks: 10^blocks of them."""
    return " ".join(f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(blocks))


INLINE_DATA_QUERIES = [
    f"SELECT (COUNT(*) AS ?n) WHERE {{ {inline_data()} }}",
    f"ASK {{ {inline_data()} FILTER(?v0 + ?v1 + ?v2 + ?v3 + ?v4 + ?v5 + ?v6 + ?v7 + ?v8 + ?v9 > 90) }}",
    f"SELECT ?v0 WHERE {{ {inline_data(8)} }} ORDER BY DESC(?v7 * ?v3) LIMIT 1",
    f"SELECT (SUM(?n) AS ?total) WHERE {{ {{ SELECT (COUNT(*) AS ?n) WHERE {{ {inline_data()} }} }} }}",
]


def cpu_seconds(pids) -> dict[int, float]:
    """CPU time (user and system) each process has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it has ended: it burns nothing more
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def wait_until_evaluating(worker: int) -> None:
    """Return once ``worker``'s CPU time grows (it has the query, not just the bytes on their way); at most 10 s."""
    started = cpu_seconds([worker])[worker]
    for _ in range(100):
        if cpu_seconds([worker]).get(worker, started) > started + 0.2:
            return
        select.select([], [], [], 0.1)
    pytest.fail("the query worker never started the query")


@pytest.mark.parametrize("query", INLINE_DATA_QUERIES, ids=["count", "ask", "order-by", "subquery"])
def test_a_query_over_inline_data_meets_the_deadline_and_frees_its_cpu(strict, query):
    status, _, body = ask(strict, query)
    assert status == 503 and "limit of" in body.decode()
    processes = [strict.process.pid, *descendants(strict.process.pid)]
    before = cpu_seconds(processes)
    select.select([], [], [], 3)  # the window watched, not a wait for anything
    after = cpu_seconds(processes)
    burnt = {pid: after[pid] - before[pid] for pid in after if pid in before}
    assert max(burnt.values()) < 1.0, burnt
    assert ask(strict, FAST)[0] == 200


def test_a_client_may_ask_for_less_time(roomy):
    status, _, body = ask(roomy, ENDLESS, timeout="1.5")
    assert status == 503
    assert "time limit of 1.5 s" in body.decode()


def test_a_client_cannot_ask_for_more_time_than_the_server_allows(strict):
    status, _, body = ask(strict, ENDLESS, timeout="600")
    assert status == 503 and "time limit of 2 s" in body.decode()


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_a_bad_timeout_is_400_naming_it(roomy, value):
    status, _, body = ask(roomy, FAST, timeout=value)
    assert status == 400 and "timeout" in body.decode()


def test_the_overrunning_worker_is_killed_and_replaced(single):
    server, worker = single
    status, _, _ = ask(server, ENDLESS, timeout="1")
    assert status == 503
    assert exits_within(worker, 0)  # already gone when the 503 was sent
    assert ask(server, "ASK { ?s a ?class }")[0] == 200  # not cached: a new worker answers it
    replacements = query_workers(server.process.pid)
    assert replacements and worker not in replacements


def test_others_are_served_while_a_query_overruns(roomy):
    url = urllib.parse.urlsplit(roomy.url)
    with socket.create_connection((url.hostname, url.port)) as slow:
        # Its own deadline, well short of the server's: Granian does not tell the app that a client
        # hung up, so the query holds its slot until then, and the module's later tests share the server.
        target = "/sparql?" + urllib.parse.urlencode({"query": ENDLESS, "timeout": "20"})
        slow.sendall(f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        for n in range(5):
            status, _, body = ask(roomy, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} LIMIT {n + 1}")
            assert status == 200 and b'"n"' in body, body[:300]
        early = slow.recv(500) if select.select([slow], [], [], 0)[0] else b""
        assert early == b"", f"the slow query was answered before the others: {early!r}"  # they came first


def test_a_client_that_hangs_up_while_an_answer_streams_frees_its_query(single):
    server, worker = single
    connection = connect(server)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": HUGE}), headers={"Accept": "text/csv"})
    response = connection.getresponse()
    assert response.status == 200 and len(response.read(1 << 20)) == 1 << 20  # well into the stream
    connection.close()
    assert exits_within(worker, WATCH_SECONDS)


def test_a_query_whose_server_dies_ends_with_it(dying):
    """A web worker killed mid-query (a crash, or a kill at shutdown) takes its running query with it."""
    server, worker = dying
    url = urllib.parse.urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port)) as connection:
        target = "/sparql?" + urllib.parse.urlencode({"query": ENDLESS})
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        wait_until_evaluating(worker)
        os.kill(web_worker(server), signal.SIGKILL)
        assert exits_within(worker, WATCH_SECONDS)  # not two minutes later, at its alarm


def test_a_client_that_hangs_up_before_its_answer_starts_frees_its_query_at_the_deadline(strict):
    """Granian's WSGI interface does not show the app the client's socket, so the deadline frees it (the
    strict server's: one query worker, a 2 s limit, so a query nobody waits for any more runs out soon)."""
    server, worker = strict, its_worker(strict)
    url = urllib.parse.urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port)) as connection:
        target = "/sparql?" + urllib.parse.urlencode({"query": ENDLESS})
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        wait_until_evaluating(worker)  # hung up after the query started, not before the server read it
    assert exits_within(worker, WATCH_SECONDS)
    assert ask(server, FAST)[0] == 200


def test_a_query_needing_more_memory_than_allowed_gets_503_naming_the_limit(roomy):
    sort_everything = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    status, headers, body = ask(roomy, sort_everything)
    assert status == 503 and "memory than the limit of 1024 MiB" in body.decode()
    assert ask(roomy, "ASK { ?s ?p 1 }")[0] == 200  # a new worker serves the next query


# --- beyond the number of queries running at once --------------------------------------------

def test_a_query_beyond_the_running_limit_gets_503_with_retry_after(strict):
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(ask(strict, ENDLESS))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = sorted(body.decode() for _, _, body in answers)
    assert [status for status, _, _ in answers] == [503, 503]
    busy = next(headers for _, headers, body in answers if b"already running" in body)
    assert int(busy["Retry-After"]) >= 1
    assert "already running" in messages[0] and "time limit of 2 s" in messages[1]


# --- streaming -------------------------------------------------------------------------------

def test_a_failure_after_streaming_began_aborts_the_response(roomy):
    connection = connect(roomy)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": HUGE, "timeout": "2"}),
                       headers={"Accept": "text/csv"})
    try:
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead):
            response.read()
    finally:
        connection.close()


def ask_when_free(server, query: str, tries: int = 5) -> int:
    """The status of ``query``, asked again after the Retry-After a busy server names, as a polite client does."""
    for _ in range(tries):
        status, headers, body = ask(server, query)
        if status != 503 or "Retry-After" not in headers:
            return status
        time.sleep(int(headers["Retry-After"]))  # the wait the server asked for, not a guess
    return status


def test_large_answers_stream_with_flat_memory(roomy, store):
    triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    rows = " ".join(str(n) for n in range(30))
    query = f"SELECT * WHERE {{ ?s ?p ?o VALUES ?n {{ {rows} }} }}"  # 30 rows per triple, about 30 MB of JSON
    assert ask_when_free(roomy, FAST) == 200  # earlier tests' aborted queries may still hold the slots
    worker = web_worker(roomy)
    before = peak_memory_kib(worker)
    status, headers, body = ask(roomy, query)
    assert status == 200 and headers["Transfer-Encoding"] == "chunked"
    assert len(json.loads(body)["results"]["bindings"]) == 30 * triples
    assert peak_memory_kib(worker) - before < len(body) // 1024 // 4  # far less than the answer held whole
