"""Endpoint benchmark, driven by wrk (a C load generator), against peers measured in the same run.

Measures, on one store built from ``data/``:
  1. each canned question (queries/*.rq, defaults) and their mix through ``kosru-kg serve``'s
     /sparql and through ``oxigraph serve-read-only`` opened on the same store directory;
  2. ``ASK {}`` through kosru-kg against a Flask app returning a constant, under the same
     HTTP server (kosru_kg.server) and the same workers and threads;
  3. each page kind (home, a question page, /state/kosovo, a resource in Turtle, a download)
     against that same constant app.
Prints requests/s, p50/p99 latency and the ratios. wrk is the Debian package ``wrk``
(``apt-get install wrk``): Python client threads on the same cores would cap both servers.
Run: ``python bench/endpoint.py [--workers 2] [--seconds 3]``.

``--uncached`` measures instead each canned question as a public endpoint mostly receives it,
never asked before: wrk ends every request's query with a comment of its own (``# run-thread-n``),
so neither kosru-kg's whole-answer cache nor its backend's answer cache can answer it, and sends
Oxigraph server the same kind of texts. It prints both rates, their ratio and the harmonic mean
of the ratios. wrk is one client address, so kosru-kg lets one client have twice as many queries running or
waiting as wrk has connections, with a thread more than that (the fair gate keeps one free beyond
its waiting room): a query's slot is freed just after its last byte is handed to the HTTP server,
so a connection's next request can arrive first. The gate still runs, but turns none of wrk's
requests away.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from flask import Flask

from kosru_kg.config import Settings
from kosru_kg.graph.build import build
from kosru_kg.graph.store import StoreLayout

ROOT = Path(__file__).resolve().parents[1]
RESULTS = "application/sparql-results+json"
ASK = "ASK {}"
PAGES = {  # page kind: path, Accept
    "home": ("/", "text/html"),
    "question page": ("/questions/recognising-states", "text/html"),
    "/state/kosovo": ("/state/kosovo", "text/html"),
    "resource, Turtle": ("/recognition/burundi", "text/turtle"),
    "download (Turtle dump)": ("/download/kosru.ttl", "text/turtle"),
}
# wrk runs this at the end: it prints the figures as one JSON line.
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""
# wrk runs this per thread: it cycles through the paths.
WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "%(accept)s"})
end
""" + WRK_DONE
# The uncached mode's: each request POSTs the query (a Lua string) followed by a comment no other request
# sends, "# run-thread-n" (setup numbers the threads), as application/sparql-query: some texts are too
# long for a URL.
UNCACHED_SCRIPT = """
local path, query = %(path)s, %(query)s
local headers = {["Accept"] = "%(accept)s", ["Content-Type"] = "application/sparql-query"}
local n = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
request = function()
  n = n + 1
  return wrk.format("POST", path, headers, query .. "\\n# %(run)d-" .. id .. "-" .. n)
end
""" + WRK_DONE
RUNS = itertools.count(1)  # numbers the uncached wrk runs, so that no two runs send the same text


def canned_queries() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted((ROOT / "queries").glob("*.rq"))}


def bare_app() -> Flask:
    """The floor for per-request cost: a Flask view returning a constant ASK answer."""
    app = Flask("bare")
    body = b'{"head":{},"boolean":true}'

    @app.get("/sparql")
    def sparql():
        return body, 200, {"Content-Type": RESULTS}

    return app


def announced(process: subprocess.Popen) -> str:
    for line in process.stdout:
        if "serving on" in line:
            return line.split()[-1].rstrip("/")
    raise RuntimeError("the server exited before announcing its address")


def start_kosru(store: Path, workers: int, threads: int, max_queries: int,
                per_client: int) -> tuple[subprocess.Popen, str]:
    """kosru-kg serving ``store``; wrk is one client address, so it may use all the query time and ``per_client``
    queries at once."""
    process = subprocess.Popen([sys.executable, "-m", "kosru_kg", "serve", "--store", str(store), "--port", "0",
                                "--workers", str(workers), "--threads", str(threads)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "KOSRU_CLIENT_QUERY_SECONDS": "1000000",
                                    "KOSRU_MAX_QUERIES": str(max_queries),
                                    "KOSRU_CLIENT_MAX_QUERIES": str(per_client)})
    return process, announced(process)


