"""Endpoint benchmark: kosru-kg serve against Oxigraph server on the same store, in one run.

Measures, alternating the servers round by round so both see the same machine state:
  1. the canned-question mix (queries/*.rq, parameters at their defaults) through
     ``kosru-kg serve`` and through ``oxigraph serve-read-only`` opened on the very same
     published store directory, with in-process pyoxigraph as the floor;
  2. the per-request overhead: ``ASK {}`` through ``kosru-kg serve`` against a bare Flask
     app returning a constant under the same gunicorn configuration;
  3. HTTP caching: the question pages fetched in full, then revalidated with the
     ``If-None-Match`` a reverse proxy or CDN sends (answered 304 before any query runs).
Prints throughput, p50/p99 latency and the ratios. Run: ``python bench/endpoint.py``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from flask import Flask

from kosru_kg.build import build
from kosru_kg.config import Settings
from kosru_kg.store import StoreLayout

ROOT = Path(__file__).resolve().parents[1]
ACCEPT = "application/sparql-results+json"


def canned_queries() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]


def wait_for_line(process: subprocess.Popen, marker: str) -> str:
    for line in process.stdout:
        if marker in line:
            return line
    raise RuntimeError(f"server exited before printing {marker!r}")


def start_kosru(store: Path, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kosru_kg", "serve", "--store", str(store), "--port", "0",
         "--workers", str(workers), "--threads", str(threads)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return process, wait_for_line(process, "serving on").split()[-1]


def start_bare_flask(workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    """The same gunicorn setup serving a Flask app that returns a constant ASK result."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from bench.endpoint import bare_app\n"
        "from kosru_kg.config import Settings\n"
        "from kosru_kg.server import serve\n"
        "serve(bare_app(), Settings(host='127.0.0.1', port=0, workers=%d, threads=%d))\n" % (str(ROOT), workers, threads)
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    return process, wait_for_line(process, "serving on").split()[-1]


def bare_app() -> Flask:
    app = Flask("bare")
    body = b'{"head":{},"boolean":true}'

    @app.get("/sparql")
    def sparql():
        return body, 200, {"Content-Type": ACCEPT}

    return app


