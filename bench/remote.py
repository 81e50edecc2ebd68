"""Remote-backend benchmark: the canned questions through the embedded store and through ``oxigraph serve``, in one run.

Builds the graph into a temporary store, starts ``oxigraph serve`` (PyPI ``oxigraph``) on a
temporary directory and times ``upload`` into it (what ``kosru-kg publish`` does); then answers
the canned-question mix (queries/*.rq, parameters at their defaults, bound as substitutions) through
``EmbeddedBackend`` (worker processes over the store) and ``RemoteBackend`` (SPARQL 1.1
Protocol over HTTP, bindings written as VALUES), alternating round by round, from
``--clients`` threads. Each query carries a unique trailing comment, so the answer cache
never answers: what is measured is the engine path. Prints publish time, throughput,
p50/p99 latency and the remote/embedded ratios. Run: ``python bench/remote.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from itertools import count
from pathlib import Path

from figures import line, merge, summary
from pyoxigraph import Store, Variable

from kosru_kg.config import Settings
from kosru_kg.graph.build import build
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.backend import Backend
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.query.remote import RemoteBackend
from kosru_kg.query.upload import upload
from kosru_kg.service import questions

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from oxigraph_server import start_oxigraph  # noqa: E402 - the tests' helper: one way to start Oxigraph


def mix(settings: Settings) -> list[tuple[str, dict]]:
    """Each canned question with its default parameters bound."""
    return [(q.sparql, {Variable(p.name): p.term(p.default, settings.base_iri) for p in q.params})
            for q in questions.load(settings.queries_dir, settings.base_iri).values()]


def load(backend: Backend, queries: list[tuple[str, dict]], clients: int, seconds: float, unique: count) -> dict:
    """``clients`` threads cycling through ``queries``, each query made new so no cached answer is used."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        mine, i = [], offset
        while time.monotonic() < stop:
            sparql, bindings = queries[i % len(queries)]
            started = time.perf_counter()
            backend.query(f"{sparql}\n# {next(unique)}", substitutions=bindings)
            mine.append(time.perf_counter() - started)
            i += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(latencies, time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per backend, alternating")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (at most max_queries run)")
    parser.add_argument("--publishes", type=int, default=3, help="times to publish, for the publish time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().replace(store=str(Path(tmp) / "store"))
        manifest = build(settings)
        layout = StoreLayout(settings.store)
        oxigraph = start_oxigraph(Path(tmp) / "oxigraph")
        try:
            publish_times = []
            for _ in range(args.publishes):
                started = time.perf_counter()
                upload(Store.read_only(str(layout.versions / manifest.version)), manifest.version,
                       settings.base_iri, oxigraph.query)
                publish_times.append(time.perf_counter() - started)
            backends = {"embedded (worker processes)": EmbeddedBackend(layout, settings),
                        "remote (oxigraph serve, HTTP)": RemoteBackend(oxigraph.query, settings)}
            queries, unique = mix(settings), count()
            for backend in backends.values():  # warm up: workers started, connections opened
                load(backend, queries, args.clients, 1.0, unique)
            results: dict[str, list[dict]] = {name: [] for name in backends}
            for _ in range(args.rounds):
                for name, backend in backends.items():
                    results[name].append(load(backend, queries, args.clients, args.seconds, unique))
            for backend in backends.values():
                backend.close()
        finally:
            oxigraph.stop()

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{args.clients} clients, {args.rounds} rounds of {args.seconds:g} s")
    print(f"publish {manifest.quads} quads ({manifest.triples} triples) into oxigraph serve: "
          f"median {1000 * statistics.median(publish_times):.0f} ms of {args.publishes}")
    print(f"canned-question mix ({len(queries)} questions, answer cache bypassed):")
    merged = {name: merge(rounds) for name, rounds in results.items()}
    for name, result in merged.items():
        print(line(name, result))
    embedded, remote = merged.values()
    print(f"  remote / embedded: throughput {remote['throughput'] / embedded['throughput']:.2f}x, "
          f"p50 latency {remote['p50_ms'] / embedded['p50_ms']:.2f}x")


if __name__ == "__main__":
    main()
