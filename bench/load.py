"""Load test: concurrent clients on the light mix, with a pathological query every few seconds.

The light mix is what the site serves to people and crawlers: the home page, the canned
question pages (HTML, and their JSON/CSV/TSV/XML results, with parameters), the linked-data
page of every resource (HTML, and Turtle by content negotiation), the downloads, and light
SPARQL queries. Every resource, and the base IRI, is discovered from the server itself (its
VoID description and /sparql); the questions and their parameters come from ``queries/``.

Beside it, one thread sends a pathological query (a COUNT over a cross product of the whole
graph, which would run for hours) every ``--pathological-every`` seconds, each on a new
connection. A server with a query time limit is expected to answer it with a 503 naming the
limit once it passes, while the light requests go on unharmed.

Prints, per category, requests, errors, p50/p99/max latency and throughput; each pathological
query's outcome; and the overall rate. Exits 1 if any light request failed (anything but a 200).

Run: ``python bench/load.py`` (builds data/ into a temporary store and serves it with
``kosru-kg serve``), or ``python bench/load.py --url http://host:port/`` for a running server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from figures import summary
from pyoxigraph import NamedNode, RdfFormat, parse

from kosru_kg import config, formats
from kosru_kg.graph.build import build
from kosru_kg.service import questions

ROOT = Path(__file__).resolve().parents[1]
LIGHT_TIMEOUT = 30.0  # seconds a light request may take before it counts as failed (default of --light-timeout)
PATHOLOGICAL_GRACE = 30.0  # seconds past the server's time limit the pathological client waits for an answer
VARIANTS_PER_PARAMETER = 8  # parameter values tried per question parameter, spread over the allowed ones
MAX_MESSAGE = 160  # characters of an error message shown
MAX_FAILURE_LINES = 20  # distinct (category, outcome) pairs listed when light requests fail
SEARCH_WORDS = ("Kosovo", "Russia", "Serbia", "Judo", "Putin", "UEFA")
URI_SPACE = NamedNode("http://rdfs.org/ns/void#uriSpace")
SOLUTIONS_JSON = "application/sparql-results+json"
# What a request can fail with short of an HTTP status: a refused or reset connection, an
# answer cut short (a stream closed without its last chunk is how the server says it failed).
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)
# How often each category is picked, relative to the others: pages people read dominate.
WEIGHTS = {"home page": 5, "question pages": 25, "question results": 15, "resource pages": 25,
           "resource turtle": 10, "downloads": 5, "sparql": 15}


def wait_for_line(process: subprocess.Popen, marker: str) -> str:
    for line in process.stdout:
        if marker in line:
            return line
    raise RuntimeError(f"server exited before printing {marker!r}")


@dataclass(frozen=True)
class Call:
    """One light request: a path (with its query string) and the media type asked for, if any."""

    path: str
    accept: str | None = None


@dataclass
class Sample:
    category: str
    path: str
    seconds: float
    outcome: str  # "200", or what went wrong: "503 <first line of the body>", "no answer within 30 s", …


@dataclass
class Pathological:
    sent_at: float  # seconds since the load started
    status: int | None = None  # None: no HTTP answer
    outcome: str = "no answer yet"
    seconds: float | None = None
    retry_after: str | None = None


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    pathological: list[Pathological] = field(default_factory=list)
    reconnects: int = 0
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Connection:
    """A keep-alive HTTP connection that reconnects when the server has closed it.

    A GET that fails on a reused connection because the server closed it (a server may drop idle
    keep-alive connections) is sent once more on a fresh one, as browsers do; the
    bench counts these. Any other failure is the request's outcome.
    """

    def __init__(self, url: str, timeout: float, client: int | None = None):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.prefix, self.timeout = parts.hostname, parts.port, parts.path.rstrip("/"), timeout
        # Each simulated client from an address of its own, as real clients are (the server shares its
        # query slots and time per address): 127.0.0.<10 + n> when the server is on this machine's loopback.
        self.source = (f"127.0.0.{10 + client}", 0) if client is not None and self.host == "127.0.0.1" else None
        self.http: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def get(self, path: str, accept: str | None) -> tuple[int, http.client.HTTPMessage, bytes]:
        reused = self.http is not None
        try:
            try:
                return self._get(path, accept)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not reused:
                    raise
                self.close()
                self.reconnects += 1
                return self._get(path, accept)
        except BaseException:
            self.close()
            raise

    def _get(self, path: str, accept: str | None) -> tuple[int, http.client.HTTPMessage, bytes]:
        if self.http is None:
            self.http = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                                   source_address=self.source)
        self.http.request("GET", self.prefix + path, headers={"Accept": accept} if accept else {})
        response = self.http.getresponse()
        body = response.read()
        if response.will_close:
            self.close()
        return response.status, response.headers, body

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None


def outcome(status: int, body: bytes) -> str:
    """"200", or the status with the first line of the error message (which often starts with the status)."""
    if status == 200:
        return "200"
    first_line = next(iter(body.decode("utf-8", "replace").strip().splitlines()), "")[:MAX_MESSAGE]
    return first_line if first_line.startswith(str(status)) else f"{status} {first_line}".rstrip()


# ---------------------------------------------------------------------------
# The light mix, discovered from the server
# ---------------------------------------------------------------------------

def fetch(url: str, path: str, accept: str | None = None, timeout: float = LIGHT_TIMEOUT) -> bytes:
    connection = Connection(url, timeout)
    try:
        status, _, body = connection.get(path, accept)
    finally:
        connection.close()
    if status != 200:
        raise RuntimeError(f"discovering the mix: {path} answered {outcome(status, body)}")
    return body


def sparql_path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def discover(url: str, timeout: float = LIGHT_TIMEOUT) -> tuple[str, dict[str, list[Call]]]:
    """The base IRI (the VoID description's uriSpace) and the requests of each category."""
    void = parse(fetch(url, "/.well-known/void", "application/n-triples", timeout), format=RdfFormat.N_TRIPLES)
    base = next(t.object.value for t in void if t.predicate == URI_SPACE)
    subjects = json.loads(fetch(url, sparql_path(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}")) }}'), SOLUTIONS_JSON, timeout))
    # Hash IRIs (the ontology's terms) are anchors in their document's page: one page each.
    iris = sorted({row["s"]["value"].split("#")[0] for row in subjects["results"]["bindings"]})
    paths = [iri.removeprefix(base) for iri in iris]
    resource_pages = [Call("/" + p) for p in paths]
    question_pages = question_paths(base, paths)
    return base, {
        "home page": [Call("/")],
        "question pages": [Call(path) for path in question_pages] + [Call("/questions")],
        "question results": [Call(path.replace("?", f".{fmt}?", 1) if "?" in path else f"{path}.{fmt}")
                             for path in question_pages for fmt in ("json", "csv", "tsv", "xml")],
        "resource pages": resource_pages,
        "resource turtle": [Call(c.path, "text/turtle") for c in resource_pages],
        "downloads": [Call(f"/download/{f.file_name}") for f in formats.DUMPS],
        "sparql": [Call(sparql_path(q), SOLUTIONS_JSON) for q in light_queries(iris)],
    }


def question_paths(base: str, resource_paths: list[str]) -> list[str]:
    """Each question with its defaults, then with other values of one parameter at a time."""
    paths = []
    for name, question in questions.load(ROOT / "queries", base).items():
        paths.append(f"/questions/{name}")
        for param in question.params:
            for value in spread(parameter_values(param, resource_paths), VARIANTS_PER_PARAMETER):
                paths.append(f"/questions/{name}?" + urllib.parse.urlencode({param.name: value}))
    return paths


def parameter_values(param: questions.Parameter, resource_paths: list[str]) -> list[str]:
    if param.type == "string":
        return list(SEARCH_WORDS)
    if param.type == "iri":
        return resource_paths
    if param.is_kind and not param.allowed:
        return [p.removeprefix(f"{param.type}/") for p in resource_paths if p.startswith(f"{param.type}/")]
    return list(param.allowed)


def spread(values: list[str], count: int) -> list[str]:
    """At most ``count`` of ``values``, evenly spaced, so that no question dominates the mix."""
    step = max(1, len(values) // count)
    return values[::step][:count]


def light_queries(iris: list[str]) -> list[str]:
    """Lookups a linked-data client makes: one resource's statements, a label; and two small aggregates."""
    return ["ASK {}", "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }",
            "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
            *(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in iris),
            *(f"SELECT ?label WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
              for iri in iris[::7])]


def pathological_query(copies: int, number: int) -> str:
    """A COUNT over the cross product of ``copies`` copies of the graph: n^copies rows for n triples.

    Each query names its count differently, so that no answer cache can serve it again.
    """
    patterns = " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(copies))
    return f"SELECT (COUNT(*) AS ?rows{number}) WHERE {{ {patterns} }}"


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------

def light_client(url: str, mix: dict[str, list[Call]], seed: int, stop: float, run: Run, timeout: float) -> None:
    """A closed loop: the next request goes as soon as the last one is answered (or ``timeout`` seconds pass)."""
    choose = random.Random(seed)
    categories, weights = list(mix), [WEIGHTS[c] for c in mix]
    connection = Connection(url, timeout, client=seed)
    mine = []
    while time.monotonic() < stop:
        category = choose.choices(categories, weights)[0]
        call = choose.choice(mix[category])
        started = time.perf_counter()
        try:
            status, _, body = connection.get(call.path, call.accept)
            result = outcome(status, body)
        except TimeoutError:
            result = f"no answer within {timeout:.0f} s"
        except TRANSPORT_ERRORS as exc:
            result = f"{type(exc).__name__}: {exc}"
        mine.append(Sample(category, call.path, time.perf_counter() - started, result))
    connection.close()
    with run.lock:
        run.samples.extend(mine)
        run.reconnects += connection.reconnects


def pathological_client(url: str, copies: int, every: float, stop: float, limit: float, run: Run,
                        began: float) -> list[threading.Thread]:
    """Every ``every`` seconds until ``stop``, one pathological query on its own connection and thread."""
    ticker = threading.Event()  # never set: its wait() is the schedule
    sent = []
    number = 0
    while (due := began + every * (number + 1)) < stop:
        ticker.wait(max(0.0, due - time.monotonic()))
        number += 1
        record = Pathological(sent_at=time.monotonic() - began)
        with run.lock:
            run.pathological.append(record)
        thread = threading.Thread(target=ask_pathological,
                                  args=(url, pathological_query(copies, number), limit + PATHOLOGICAL_GRACE, record))
        thread.start()
        sent.append(thread)
    return sent


def ask_pathological(url: str, query: str, timeout: float, record: Pathological) -> None:
    connection = Connection(url, timeout)
    started = time.perf_counter()
    try:
        status, headers, body = connection.get(sparql_path(query), SOLUTIONS_JSON)
        record.status, record.outcome, record.retry_after = status, outcome(status, body), headers.get("Retry-After")
        if status == 200:
            (count,) = json.loads(body)["results"]["bindings"][0].values()
            record.outcome += f" (answered in full: {count['value']} rows)"
    except TimeoutError:
        record.outcome = f"no answer within {timeout:.0f} s (the bench gave up)"
    except TRANSPORT_ERRORS as exc:
        record.outcome = f"{type(exc).__name__}: {exc}"
    finally:
        record.seconds = time.perf_counter() - started
        connection.close()


def load(url: str, mix: dict[str, list[Call]], args: argparse.Namespace, seconds: float, pathological: bool) -> Run:
    run = Run()
    began = time.monotonic()
    stop = began + seconds
    clients = [threading.Thread(target=light_client, args=(url, mix, n, stop, run, args.light_timeout))
               for n in range(args.clients)]
    for thread in clients:
        thread.start()
    outstanding = []
    if pathological and args.pathological_every > 0:
        outstanding = pathological_client(url, args.cross_product, args.pathological_every, stop, args.timeout,
                                          run, began)
    for thread in clients:
        thread.join()
    run.elapsed = time.monotonic() - began
    for thread in outstanding:
        thread.join()
    return run


# ---------------------------------------------------------------------------
# The server under test
# ---------------------------------------------------------------------------

def start_server(store: Path, args: argparse.Namespace, log) -> tuple[subprocess.Popen, str]:
    """``kosru-kg serve`` on a free port, its query time limit set by KOSRU_QUERY_TIMEOUT."""
    command = [sys.executable, "-m", "kosru_kg", "serve", "--store", str(store), "--port", "0",
               "--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    env = {**os.environ, "KOSRU_QUERY_TIMEOUT": f"{args.timeout:g}"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    return process, wait_for_line(process, "kosru-kg serving on").split()[-1]


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def report(run: Run, mix: dict[str, list[Call]], cpu_seconds: float) -> bool:
    """Prints the tables; True if every light request got a 200."""
    print(f"\n{'category':<18} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>8}")
    for category in [*mix, "all light"]:
        samples = [s for s in run.samples if category in (s.category, "all light")]
        if not samples:
            print(f"{category:<18} {0:>9}")
            continue
        figures = summary([s.seconds for s in samples], run.elapsed)
        errors = sum(s.outcome != "200" for s in samples)
        print(f"{category:<18} {figures['requests']:>9} {errors:>7} {figures['p50_ms']:>8.1f} "
              f"{figures['p99_ms']:>8.1f} {1000 * max(s.seconds for s in samples):>8.1f} {figures['throughput']:>8.1f}")

    failed = [s for s in run.samples if s.outcome != "200"]
    failures = Counter((s.category, s.outcome) for s in failed)
    if failures:
        example = {(s.category, s.outcome): s.path for s in failed}
        print("\nfailed light requests, by category and outcome:")
        for (category, what), count in failures.most_common(MAX_FAILURE_LINES):
            print(f"  {category}: {what} ×{count}, e.g. {example[category, what][:100]}")
    if run.pathological:
        print("\npathological queries:")
        print(f"  {'#':>3} {'sent at':>8} {'after':>9}  outcome [Retry-After]")
        for number, p in enumerate(run.pathological, start=1):
            after = f"{p.seconds:.2f} s" if p.seconds is not None else "-"
            retry = f" [Retry-After: {p.retry_after}]" if p.retry_after else ""
            print(f"  {number:>3} {p.sent_at:>6.1f} s {after:>9}  {p.outcome}{retry}")
        statuses = Counter(str(p.status or "no HTTP answer") for p in run.pathological)
        print("  by status: " + ", ".join(f"{status} ×{count}" for status, count in statuses.most_common()))
    print(f"\noverall: {len(run.samples)} light requests in {run.elapsed:.1f} s = "
          f"{len(run.samples) / run.elapsed:.1f} req/s, {len(failed)} failed; "
          f"{run.reconnects} reconnects after the server closed an idle keep-alive connection")
    print(f"load generator: {cpu_seconds:.1f} s of CPU over {run.elapsed:.1f} s "
          f"({100 * cpu_seconds / run.elapsed:.0f}% of one core), on the same cores as the server")
    return not failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="load a running server at this URL instead of starting one")
    parser.add_argument("--clients", type=int, default=16, help="concurrent light clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    parser.add_argument("--warmup", type=float, default=0.0,
                        help="seconds of the light mix sent first and not counted, to fill the server's caches "
                             "(default 0: a cold server is measured)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of the started server (default 1)")
    parser.add_argument("--threads", type=int, help="threads per worker of the started server (default: the server's)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="the server's query time limit in seconds, set with KOSRU_QUERY_TIMEOUT (default 5)")
    parser.add_argument("--light-timeout", type=float, default=LIGHT_TIMEOUT,
                        help=f"seconds a light request may take before it counts as failed (default {LIGHT_TIMEOUT:g})")
    parser.add_argument("--pathological-every", type=float, default=5.0,
                        help="seconds between pathological queries; 0 sends none (default 5)")
    parser.add_argument("--cross-product", type=int, default=3,
                        help="copies of the graph the pathological query joins: 3 runs for hours, 2 for seconds")
    args = parser.parse_args()
    if args.clients < 1 or args.workers < 1 or args.cross_product < 1 or args.seconds <= 0:
        parser.error("--clients, --workers, --cross-product and --seconds must be positive")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile(mode="w+") as server_log:
        server = None
        url = args.url
        if url is None:
            settings = config.from_environment(store=tmp)
            manifest = build(settings)
            server, url = start_server(settings.store, args, server_log)
            threads = args.threads or settings.threads
            print(f"server: kosru-kg serve at {url}, Granian, {args.workers} worker(s) × {threads} blocking threads, "
                  f"KOSRU_QUERY_TIMEOUT={args.timeout:g}; store of {manifest.triples} triples")
        else:
            print(f"server: {url}, already running (its workers and time limit are its own; "
                  f"the pathological client waits {args.timeout:g} s + {PATHOLOGICAL_GRACE:.0f} s)")
        try:
            base, mix = discover(url, args.light_timeout)
            print(f"mix: base {base}; " + ", ".join(f"{c} {len(calls)} URLs (weight {WEIGHTS[c]})"
                                                    for c, calls in mix.items()))
            print(f"load: {args.clients} client threads in one Python process, each on its own keep-alive "
                  f"http.client connection, a closed loop (the next request when the last is answered), "
                  f"for {args.seconds:g} s after {args.warmup:g} s of warm-up; pathological: " + (
                      f"one more thread sends a COUNT over {args.cross_product} copies of the graph every "
                      f"{args.pathological_every:g} s, each on a new connection"
                      if args.pathological_every > 0 else "none"), flush=True)
            if args.warmup > 0:
                load(url, mix, args, args.warmup, pathological=False)
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            run = load(url, mix, args, args.seconds, pathological=True)
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            if server is not None:
                stop_server(server)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        passed = report(run, mix, cpu)
        if not passed and server is not None:
            server_log.seek(0)
            print("\nserver log (last 40 lines):\n" + "".join(server_log.readlines()[-40:]))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
