"""Query worker processes (``kosru_kg.query.worker_process``): started on demand, reused, killed at the deadline.

A worker serves one store version; when a new version is published, idle workers of the old
one are stopped and new ones open the new version, while queries already running finish on
the old. A query that overruns costs only its own worker. A client that hangs up while its
answer streams frees it as soon as the server stops reading the stream; one that hangs up
before the first byte is not seen by the HTTP server's WSGI interface, so its query runs to
the deadline.

An idle worker is checked as it is given a job: it must acknowledge the job within
``CHECK_SECONDS``, or it is killed (a frozen, stopped or dead process) and the job goes to a new
worker. Time the server loses to its own faults (starting or replacing a worker, a worker that
dies of something other than its query) is reported to the caller's ``budget.excusing`` block,
so that the client is not charged for it; the time a new worker took to start is added to its query's deadline.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path

from kosru_kg.errors import BadRequest, HttpError, QueryTimeout, ServiceUnavailable
from kosru_kg.formats import Kind
from kosru_kg.query import budget as budgets
from kosru_kg.query.backend import Running
from kosru_kg.query.budget import Budget


class OutOfMemory(ServiceUnavailable):
    """The query needed more memory than a worker may use; sending it again will not help."""


class QueryFailed(BadRequest):
    """The engine could not evaluate a well-formed query."""

    title = "Query failed"


class WorkerLost(ServiceUnavailable):
    """The worker died of something other than its query (killed from outside, say): the server's fault."""


log = logging.getLogger("kosru_kg.query.workers")
ENGINE_PANIC = re.compile(r"panicked at [^\n]*:\n(?P<message>[^\n]{1,300})")  # Rust's panic report, on stderr
# How long an idle worker may take to acknowledge a job before it is replaced. A live one takes tens
# of microseconds, a few milliseconds on a loaded machine; waiting longer only delays the query of a
# frozen one, and a healthy worker wrongly replaced costs no more than a new worker's start.
CHECK_SECONDS = 0.5


class Worker:
    """One query process and the server's end of its connection."""

    def __init__(self, store_dir: Path, memory_mb: int):
        ours, theirs = socket.socketpair()
        # A job larger than the socket's buffer, sent to a frozen worker, would block the sender for good.
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 0, int(CHECK_SECONDS * 1e6)))
        self.store_dir, self.memory_mb = store_dir, memory_mb
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kosru_kg.query.worker_process", str(theirs.fileno()), str(store_dir), str(memory_mb)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env={**os.environ, "RUST_BACKTRACE": "0"},
            stderr=subprocess.PIPE,  # read once it has died: an engine panic says so there (a worker writes nothing else)
        )
        theirs.close()
        self.connection = Connection(ours.detach())
        self._answered = select.poll()  # made once: a tenth of the cost of Connection.poll on each check
        self._answered.register(self.connection.fileno(), select.POLLIN)

    def send(self, job, budget: Budget) -> None:
        self.connection.send((job, budget.remaining()))

    def takes(self, job, budget: Budget) -> bool:
        """Whether the (idle) worker acknowledges ``job`` within CHECK_SECONDS; a frozen, stopped or dead one does not."""
        try:
            self.send(job, budget)
            return bool(self._answered.poll(CHECK_SECONDS * 1000)) and self.connection.recv() == ("taken",)
        except (EOFError, OSError):
            return False

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
        return WorkerLost("the query's worker process stopped unexpectedly; the query was abandoned")

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
        excuse = budgets.current_excuse()
        began = time.monotonic()
        try:
            worker, budget = self._take(store_dir, job, budget)
        finally:
            taken = time.monotonic()
            excuse(taken - began)
        try:
            message = _next(worker, budget, excuse, taken)
        except BaseException:
            worker.kill()
            raise
        if message[0] == "whole":
            self._give_back(worker)
            _, form, media_type, body = message
            return Running(Kind(form), media_type, iter((body,)))
        if message[0] != "form":
            self._give_back(worker)
            raise _refusal(message)
        _, form, media_type = message
        return Running(Kind(form), media_type, self._chunks(worker, budget, excuse, taken))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    def _chunks(self, worker: Worker, budget: Budget, excuse: Callable[[float], None], taken: float) -> Iterator[bytes]:
        finished = False
        try:
            while True:
                message = _next(worker, budget, excuse, taken)
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

    def _take(self, store_dir: Path, job, budget: Budget) -> tuple[Worker, Budget]:
        """A worker of ``store_dir`` that has taken ``job``, and the query's budget: the last idle worker if it
        passes its check, else a new one, with the time lost until it started added to the budget."""
        began = time.monotonic()
        worker = self._last_idle(store_dir)
        if worker is not None:
            if worker.takes(job, budget):
                return worker, budget
            log.warning("query worker %d did not take a job within %g s (frozen, stopped or dead); replaced",
                        worker.process.pid, CHECK_SECONDS)
            worker.kill()
        worker = self._start(store_dir, budget)
        budget = Budget(budget.limit, budget.deadline + time.monotonic() - began)
        try:
            worker.send(job, budget)
            worker.receive(budget)  # ("taken",): it has just said it is ready, so it is not checked
        except BaseException:
            worker.kill()
            raise
        return worker, budget

    def _last_idle(self, store_dir: Path) -> Worker | None:
        """The last idle worker of ``store_dir``, if any; idle workers of other versions are stopped."""
        stale = []
        with self._lock:
            if os.getpid() != self._pid:  # forked (a server worker): the parent's workers are not ours
                self._idle, self._pid = [], os.getpid()
            worker = None
            while self._idle and worker is None:
                candidate = self._idle.pop()
                if candidate.store_dir == store_dir:
                    worker = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            old.kill()
        return worker

    def _start(self, store_dir: Path, budget: Budget) -> Worker:
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


def _next(worker: Worker, budget: Budget, excuse: Callable[[float], None], taken: float) -> tuple:
    """The worker's next message; if it died of something other than its query, the query's time is excused."""
    try:
        return worker.receive(budget)
    except WorkerLost:
        excuse(time.monotonic() - taken)
        raise


def _refusal(message: tuple) -> HttpError:
    kind, text = message[0], message[-1]
    if kind == "malformed":
        return BadRequest(f"malformed query: {text}")
    return QueryFailed(f"the query could not be evaluated: {text}")