def start_oxigraph(location: Path) -> tuple[subprocess.Popen, str]:
    import socket  # noqa: PLC0415

    with socket.socket() as probe:  # oxigraph has no "port 0" announcement: pick a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = Path(sys.executable).with_name("oxigraph")
    process = subprocess.Popen([str(binary), "serve-read-only", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_ready(f"http://127.0.0.1:{port}")
    return process, f"http://127.0.0.1:{port}/query"


def wait_for_ready(url: str) -> None:
    """Poll until the server accepts a query (Oxigraph prints nothing when it is ready)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request("GET", url.rstrip("/") + "/query?query=ASK%7B%7D", None)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def request(method: str, url: str, connection: http.client.HTTPConnection | None,
            headers: dict | None = None) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(url)
    own = connection is None
    connection = connection or http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request(method, f"{parts.path}?{parts.query}", headers=headers or {"Accept": ACCEPT})
    response = connection.getresponse()
    body = response.read()
    if own:
        connection.close()
    if response.status not in (200, 304):
        raise RuntimeError(f"{url[:80]}… answered {response.status}: {body[:200]!r}")
    return response


def question_pages(base_url: str, revalidate: bool) -> list[tuple[str, dict]]:
    """Every question page, with the If-None-Match of its current tag when ``revalidate``."""
    pages = [f"{base_url}questions/{p.stem}" for p in sorted((ROOT / "queries").glob("*.rq"))]
    accept = {"Accept": "text/html"}
    if not revalidate:
        return [(url, accept) for url in pages]
    return [(url, {**accept, "If-None-Match": request("GET", url, None, accept).getheader("ETag")}) for url in pages]


def load(endpoint: str, queries: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads with keep-alive connections cycling through ``queries``."""
    return load_urls([(f"{endpoint}?query={urllib.parse.quote(q)}", {"Accept": ACCEPT}) for q in queries],
                     clients, seconds)


def load_urls(requests: list[tuple[str, dict]], clients: int, seconds: float) -> dict:
    """``clients`` threads with keep-alive connections cycling through ``requests`` (URL, headers)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        parts = urllib.parse.urlsplit(requests[0][0])
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine, i = [], offset
        while time.monotonic() < stop:
            started = time.perf_counter()
            url, headers = requests[i % len(requests)]
            request("GET", url, connection, headers)
            mine.append(time.perf_counter() - started)
            i += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return summary(latencies, elapsed)


def summary(latencies: list[float], elapsed: float) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "throughput": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def in_process(store, queries: list[str], seconds: float) -> dict:
    """The floor: the same queries on the store in this process, no HTTP at all (results serialised as JSON)."""
    from pyoxigraph import QueryResultsFormat  # noqa: PLC0415

    latencies, stop, i = [], time.monotonic() + seconds, 0
    started = time.monotonic()
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        store.query(queries[i % len(queries)]).serialize(format=QueryResultsFormat.JSON)
        latencies.append(time.perf_counter() - t0)
        i += 1
    return summary(latencies, time.monotonic() - started)


def merge(rounds: list[dict]) -> dict:
    total = sum(r["requests"] for r in rounds)
    return {
        "requests": total,
        "throughput": statistics.mean(r["throughput"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
    }


def line(name: str, r: dict) -> str:
    return f"  {name:<34} {r['throughput']:>9.0f} req/s   p50 {r['p50_ms']:>7.2f} ms   p99 {r['p99_ms']:>7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server, alternating")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--workers", type=int, default=2, help="kosru-kg (and bare Flask) worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()

    queries = canned_queries()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().replace(store=tmp)
        build(settings)
        layout = StoreLayout(settings.store)
        location = layout.current.resolve()
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"data: {layout.manifest().triples} triples; mix: {len(queries)} canned queries; "
              f"{args.clients} clients, {args.rounds}×{args.seconds:.0f} s per server; "
              f"kosru-kg: gunicorn gthread {args.workers}×{args.threads}")

        kosru, kosru_url = start_kosru(settings.store, args.workers, args.threads)
        oxigraph, oxigraph_url = start_oxigraph(location)
        bare, bare_url = start_bare_flask(args.workers, args.threads)
        try:
            results = {"kosru": [], "oxigraph": [], "kosru_ask": [], "bare_ask": [], "pages": [], "revalidated": []}
            full_pages, revalidations = question_pages(kosru_url, False), question_pages(kosru_url, True)
            for _ in range(args.rounds):
                results["kosru"].append(load(f"{kosru_url}sparql", queries, args.clients, args.seconds))
                results["oxigraph"].append(load(oxigraph_url, queries, args.clients, args.seconds))
                results["kosru_ask"].append(load(f"{kosru_url}sparql", ["ASK {}"], args.clients, args.seconds))
                results["bare_ask"].append(load(f"{bare_url}sparql", ["ASK {}"], args.clients, args.seconds))
                results["pages"].append(load_urls(full_pages, args.clients, args.seconds))
                results["revalidated"].append(load_urls(revalidations, args.clients, args.seconds))
            floor = in_process(layout.open(), queries, args.seconds)
        finally:
            for process in (kosru, oxigraph, bare):
                process.terminate()
                process.wait()

    mix_k, mix_o = merge(results["kosru"]), merge(results["oxigraph"])
    ask_k, ask_b = merge(results["kosru_ask"]), merge(results["bare_ask"])
    print("canned-question mix:")
    print(line("kosru-kg serve", mix_k))
    print(line("oxigraph serve-read-only", mix_o))
    print(line("in-process pyoxigraph (floor)", floor))
    print("ASK {} (per-request overhead):")
    print(line("kosru-kg serve", ask_k))
    print(line("bare Flask, same gunicorn", ask_b))
    pages, revalidated = merge(results["pages"]), merge(results["revalidated"])
    print("question pages (HTTP caching):")
    print(line("full pages, 200", pages))
    print(line("revalidated with If-None-Match, 304", revalidated))
    print(f"ratio mix throughput kosru-kg / oxigraph: {mix_k['throughput'] / mix_o['throughput']:.2f} (target ≥ 1.00)")
    print(f"ratio ASK {{}} kosru-kg / bare Flask:      {ask_k['throughput'] / ask_b['throughput']:.2f} (target ≥ 0.80)")
    print(f"ratio revalidated / full question pages:  {revalidated['throughput'] / pages['throughput']:.2f}")


if __name__ == "__main__":
    main()
