"""What the query worker pool costs per query, without HTTP: ``ASK {}`` run again and again on one warm worker.

Each round runs the query ``--queries`` times through ``QueryWorkers.run`` (the job sent, its answer
read to the end, the worker given back) and prints, per query, the wall time and the CPU time of
this process (the web side) and of the worker; the median round is the figure. ``ASK {}``
evaluates in a few microseconds, so what is left is the pool's own work: pickling, the messages
over the worker's socket, and the check that an idle worker is alive. CPU times are steadier than
wall times on a busy machine. Run: ``python bench/workers.py [--queries 2000] [--rounds 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kosru_kg.config import Settings
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.backend import Job
from kosru_kg.query.budget import Budget
from kosru_kg.query.workers import QueryWorkers

TICK = 1 / os.sysconf("SC_CLK_TCK")


def the_worker() -> int:
    """The one query worker this process has started."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError):
                continue
            if parent == os.getpid() and b"kosru_kg.query.worker_process" in command:
                return int(entry.name)
    raise RuntimeError("no query worker")


def cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        layout = StoreLayout(Path(directory))
        thing = NamedNode("http://example.org/thing")
        layout.make_current([Quad(thing, thing, thing)], "v1", triples=1)
        store_dir = layout.versions / "v1"
        pool = QueryWorkers(1, Settings().query_memory_mb)
        job = Job("ASK {}", "application/sparql-results+json")

        def once() -> None:
            for _ in pool.run(store_dir, job, Budget.starting_now(20)).chunks:
                pass

        once()  # the worker starts: not part of any round
        worker = the_worker()
        rounds = []
        for _ in range(args.rounds):
            wall, web, work = time.perf_counter(), time.process_time(), cpu_seconds(worker)
            for _ in range(args.queries):
                once()
            per_query = [(time.perf_counter() - wall), (time.process_time() - web), (cpu_seconds(worker) - work)]
            rounds.append([seconds / args.queries * 1e6 for seconds in per_query])
        pool.close()
    for name, column in zip(("wall", "web CPU", "worker CPU"), zip(*rounds, strict=True), strict=True):
        print(f"{name:>10}: median {statistics.median(column):6.1f} µs per query, best {min(column):6.1f} "
              f"(rounds: {' '.join(f'{value:.0f}' for value in column)})")


if __name__ == "__main__":
    main()
