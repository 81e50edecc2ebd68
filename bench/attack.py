"""Many hostile clients at once: what a fresh client gets while 16 addresses burn query time.

Each attacker is a loopback address of its own (127.0.0.11, .12, …) sending an expensive legal
query (a three-way cross product of the graph, which runs to the deadline) back to back. Meanwhile
a fresh address (127.0.0.200) asks, in turn, for cached pages, a cached ``ASK {}``, and uncached
light queries (each made unique by a comment), and the script prints what it got: the share that
succeeded and p50/p95/p99 latency per kind. The same attack and the same light queries are then
sent to the peer, ``oxigraph serve-read-only`` on the same store, which shares nothing fairly.

    .venv/bin/python bench/attack.py [--attackers 16] [--seconds 30] [--query-timeout 20]

Python clients are right here, unlike in endpoint.py: the load is the server's query time, not
its request rate, and each client must come from an address of its own.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from endpoint import start_oxigraph  # noqa: E402 - a sibling script

from kosru_kg.config import Settings  # noqa: E402
from kosru_kg.graph.build import build  # noqa: E402
from kosru_kg.graph.store import StoreLayout  # noqa: E402

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RESULTS = "application/sparql-results+json"
FRESH = "127.0.0.200"
CACHED_PAGES = ("/", "/questions", "/questions/vetoes")


def ask(base: str, source: str, path: str, accept: str, timeout: float) -> tuple[int, float]:
    """(status, seconds) of one GET from ``source``; status 0 when the connection failed."""
    parts = urllib.parse.urlsplit(base)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError:
        return 0, time.perf_counter() - started
    finally:
        connection.close()


def sparql(endpoint_path: str, query: str) -> str:
    return f"{endpoint_path}?{urllib.parse.urlencode({'query': query})}"


def attacker(base: str, endpoint_path: str, source: str, stop: threading.Event, timeout: float) -> None:
    while not stop.is_set():
        ask(base, source, sparql(endpoint_path, EXPENSIVE), RESULTS, timeout)


def fresh_client(base: str, endpoint_path: str, pages: bool, seconds: float, timeout: float) -> dict[str, list]:
    """Each kind's (status, seconds) results, asked in turn for ``seconds``."""
    kinds: dict[str, list] = {"cached ASK {}": [], "uncached light query": []}
    if pages:
        kinds["cached page"] = []
    unique = itertools.count()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kinds["cached ASK {}"].append(ask(base, FRESH, sparql(endpoint_path, "ASK {}"), RESULTS, timeout))
        light = f"ASK {{ ?s ?p ?o }} # {next(unique)}"
        kinds["uncached light query"].append(ask(base, FRESH, sparql(endpoint_path, light), RESULTS, timeout))
        if pages:
            for path in CACHED_PAGES:
                kinds["cached page"].append(ask(base, FRESH, path, "text/html", timeout))
    return kinds


def run(name: str, base: str, endpoint_path: str, pages: bool, args: argparse.Namespace) -> None:
    for path in ("/sparql?query=ASK%20%7B%7D", *(CACHED_PAGES if pages else ())):  # warm: cached before timed
        ask(base, FRESH, path.replace("/sparql", endpoint_path), RESULTS if "query" in path else "text/html", 60)
    stop = threading.Event()
    attackers = [threading.Thread(target=attacker, args=(base, endpoint_path, f"127.0.0.{11 + n}", stop,
                                                         args.query_timeout + 30), daemon=True)
                 for n in range(args.attackers)]
    for thread in attackers:
        thread.start()
    time.sleep(args.ramp)  # the attack's first queries take every slot before the fresh client comes
    kinds = fresh_client(base, endpoint_path, pages, args.seconds, args.query_timeout + 30)
    stop.set()
    print(f"{name}: fresh client during {args.seconds:g} s of attack by {args.attackers} addresses")
    for kind, results in kinds.items():
        ok = sorted(seconds for status, seconds in results if status == 200)
        share = len(ok) / len(results) if results else 0.0

        def pct(q: float, ok=ok) -> float:
            return 1000 * ok[min(len(ok) - 1, int(q * len(ok)))] if ok else float("nan")

        median = 1000 * statistics.median(ok) if ok else float("nan")
        failed = collections.Counter(status for status, _ in results if status != 200)
        print(f"  {kind:<22} {len(results):>5} tries  {100 * share:5.1f} % ok   p50 {median:8.1f} ms   "
              f"p95 {pct(0.95):8.1f} ms   p99 {pct(0.99):8.1f} ms"
              + (f"   failed: {dict(failed)}" if failed else ""))
    for thread in attackers:
        thread.join(args.query_timeout + 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attackers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the fresh client asks")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds of attack before the fresh client asks")
    parser.add_argument("--query-timeout", type=float, default=20.0, help="the servers' query deadline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kosru-bench-attack-") as work:
        settings = Settings(store=Path(work) / "store")
        build(settings)
        layout = StoreLayout(settings.store)
        store = layout.versions / layout.manifest().version
        server = subprocess.Popen([sys.executable, "-m", "kosru_kg", "serve", "--store", str(settings.store),
                                   "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env={**os.environ, "KOSRU_QUERY_TIMEOUT": str(args.query_timeout)})
        try:
            base = next(line.split()[-1].rstrip("/") for line in server.stdout if "serving on" in line)
            run("kosru-kg serve (defaults)", base, "/sparql", True, args)
        finally:
            server.terminate()
            server.wait()
        peer, peer_base = start_oxigraph(store)
        try:
            run("oxigraph serve-read-only (peer)", peer_base, "/query", False, args)
        finally:
            peer.terminate()
            peer.wait()


if __name__ == "__main__":
    main()
