"""Two web nodes behind nginx over one ``oxigraph serve``: docs/deployment.md's recipe, run.

nginx (Debian's package) runs the site file of the recipe, with this module's addresses in it,
as the user running the tests and with every path it writes in a temporary folder. Each client
is a loopback address of its own (all of 127.0.0.0/8 is loopback), so that nginx's
``hash $remote_addr`` and the nodes' per-client budgets see distinct clients.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import BASE, HANG_GUARD_SECONDS, publish, start_server, stop_server, terminate
from oxigraph_server import _free_port, start_oxigraph
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kosru_kg.graph.canonical import canonical
from kosru_kg.graph.store import StoreLayout

KOSOVO = NamedNode(f"{BASE}state/kosovo")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
VERSION_INFO = NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
NEW_COMMENT = Literal("published again while two nodes served the graph")
NEW_VERSION = "two-nodes-republished"
QUESTION = "/questions/vetoes.json"  # a canned question's answer, in SPARQL JSON
TURTLE = "text/turtle"
PAGES = ((QUESTION, "application/sparql-results+json"), ("/state/kosovo", TURTLE), ("/.well-known/void", TURTLE),
         ("/versions", "application/json"))  # a node over a remote store keeps no versions: the same empty list
BUDGET_SECONDS = 2.0  # each node's query time per client per minute (KOSRU_CLIENT_QUERY_SECONDS)
# Some tens of milliseconds of joining on Oxigraph; the filter makes each query text new, so none is a kept answer.
COSTLY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . ?s ?q ?r FILTER(?r != {n}) }}"
MOST_COSTLY = 300  # costly queries one client sends before its budget must be spent
SWITCH_DEADLINE = 60  # seconds for both nodes to serve a new publication (each re-reads 3 s after its last reading)
NGINX_START_TIMEOUT = 30
RECIPE = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"

# Where nginx writes, all in the test's folder: its pid file, its log, and the five temporary folders it
# would otherwise make under /var/lib/nginx. Started as root, its workers run as nobody and cannot enter
# the test's folder: no answer is ever buffered to a file.
NGINX_MAIN = """\
pid {root}/nginx.pid;
error_log {root}/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    proxy_max_temp_file_size 0;
    add_header X-Upstream $upstream_addr always;  # which node answered (the site itself adds no header)
{site}
}}
"""

_addresses = (f"127.0.{10 + n // 200}.{10 + n % 200}" for n in itertools.count())


def fresh() -> str:
    """A loopback address no request of this module came from yet: a new client, with its whole budget."""
    return next(_addresses)


def nginx_executable() -> str | None:
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def recipe_site(nodes: list[str], port: int) -> str:
    """The recipe's nginx site (the block naming ``hash $remote_addr``), with these nodes and listen port."""
    blocks = re.findall(r"```nginx\n(.*?)```", RECIPE.read_text(encoding="utf-8"), re.DOTALL)
    site = next(block for block in blocks if "hash $remote_addr consistent" in block)
    servers = re.findall(r"^\s*server \S+:\d+;.*$", site, re.MULTILINE)
    assert len(servers) == len(nodes), f"the recipe names {len(servers)} nodes: {servers}"
    for line, node in zip(servers, nodes, strict=True):
        site = site.replace(line, f"    server {node};", 1)
    assert "listen 80;" in site
    return site.replace("listen 80;", f"listen 127.0.0.1:{port};")


