"""Shared fixtures: the real graph, built once per session, served in-process and as a real server."""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from filelock import FileLock

from kosru_kg.config import Settings, from_environment
from kosru_kg.graph.build import build
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.web import create_app

# The base IRI the suite runs under: the environment's KOSRU_BASE_IRI, else the default.
BASE = from_environment().base_iri

# A question with a text and a choice parameter (the canned questions have none since /search replaced
# the one that had): tests of those parameter types write it into a folder of questions of their own.
TEXT_QUESTION = """\
# title: What is named exactly like a given text?
# description: The resources whose label is the text, of one kind or of any.
# param: text | string | Vladimir Putin | | Name
# param: kind | enum | any | any, State, Organization, Person | Kind of resource
PREFIX kosru: <https://w3id.org/kosru/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>

SELECT ?text ?kind ?resource ?description WHERE {
  ?resource rdfs:label ?label .
  FILTER(STR(?label) = ?text)
  FILTER(COALESCE(?kind = "any", true)
         || EXISTS { ?resource a ?class . FILTER(?class = IRI(CONCAT(STR(kosru:), ?kind))) })
  OPTIONAL { ?resource dct:description ?description }
}
"""

SERVER_START_TIMEOUT = 120  # seconds to wait for the "serving on" line; a hang fails, it never sleeps


def run_root(tmp_path_factory) -> Path:
    """The temporary folder of the whole run: under pytest-xdist, the one all workers' folders are in."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, make) -> Path:
    """``run_root/name``, made by ``make(path)`` once for the whole run.

    Under pytest-xdist every worker has its own session fixtures, so the first worker to ask makes
    it under a file lock and the others wait for it, then share it; ``make`` writes aside and the
    folder is renamed into place once whole, so a folder that exists is finished.
    """
    root = run_root(tmp_path_factory)
    target = root / name
    with FileLock(root / f"{name}.lock"):
        if not target.is_dir():
            building = root / f"{name}.building"
            shutil.rmtree(building, ignore_errors=True)
            make(building)
            os.rename(building, target)
    return target


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    """Settings from the environment (the suite runs under any KOSRU_BASE_IRI), with no store built: for tests
    that build stores of their own, so they need not wait for the session's."""
    return from_environment()


@pytest.fixture(scope="session")
def settings(base_settings, tmp_path_factory) -> Settings:
    """``base_settings`` with the store built once for the whole run in a temporary directory. Tests only read
    it: one that needs a store to rebuild or change copies it (``store_copy``) instead of building again."""
    store = built_once(tmp_path_factory, "store", lambda path: build(base_settings.replace(store=str(path))))
    return base_settings.replace(store=str(store))


@pytest.fixture(scope="session")
def rebuilt(settings, tmp_path_factory) -> Settings:
    """A second build of the same data into a store of its own, once for the run: what the determinism
    tests (test_store, test_export) compare with the session's store."""
    store = built_once(tmp_path_factory, "rebuilt-store", lambda path: build(settings.replace(store=str(path))))
    return settings.replace(store=str(store))


# The entities of the small slice of data/ (data_slice.py) that tests of what a build does build, where the
# whole data would only make them slower; Costa Rica is first, the row tests edit to make a new version.
SLICE = ("costa-rica", "kosovo", "serbia", "russia")


@pytest.fixture(scope="session")
def data_slice(base_settings, tmp_path_factory) -> Path:
    """A small, valid slice of data/ (tests/data_slice.py), made once for the run; copy it to change it."""
    from data_slice import write_slice  # it imports nothing of this module

    return built_once(tmp_path_factory, "data-slice", lambda path: write_slice(base_settings.data_dir, path, SLICE))


@pytest.fixture()
def store_copy(settings, tmp_path) -> Path:
    """A private copy of the session's store (``current`` stays a relative link), to build into or change."""
    return copy_store(settings.store, tmp_path / "store")


