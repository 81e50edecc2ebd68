"""Slow and idle connections against a real server process, as an attacker would open them.

Nothing here is timed: a plain request that slow or idle clients starved would be answered only once
the server had dropped them at its header timeout (which ends idle keep-alive connections too), so it
is checked that they are all still connected when its answer comes. The header timeout leaves a busy
machine ample room for that (HEADER_TIMEOUT).
"""

from __future__ import annotations

import os
import select
import socket
import urllib.parse

import pytest
from conftest import start_server, stop_server

TRICKLERS = 200  # connections that send header lines and never finish their head
IDLE = 200  # keep-alive connections that asked once and then say nothing
# Seconds the server gives a request's head, and an idle keep-alive connection its next one: far more
# than opening the connections below takes, on a busy machine too.
HEADER_TIMEOUT = 15
HANG_GUARD = 60  # seconds any wait here may last before the test fails; never waited out when all is well


@pytest.fixture(scope="module")
def server(settings):
    env = {**os.environ, "KOSRU_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "KOSRU_BODY_TIMEOUT": "1"}
    server = start_server("--store", str(settings.store), env=env)
    yield server
    stop_server(server)


def address(server) -> tuple[str, int]:
    url = urllib.parse.urlsplit(server.url)
    return url.hostname, url.port


def open_connection(server) -> socket.socket:
    connection = socket.create_connection(address(server), timeout=HANG_GUARD)
    return connection


def plain_request_answered(server) -> bool:
    """Whether a plain GET gets its 200."""
    with open_connection(server) as connection:
        connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return connection.recv(12) == b"HTTP/1.1 200"


def dropped(connections: list[socket.socket]) -> int:
    """How many of ``connections``, with nothing unread, the server has closed (they read as EOF)."""
    poller = select.poll()
    for connection in connections:
        poller.register(connection, select.POLLIN)
    return len(poller.poll(0))


def read_answer(connection: socket.socket) -> bytes:
    """One whole HTTP answer: its head, then as many body bytes as its Content-Length says (they may come apart)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(4096)
        assert chunk, f"connection closed before the answer's head ended: {answer!r}"
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = connection.recv(4096)
        assert chunk, f"connection closed after {len(body)} of {length} body bytes"
        body += chunk
    return head + b"\r\n\r\n" + body


def closed_within(connection: socket.socket, seconds: float) -> bool:
    """Whether the server ends ``connection`` within ``seconds`` (it becomes readable with nothing to read)."""
    if not select.select([connection], [], [], seconds)[0]:
        return False
    try:
        return connection.recv(1024) == b""
    except ConnectionResetError:
        return True


def test_slow_and_idle_clients_do_not_starve_a_plain_request(server):
    tricklers, idle = [], []
    try:
        for _ in range(IDLE):
            connection = open_connection(server)
            connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_answer(connection).startswith(b"HTTP/1.1 200")  # read whole: idle, nothing unread
            idle.append(connection)
        for _ in range(TRICKLERS):  # opened last: the header timeout runs from their first bytes
            connection = open_connection(server)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            tricklers.append(connection)
        for _ in range(3):
            assert plain_request_answered(server)
            assert dropped(tricklers + idle) == 0, "the plain request waited for the server to drop the others"
            for connection in tricklers:
                connection.sendall(b"X-Trickle: 1\r\n")
    finally:
        for connection in tricklers + idle:
            connection.close()


def test_headers_that_do_not_arrive_in_time_lose_the_connection(server):
    with open_connection(server) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        assert closed_within(connection, HANG_GUARD)  # dropped at the header timeout


def test_a_body_that_does_not_arrive_in_time_gets_408(server):
    with open_connection(server) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                           b"Content-Length: 100\r\n\r\nASK")
        answer = read_answer(connection)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"did not arrive within 1 s" in answer
    assert plain_request_answered(server)
