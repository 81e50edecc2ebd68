"""The query worker pool: an idle worker that cannot take a job is replaced, and the time lost to it is excused.

Several idle workers are frozen (SIGSTOP) or killed, then as many queries are started at once
(each holds its worker until its answer is read, as an answer larger than one chunk does), so
each meets one of them. Each is answered
by a new worker, the broken ones are gone, and each query reports the time lost as excused.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal

import pytest
from pyoxigraph import NamedNode, Quad

from kosru_kg.config import Settings
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query import budget, workers
from kosru_kg.query.backend import Job
from kosru_kg.query.budget import Budget
from kosru_kg.query.workers import QueryWorkers, WorkerLost

THINGS = 3
ROWS = 10_000
# A new text each time; its answer (about 1 MB) streams in chunks, so its worker is held until it is read.
COUNT = ("SELECT ?s ?n WHERE {{ ?s ?p ?o VALUES ?n {{ " + " ".join(map(str, range(ROWS // THINGS + 1))) + " }} }}"
         " LIMIT " + str(ROWS) + " # {}")
JSON = "application/sparql-results+json"
# A million rows of JSON (tens of MB): its worker is still writing it long after the first chunk.
LONG = "SELECT * WHERE { " + " ".join(f"VALUES ?{v} {{ {' '.join(map(str, range(100)))} }}" for v in "abc") + " }"
SLOTS = 3


@pytest.fixture()
def store_dir(tmp_path):
    layout = StoreLayout(tmp_path)
    things = [NamedNode(f"http://example.org/thing/{n}") for n in range(THINGS)]
    layout.make_current([Quad(thing, thing, thing) for thing in things], "v1", triples=THINGS)
    return layout.versions / "v1"


@pytest.fixture()
def pool():
    pool = QueryWorkers(SLOTS, Settings().query_memory_mb)
    yield pool
    pool.close()


@pytest.fixture()
def new_workers():
    """The pids of the query workers started since the test began (the session's backend may have some of its own)."""
    others = set(query_workers())
    return lambda: [pid for pid in query_workers() if pid not in others]


def started(pool, store_dir, query: str) -> tuple:
    """``query`` started on the pool, with what it was excused; the answer is read later."""
    excused = []
    with budget.excusing(excused.append):
        running = pool.run(store_dir, Job(query, JSON), Budget.starting_now(60))
    return running, excused


def count(running) -> int:
    return len(json.loads(b"".join(running.chunks))["results"]["bindings"])


def make_idle(pool, store_dir) -> None:
    """As many workers as the pool keeps, all idle: that many queries at once, then their answers read."""
    held = [started(pool, store_dir, COUNT.format(f"idle {n}"))[0] for n in range(SLOTS)]
    for running in held:
        assert count(running) == ROWS


def query_workers() -> list[int]:
    """The query workers this process has started."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    command = cmdline.read()
            except OSError:
                continue
            if parent == os.getpid() and b"kosru_kg.query.worker_process" in command:
                found.append(int(pid))
    return found


@pytest.mark.parametrize("fault", [signal.SIGSTOP, signal.SIGKILL], ids=["frozen", "killed"])
def test_idle_workers_that_cannot_take_a_job_are_replaced_and_the_time_excused(pool, store_dir, new_workers, fault):
    make_idle(pool, store_dir)
    broken = {os.pidfd_open(pid): pid for pid in new_workers()}
    assert len(broken) == SLOTS
    lost = workers.CHECK_SECONDS if fault == signal.SIGSTOP else 0.0  # a dead worker fails its check at once
    try:
        for pidfd in broken:
            signal.pidfd_send_signal(pidfd, fault)
        queries = [started(pool, store_dir, COUNT.format(f"after {n}")) for n in range(SLOTS)]
        assert [count(running) for running, _ in queries] == [ROWS] * SLOTS
        assert set(select.select(list(broken), [], [], 0)[0]) == set(broken)  # every broken one has ended
        assert len(new_workers()) == SLOTS and not set(broken.values()) & set(new_workers())
        assert all(len(excused) == 1 and excused[0] > lost for _, excused in queries)  # the check, the new worker
    finally:
        for pidfd in broken:
            with contextlib.suppress(ProcessLookupError):  # it has ended, as it should have
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            os.close(pidfd)


def test_a_query_whose_worker_is_killed_from_outside_is_excused(pool, store_dir, new_workers):
    running, excused = started(pool, store_dir, LONG)
    next(running.chunks)
    [worker] = new_workers()
    os.kill(worker, signal.SIGKILL)
    with pytest.raises(WorkerLost):
        for _ in running.chunks:
            pass
    assert len(excused) == 2 and excused[1] > 0  # the hand-over, then the whole query