def start_bare(workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from bench.endpoint import bare_app\nfrom kosru_kg.config import Settings\n"
            "from kosru_kg.server import listen, serve\n"
            f"settings = Settings(host='127.0.0.1', port=0, workers={workers}, threads={threads})\n"
            "serve(bare_app(), settings, listen(settings.host, settings.port))\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    return process, announced(process)


def start_oxigraph(location: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:  # oxigraph announces nothing for port 0: pick a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = Path(sys.executable).with_name("oxigraph")
    process = subprocess.Popen([str(binary), "serve-read-only", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=5).read()
            return process, url
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve-read-only did not come up") from None
            time.sleep(0.05)  # polling a server that announces nothing


def wrk(base: str, paths: list[str], accept: str, seconds: float, connections: int, script: str = "") -> dict:
    """wrk's figures for ``connections`` keep-alive connections cycling through ``paths``, or running ``script``."""
    for path in paths:  # every path answers, and is warm, before it is timed
        request = urllib.request.Request(base + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
    script = script or WRK_SCRIPT % {"paths": ", ".join(json.dumps(path) for path in paths), "accept": accept}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", file.name, base],
                                capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    figures = json.loads(next(line for line in output.splitlines() if line.startswith("WRK ")).removeprefix("WRK "))
    figures["rate"] = figures["requests"] / figures["seconds"]
    return figures


def unique_texts(base: str, path: str, query: str, seconds: float, connections: int) -> dict:
    """wrk's figures for ``query`` POSTed to ``base + path``, each request's text made unique by a comment."""
    script = UNCACHED_SCRIPT % {"path": json.dumps(path), "query": json.dumps(query, ensure_ascii=False),
                                "accept": RESULTS, "run": next(RUNS)}
    return wrk(base, [], RESULTS, seconds, connections, script)


def query_paths(endpoint_path: str, queries: list[str]) -> list[str]:
    return [f"{endpoint_path}?query={urllib.parse.quote(query)}" for query in queries]


def line(name: str, figures: dict, peer: dict | None = None, peer_name: str = "") -> str:
    ratio = f"  {figures['rate'] / peer['rate']:5.2f}× {peer_name}" if peer else ""
    errors = f"  ({figures['errors']} errors)" if figures["errors"] else ""
    return (f"  {name:<34} {figures['rate']:>9,.0f} req/s  p50 {figures['p50_ms']:6.2f} ms  "
            f"p99 {figures['p99_ms']:7.2f} ms{ratio}{errors}")


def uncached(queries: dict[str, str], kosru: str, oxigraph: str, seconds: float, connections: int) -> None:
    """Each canned question, every request's text unique, through both servers; the harmonic mean of the ratios."""
    print("canned questions, every request's query text unique (kosru-kg vs oxigraph serve-read-only):")
    ratios = []
    for name, query in queries.items():
        ours = unique_texts(kosru, "/sparql", query, seconds, connections)
        theirs = unique_texts(oxigraph, "/query", query, seconds, connections)
        ratios.append(ours["rate"] / theirs["rate"])
        print(line(name, ours, theirs, "oxigraph"), f"  (oxigraph {theirs['rate']:,.0f} req/s)", flush=True)
    print(f"harmonic mean of the ratios over {len(ratios)} questions: {statistics.harmonic_mean(ratios):.2f}×; "
          f"lowest {min(ratios):.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections wrk keeps open")
    parser.add_argument("--workers", type=int, default=1, help="HTTP worker processes of kosru-kg and the constant app")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--max-queries", type=int, default=Settings.max_queries,
                        help="kosru-kg's queries at once (query worker processes) per HTTP worker")
    parser.add_argument("--uncached", action="store_true",
                        help="only the canned questions, each request's query text unique (see the module's doc)")
    args = parser.parse_args()
    per_client = 2 * args.connections  # see the module's doc
    if args.uncached:  # and a thread for each, and one spare: the fair gate's waiting room then holds them all
        args.threads = max(args.threads, per_client + 1)
    if shutil.which("wrk") is None:
        sys.exit("bench/endpoint.py needs wrk, a C HTTP load generator: apt-get install wrk")

    queries = canned_queries()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().replace(store=tmp)
        build(settings)
        layout = StoreLayout(settings.store)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"data: {layout.manifest().triples} triples; wrk -t2 -c{args.connections} -d{args.seconds}s; "
              f"kosru-kg and the constant app: Granian, {args.workers} worker(s) × {args.threads} threads; "
              f"kosru-kg: {args.max_queries} queries at once per worker, {per_client} per client")
        servers = [start_kosru(settings.store, args.workers, args.threads, args.max_queries, per_client),
                   start_oxigraph(layout.current.resolve()), start_bare(args.workers, args.threads)]
        (_, kosru), (_, oxigraph), (_, bare) = servers
        try:
            run = lambda base, paths, accept=RESULTS: wrk(base, paths, accept, args.seconds, args.connections)  # noqa: E731
            if args.uncached:
                uncached(queries, kosru, oxigraph, args.seconds, args.connections)
                return
            print("canned questions through /sparql (kosru-kg vs oxigraph serve-read-only):")
            mix_k = run(kosru, query_paths("/sparql", list(queries.values())))
            mix_o = run(oxigraph, query_paths("/query", list(queries.values())))
            print(line("the mix of all questions", mix_k, mix_o, "oxigraph"))
            print(line("  oxigraph serve-read-only", mix_o))
            for name, query in queries.items():
                print(line(name, run(kosru, query_paths("/sparql", [query])),
                           run(oxigraph, query_paths("/query", [query])), "oxigraph"))
            print("per-request cost (vs a constant-returning Flask app under the same server):")
            bare_ask = run(bare, ["/sparql"])
            print(line("ASK {} through kosru-kg", run(kosru, query_paths("/sparql", [ASK])), bare_ask, "constant app"))
            print(line("  constant app", bare_ask))
            print(line("ASK {} through oxigraph", run(oxigraph, query_paths("/query", [ASK])), bare_ask,
                       "constant app"))
            print("pages (kosru-kg, cached answers):")
            for kind, (path, accept) in PAGES.items():
                print(line(kind, run(kosru, [path], accept), bare_ask, "constant app"))
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