class Nginx:
    def __init__(self, executable: str, root: Path, nodes: list[str]):
        self.root, self.port = root, _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        conf = root / "nginx.conf"
        conf.write_text(NGINX_MAIN.format(root=root, site=recipe_site(nodes, self.port)), encoding="utf-8")
        self.process = subprocess.Popen([executable, "-p", str(root), "-c", str(conf), "-g", "daemon off;"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + NGINX_START_TIMEOUT
        while not self._accepts():
            try:  # waits on nginx itself: a configuration it refuses ends it at once
                code = self.process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nginx did not listen in time") from None
                continue
            raise RuntimeError(f"nginx exited with {code}: {self.log()}")

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def log(self) -> str:
        log = self.root / "error.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    def stop(self) -> None:
        terminate(self.process)


def get(url: str, path: str, accept: str = TURTLE, source: str | None = None,
        **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET ``path`` of ``url`` from the loopback address ``source`` (a fresh client if None)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120,
                                            source_address=(source or fresh(), 0))
    try:
        connection.request("GET", path, headers={"Accept": accept, **{k.replace("_", "-"): v for k, v in headers.items()}})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


@pytest.fixture(scope="module")
def nginx_path() -> str:
    executable = nginx_executable()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; .ci/run installs Debian's nginx")
        pytest.skip("nginx is not installed (Debian: apt-get install nginx); CI runs this test")
    return executable


@pytest.fixture(scope="module")
def engine(nginx_path, settings, tmp_path_factory):
    """One ``oxigraph serve`` with the session's graph published to it; this module publishes again."""
    server = start_oxigraph(tmp_path_factory.mktemp("engine"))
    run = publish(server.query, settings.store)
    assert run.returncode == 0, run.stderr
    server.first_version = re.search(r"published version (\S+) to ", run.stdout).group(1)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nodes(engine):
    """Two ``kosru-kg serve --backend`` nodes, trusting nginx (loopback) to name the client."""
    env = {**os.environ, "KOSRU_TRUSTED_PROXIES": "127.0.0.1", "KOSRU_CLIENT_QUERY_SECONDS": str(BUDGET_SECONDS),
           "KOSRU_QUERY_TIMEOUT": HANG_GUARD_SECONDS}
    started = []
    try:
        for _ in range(2):
            started.append(start_server("--backend", engine.query, env=env))
        yield started
    finally:
        for server in started:
            stop_server(server)


@pytest.fixture(scope="module")
def nginx(nginx_path, nodes, tmp_path_factory):
    proxy = Nginx(nginx_path, tmp_path_factory.mktemp("nginx"), [node.url.split("/")[2] for node in nodes])
    yield proxy
    proxy.stop()


def node_of(headers: http.client.HTTPMessage) -> str:
    return headers["X-Upstream"]


def version_of(void: bytes) -> str:
    """The owl:versionInfo of a VoID description in Turtle."""
    return next(str(t.object.value) for t in parse(void, format=RdfFormat.TURTLE) if t.predicate == VERSION_INFO)


def content(body: bytes, accept: str) -> bytes | tuple:
    """What two answers must share: the bytes, or for Turtle the graph (its tag is weak: equal graphs may be written
    in another order, and the VoID description's blank nodes are, from one process to the next)."""
    return tuple(canonical(parse(body, format=RdfFormat.TURTLE))) if accept == TURTLE else body


def everywhere(nginx, nodes, path: str, accept: str, **headers: str) -> list[tuple[int, http.client.HTTPMessage, bytes]]:
    """``path`` through nginx, then straight from each node, all asked with the Host nginx passes on."""
    host = nginx.url.split("/")[2]
    return [get(url, path, accept, Host=host, **headers) for url in (nginx.url, *(node.url for node in nodes))]


def test_each_client_stays_on_one_node_and_the_clients_share_both(nginx, nodes):
    seen = {}
    for client in [fresh() for _ in range(24)]:
        answered = {node_of(get(nginx.url, sparql("ASK {}"), "application/sparql-results+json", client)[1])
                    for _ in range(3)}
        assert len(answered) == 1, f"{client} was answered by {answered}"
        seen[client] = answered.pop()
    assert set(seen.values()) == {node.url.split("/")[2] for node in nodes}


def test_the_nodes_give_the_same_answers_tags_and_version(nginx, nodes, engine):
    for path, accept in PAGES:
        answers = everywhere(nginx, nodes, path, accept)
        assert [status for status, _, _ in answers] == [200, 200, 200], (path, answers)
        assert len({content(body, accept) for _, _, body in answers}) == 1, path
        assert len({headers["ETag"] for _, headers, _ in answers}) == 1, path
        tag = answers[0][1]["ETag"]
        assert tag.startswith(f'W/"{engine.first_version}-')  # the version's, so a new one changes every tag
        assert [status for status, _, _ in everywhere(nginx, nodes, path, accept, If_None_Match=tag)] == [304] * 3
        if path == "/.well-known/void":
            assert version_of(answers[0][2]) == engine.first_version
        if path == "/versions":
            assert json.loads(answers[0][2]) == {"versions": []}


def test_a_client_past_its_budget_is_refused_by_its_node_and_served_by_the_other(nginx, nodes):
    client, answered = fresh(), set()
    for n in range(MOST_COSTLY):
        status, headers, body = get(nginx.url, sparql(COSTLY.format(n=n)), "application/sparql-results+json", client)
        answered.add(node_of(headers))
        if status == 429:
            break
        assert status == 200, body
    assert status == 429, f"{MOST_COSTLY} costly queries were all answered"
    assert headers["Retry-After"] and b"per minute per client" in body
    assert len(answered) == 1  # every query of the client went to one node, whose tally refused it
    own, = answered
    # Straight from each node, as nginx would ask for this client (nginx's address names it in X-Forwarded-For):
    # its own node refuses it still, the other never saw it.
    statuses = {node.url.split("/")[2]: get(node.url, sparql(f'ASK {{ ?s ?p "{client}" }}'),
                                            "application/sparql-results+json", "127.0.0.1",
                                            X_Forwarded_For=client)[0]
                for node in nodes}
    assert statuses == {address: 429 if address == own else 200 for address in statuses}


def test_a_new_publication_switches_both_nodes(nginx, nodes, engine, settings, tmp_path):
    host = nginx.url.split("/")[2]
    old = get(nginx.url, "/state/kosovo", Host=host)[1]["ETag"]
    changed = StoreLayout(tmp_path / "changed")
    changed.make_current(with_a_comment_on_kosovo(StoreLayout(settings.store)), NEW_VERSION, triples=0)
    run = publish(engine.query, changed.root)
    assert run.returncode == 0, run.stderr
    published = time.monotonic()
    waiting = {nginx.url, *(node.url for node in nodes)}
    while waiting:  # each asked again until its tag is no longer the old version's (a 304 costs it no query)
        assert time.monotonic() - published < SWITCH_DEADLINE, f"still on the old version: {waiting}"
        waiting = {url for url in waiting if get(url, "/state/kosovo", Host=host, If_None_Match=old)[0] == 304}
    after = everywhere(nginx, nodes, "/state/kosovo", TURTLE)
    assert [status for status, _, _ in after] == [200] * 3
    assert len({content(body, TURTLE) for _, _, body in after}) == 1
    assert NEW_COMMENT in {t.object for t in parse(after[0][2], format=RdfFormat.TURTLE) if t.subject == KOSOVO}
    assert {headers["ETag"] for _, headers, _ in after} == {old.replace(engine.first_version, NEW_VERSION, 1)}


def with_a_comment_on_kosovo(layout: StoreLayout) -> list[Quad]:
    """The built graph with one more triple about Kosovo, in each graph that holds its label."""
    quads = list(layout.open())
    graphs = {q.graph_name for q in quads if q.subject == KOSOVO and q.predicate == RDFS_LABEL}
    return [*quads, *(Quad(KOSOVO, RDFS_COMMENT, NEW_COMMENT, graph) for graph in graphs)]
