"""Query worker processes (``kosru_kg.query.worker_process``): started on demand, reused, killed at the deadline.

A worker serves one store version; when a new version is published, idle workers of the old
one are stopped and new ones open the new version, while queries already running finish on
the old. A query that overruns costs only its own worker. A client that hangs up while its
answer streams frees it as soon as the server stops reading the stream; one that hangs up
before the first byte is not seen by the HTTP server's WSGI interface, so its query runs to
the deadline.
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path

from kosru_kg.errors import BadRequest, HttpError, QueryTimeout, ServiceUnavailable
from kosru_kg.formats import Kind
from kosru_kg.query.backend import Running
from kosru_kg.query.budget import Budget


class OutOfMemory(ServiceUnavailable):
    """The query needed more memory than a worker may use; sending it again will not help."""


class QueryFailed(BadRequest):
    """The engine could not evaluate a well-formed query."""

    title = "Query failed"


ENGINE_PANIC = re.compile(r"panicked at [^\n]*:\n(?P<message>[^\n]{1,300})")  # Rust's panic report, on stderr


class Worker:
    """One query process and the server's end of its connection."""

    def __init__(self, store_dir: Path, memory_mb: int):
        ours, theirs = socket.socketpair()
        self.store_dir, self.memory_mb = store_dir, memory_mb
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kosru_kg.query.worker_process", str(theirs.fileno()), str(store_dir), str(memory_mb)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env={**os.environ, "RUST_BACKTRACE": "0"},
            stderr=subprocess.PIPE,  # read once it has died: an engine panic says so there (a worker writes nothing else)
        )
        theirs.close()
        self.connection = Connection(ours.detach())

    def send(self, job, budget: Budget) -> None:
        self.connection.send((job, budget.remaining()))

    def receive(self, budget: Budget) -> tuple:
        """The worker's next message, unless the deadline passes first."""
        if not wait([self.connection], timeout=budget.remaining()):
            raise QueryTimeout(budget.limit)
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            raise self._died() from None

    def _died(self) -> HttpError:
        status = self.process.wait()
        panic = ENGINE_PANIC.search(self.process.stderr.read().decode("utf-8", "replace"))
        if panic:  # the engine aborts on a bug of its own: the query is valid, and another wording avoids the bug
            return QueryFailed(f"the query engine (Oxigraph) stopped on this query with an internal error: "
                               f"{panic['message']!r}. Ordering by values of mixed types (numbers and text) is a known "
                               "trigger: ORDER BY STR(?x) avoids it")
        if status == -signal.SIGABRT:  # how the engine ends when an allocation fails
            return OutOfMemory(f"the query needed more memory than the limit of {self.memory_mb} MiB and was "
                               "stopped; narrow it (fewer rows to sort, group or hold at once)")
        return ServiceUnavailable("the query's worker process stopped unexpectedly; the query was abandoned")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process.stderr.close()
        self.connection.close()


class QueryWorkers:
    """A pool of at most ``size`` idle workers; the caller bounds how many run at once."""

    def __init__(self, size: int, memory_mb: int):
        self._size, self._memory_mb = size, memory_mb
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._pid = os.getpid()
        atexit.register(self.close)

    def run(self, store_dir: Path, job, budget: Budget):
        """Start ``job`` on a worker of ``store_dir``; the Running answer's chunks return the worker when done."""
        worker = self._take(store_dir, budget)
        try:
            worker.send(job, budget)
            message = worker.receive(budget)
        except BaseException:
            worker.kill()
            raise
        if message[0] != "form":
            self._give_back(worker)
            raise _refusal(message)
        _, form, media_type = message
        return Running(Kind(form), media_type, self._chunks(worker, budget))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    def _chunks(self, worker: Worker, budget: Budget) -> Iterator[bytes]:
        finished = False
        try:
            while True:
                message = worker.receive(budget)
                if message[0] == "chunk":
                    yield message[1]
                elif message[0] == "end":
                    finished = True
                    return
                else:
                    raise _refusal(message)
        finally:
            if finished:
                self._give_back(worker)
            else:
                worker.kill()

    def _take(self, store_dir: Path, budget: Budget) -> Worker:
        """An idle worker of ``store_dir``, or a new one; idle workers of other versions are stopped."""
        stale = []
        with self._lock:
            if os.getpid() != self._pid:  # forked (a server worker): the parent's workers are not ours
                self._idle, self._pid = [], os.getpid()
            worker = None
            while self._idle and worker is None:
                candidate = self._idle.pop()
                if candidate.store_dir == store_dir and candidate.process.poll() is None:
                    worker = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            old.kill()
        if worker is not None:
            return worker
        worker = Worker(store_dir, self._memory_mb)
        try:
            message = worker.receive(budget)
        except QueryTimeout:
            worker.kill()
            raise
        except HttpError:
            message = ("failed", f"it ended at once (is query_memory_mb={self._memory_mb} too small to open the store?)")
        if message != ("ready",):
            worker.kill()
            raise ServiceUnavailable(f"a query worker could not start: {message[-1]}")
        return worker

    def _give_back(self, worker: Worker) -> None:
        with self._lock:
            if len(self._idle) < self._size and os.getpid() == self._pid:
                self._idle.append(worker)
                return
        worker.kill()


def _refusal(message: tuple) -> HttpError:
    kind, text = message[0], message[-1]
    if kind == "malformed":
        return BadRequest(f"malformed query: {text}")
    return QueryFailed(f"the query could not be evaluated: {text}")