def copy_store(source, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def layout(settings) -> StoreLayout:
    return StoreLayout(settings.store)


# The query time limit of the shared backend, app and live server: a hang guard, not a limit under test
# (test_deadlines and the tests that set query_timeout have their own). At the default 20 s, the slowest
# canned question (recognitions-as-of with its count checks, 8-10 s alone) was cut short with a 503 when
# the machine was busy.
HANG_GUARD_SECONDS = "300"


@pytest.fixture(scope="session")
def backend(settings, layout) -> EmbeddedBackend:
    backend = EmbeddedBackend(layout, settings.replace(query_timeout=HANG_GUARD_SECONDS))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def store(layout):
    """The built graph as a plain pyoxigraph Store (read-only)."""
    return layout.open()


@pytest.fixture(scope="session")
def app(settings, backend):
    return create_app(settings.replace(query_timeout=HANG_GUARD_SECONDS), backend)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def counted(settings, backend):
    """A fresh app (empty caches) and the list of requests that reached its views (kept answers never do)."""
    app = create_app(settings, backend)
    reached = []
    app.before_request(lambda: reached.append(1))
    return app.test_client(), reached


class ServerLog:
    """What a server process writes to standard error, read by a thread as it comes, so a chatty server
    never blocks on a full pipe; a test waits for the lines it expects (``wait_for``), never for a while."""

    def __init__(self, stream):
        self._stream = stream
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._ended = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._stream:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def lines(self) -> list[str]:
        with self._changed:
            return list(self._lines)

    def wait_for(self, found, timeout: float) -> bool:
        """Whether ``found(lines)`` became true (it is asked again at each new line) before ``timeout`` seconds
        passed or the server closed its standard error."""
        with self._changed:
            self._changed.wait_for(lambda: self._ended or found(self._lines), timeout)
            return found(self._lines)

    def close(self) -> None:
        """Once the process has ended: read to the end (a query worker it left may hold the pipe a while)."""
        self._reader.join(30)
        if not self._reader.is_alive():
            self._stream.close()


class LiveServer:
    """A ``kosru-kg serve`` process on a free loopback port."""

    def __init__(self, process: subprocess.Popen, url: str, log: ServerLog):
        self.process = process
        self.url = url  # ends with "/"
        self.log = log  # the server's stderr, read as it comes until it stops

    def __call__(self, path: str = "") -> str:
        return self.url + path.lstrip("/")


def start_server(*args: str, env: dict | None = None) -> LiveServer:
    command = [sys.executable, "-m", "kosru_kg", "serve", "--host", "127.0.0.1", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    log = ServerLog(process.stderr)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while True:
        if not selector.select(timeout=SERVER_START_TIMEOUT):
            process.kill()
            raise RuntimeError("kosru-kg serve did not announce its address in time")
        line = process.stdout.readline()
        if not line:
            code = process.wait()
            log.close()
            raise RuntimeError(f"kosru-kg serve exited with {code}: {''.join(log.lines())}")
        if line.startswith("kosru-kg serving on "):
            selector.close()
            return LiveServer(process, line.split()[-1], log)


def terminate(process: subprocess.Popen) -> None:
    """Ask a server process to stop; kill it if it has not within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_server(server: LiveServer) -> None:
    terminate(server.process)
    server.process.stdout.close()
    server.log.close()


@pytest.fixture(scope="session")
def live_server(settings):
    """A real server process serving the session's store."""
    server = start_server("--store", str(settings.store),
                          env={**os.environ, "KOSRU_QUERY_TIMEOUT": HANG_GUARD_SECONDS})
    yield server
    stop_server(server)


def publish(endpoint: str, store, *flags: str) -> subprocess.CompletedProcess:
    """``kosru-kg publish`` run as a user runs it."""
    return subprocess.run([sys.executable, "-m", "kosru_kg", "publish", "--endpoint", endpoint, "--store", str(store),
                           *flags], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def oxigraph_publishing(tmp_path_factory, settings):
    """A real ``oxigraph serve`` loaded once by ``kosru-kg publish`` from the session's store, then only read."""
    from oxigraph_server import start_oxigraph  # it imports this module

    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    run = publish(server.query, settings.store)
    assert run.returncode == 0, run.stderr
    run.server = server
    yield run
    server.stop()


@pytest.fixture(scope="session")
def published_oxigraph(oxigraph_publishing):
    return oxigraph_publishing.server


@pytest.fixture(scope="session")
def published_virtuoso(tmp_path_factory, settings):
    """The run's one Virtuoso (tests/engines/virtuoso/start), loaded by ``kosru-kg publish``, shared by the
    workers; skipped where Virtuoso is not installed, except in CI."""
    from engines.virtuoso_server import require_virtuoso, shared_virtuoso  # it imports this module

    require_virtuoso()

    def load(server) -> None:
        run = publish(server.sparql, settings.store, "--graph-store", server.graph_store)
        assert run.returncode == 0, run.stderr

    with shared_virtuoso(run_root(tmp_path_factory), load) as server:
        yield server


@contextmanager
def remote_engine(request, name: str, settings):
    """A RemoteBackend over the graph published to the engine ``name`` ("oxigraph" or "virtuoso"), named after it."""
    from kosru_kg.query.remote import RemoteBackend

    endpoint = (request.getfixturevalue("published_oxigraph").query if name == "oxigraph"
                else request.getfixturevalue("published_virtuoso").sparql)
    remote = RemoteBackend(endpoint, settings)
    remote.name = name
    try:
        yield remote
    finally:
        remote.close()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]



# The modules that take longest (measured: .ci/run's --durations), longest first. pytest-xdist hands
# whole modules to the workers in collection order (--dist loadfile --no-loadscope-reorder: pyproject.toml),
# so these start first and the many short modules fill in around them; a long module handed out last
# would leave one worker busy alone at the end. A module not named here keeps its place after them.
LONGEST_FIRST = (
    "e2e/test_fuzz.py", "graph/test_data_safety.py", "e2e/test_deadlines.py", "query/test_remote.py",
    "graph/test_synth.py", "service/test_export.py", "e2e/test_openapi_schemathesis.py", "e2e/test_cli.py",
    "e2e/test_bench_load.py", "architecture/test_installed.py", "e2e/test_own_base.py", "e2e/test_slow_clients.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    tests = Path(__file__).parent

    def place(item) -> int:
        return rank.get(item.path.relative_to(tests).as_posix(), len(rank))

    items.sort(key=place)  # stable: every module's tests keep their order
