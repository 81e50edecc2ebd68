"""Linked-data clients as people use them, against a real ``kosru-kg serve``.

Comunica (the npm registry's ``@comunica/query-sparql``, pinned in ``tests/js``) queries
``/sparql`` as a SPARQL endpoint and traverses resource pages as linked data, in Turtle and
in JSON-LD; rdflib parses every resource format straight from its URL; SPARQLWrapper asks for
every result format it knows; headless Chromium, on a page of another origin, fetches from
the endpoint by GET and by both POST forms (the direct POST needs a CORS preflight).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
import rdflib
from conftest import BASE
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kosru_kg import formats
from kosru_kg.formats import Kind

JS = Path(__file__).resolve().parents[1] / "js"
COMUNICA = JS / "node_modules" / ".bin" / "comunica-sparql"

KOSOVO = f"{BASE}state/kosovo"
BURUNDI = f"{BASE}position/burundi-recognised-2012-2"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def comunica() -> Path:
    """Comunica's command line, installed from the lock file if .ci/run has not installed it already."""
    if not COMUNICA.exists():
        npm = shutil.which("npm")
        assert npm, "Comunica is installed with npm (Node.js), which this machine lacks"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(JS)], check=True, timeout=600,
                       capture_output=True)
    return COMUNICA


def comunica_query(comunica: Path, source: str, query: str) -> list[dict]:
    run = subprocess.run([str(comunica), source, "-t", "application/sparql-results+json", query],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)["results"]["bindings"]


def test_comunica_queries_the_endpoint(comunica, live_server):
    rows = comunica_query(comunica, f"sparql@{live_server.url}sparql",
                          f'SELECT ?label WHERE {{ <{KOSOVO}> <{LABEL}> ?label FILTER(LANG(?label) = "en") }}')
    assert [row["label"]["value"] for row in rows] == ["Kosovo"]


@pytest.mark.parametrize("suffix", ["", ".ttl", ".jsonld"], ids=["negotiated", "turtle", "json-ld"])
def test_comunica_dereferences_a_resource_page(comunica, live_server, suffix):
    rows = comunica_query(comunica, f"{live_server.url}position/burundi-recognised-2012-2{suffix}",
                          f"SELECT ?state ?label WHERE {{ <{BURUNDI}> ?p ?state . ?state <{LABEL}> ?label }}")
    labels = {(row["state"]["value"], row["label"]["value"], row["label"].get("xml:lang")) for row in rows}
    assert (f"{BASE}state/burundi", "Burundi", "en") in labels


def test_comunica_follows_links_from_page_to_page(comunica, live_server):
    """Two pages as sources at once: the claim's page names the state, the state's page its label."""
    run = subprocess.run([str(comunica), f"{live_server.url}position/burundi-recognised-2012-2.jsonld",
                          f"{live_server.url}state/burundi.ttl", "-t", "application/sparql-results+json",
                          f"SELECT ?wikidata WHERE {{ <{BURUNDI}> ?p ?state . ?state "
                          f"<http://www.w3.org/2002/07/owl#sameAs> ?wikidata }}"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    found = {row["wikidata"]["value"] for row in json.loads(run.stdout)["results"]["bindings"]}
    assert any(iri.startswith("http://www.wikidata.org/entity/Q") for iri in found)


# rdflib 7's JSON-LD parser still builds a ConjunctiveGraph, which rdflib 7 itself deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", formats.named_rows(formats.of_kind(Kind.GRAPH)), ids=lambda f: f.name)
def test_rdflib_parses_every_resource_format_from_its_url(live_server, fmt):
    by_suffix = rdflib.Graph().parse(f"{live_server.url}state/kosovo.{fmt.suffix}")  # the type from Content-Type
    assert (rdflib.URIRef(KOSOVO), rdflib.RDFS.label, rdflib.Literal("Kosovo", lang="en")) in by_suffix
    # rdflib asks for N-Triples as text/plain, the type it had before 2014: a graph asked so comes as N-Triples.
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
    negotiated = rdflib.Graph().parse(f"{live_server.url}state/kosovo", format=rdflib_name)
    assert isomorphic(by_suffix, negotiated)


SELECT = f"SELECT ?label WHERE {{ <{KOSOVO}> <{LABEL}> ?label }}"
ASK = f'ASK {{ <{KOSOVO}> <{LABEL}> "Kosovo"@en }}'
CONSTRUCT = f"CONSTRUCT {{ <{KOSOVO}> <{LABEL}> ?label }} WHERE {{ <{KOSOVO}> <{LABEL}> ?label }}"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # SPARQLWrapper builds rdflib ConjunctiveGraphs
@pytest.mark.parametrize(("query", "return_format"), [
    *((SELECT, f) for f in (JSON, XML, CSV, TSV)),
    *((ASK, f) for f in (JSON, XML, CSV, TSV)),
    *((CONSTRUCT, f) for f in (TURTLE, N3, RDFXML, JSONLD, XML)),
], ids=lambda value: value if isinstance(value, str) and len(value) < 8 else value.split()[0])
def test_sparqlwrapper_gets_every_result_format(live_server, query, return_format):
    client = SPARQLWrapper(f"{live_server.url}sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    answer = client.query().convert()
    if query is CONSTRUCT:
        graph = answer if isinstance(answer, rdflib.Graph) else rdflib.Graph().parse(data=answer, format="turtle")
        assert (rdflib.URIRef(KOSOVO), rdflib.RDFS.label, rdflib.Literal("Kosovo", lang="en")) in graph
    else:
        assert ("Kosovo" if query is SELECT else "true") in as_text(answer).lower().replace("kosovo", "Kosovo")


def as_text(answer) -> str:
    """What SPARQLWrapper converted, as text: bytes (CSV, TSV), a dict (JSON) or an XML document."""
    if isinstance(answer, bytes):
        return answer.decode("utf-8")
    if isinstance(answer, dict):
        return json.dumps(answer)
    return answer.toxml()


class _OtherOrigin(http.server.BaseHTTPRequestHandler):
    """A page of another origin (another port) for the browser to fetch from."""

    def do_GET(self):  # noqa: N802 - the http.server interface
        body = b"<!doctype html><title>another origin</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def other_origin():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OtherOrigin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


FETCHES = """async ([endpoint, query]) => {
  const answers = {};
  const read = async (response) => [response.status, (await response.json()).boolean];
  answers.get = await read(await fetch(endpoint + "?query=" + encodeURIComponent(query),
                                       {headers: {"Accept": "application/sparql-results+json"}}));
  answers.form = await read(await fetch(endpoint, {method: "POST", body: new URLSearchParams({query}),
                                                   headers: {"Accept": "application/sparql-results+json"}}));
  answers.direct = await read(await fetch(endpoint, {method: "POST", body: query,
                                                     headers: {"Content-Type": "application/sparql-query",
                                                               "Accept": "application/sparql-results+json"}}));
  return answers;
}"""


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK) and not os.environ.get("CI"),
                    reason=f"no {CHROMIUM}: .ci/run installs Debian's chromium")
def test_a_page_of_another_origin_queries_the_endpoint(live_server, other_origin):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            methods = []
            page.on("request", lambda request: methods.append(request.method))
            page.goto(other_origin)
            answers = page.evaluate(FETCHES, [f"{live_server.url}sparql", ASK])
        finally:
            browser.close()
    assert answers == {"get": [200, True], "form": [200, True], "direct": [200, True]}
    assert "OPTIONS" in methods or methods.count("POST") == 2  # the direct POST was preflighted


@pytest.mark.parametrize("path", ["position/burundi-recognised-2012-2", "state/kosovo", "veto/article-claim-veto-cast"])
def test_pyld_expands_a_resource_page_to_its_turtle(live_server, path):
    """A JSON-LD processor allowed to fetch only from this server reads the page's graph, equal to the Turtle."""
    from pyld import jsonld  # noqa: PLC0415

    fetched: list[str] = []

    def this_server_only(url, options=None):
        assert url.startswith(live_server.url), f"pyld tried to load {url}"
        fetched.append(url)
        with urlopen(Request(url, headers={"Accept": "application/ld+json"}), timeout=30) as response:
            return {"contentType": response.headers.get_content_type(), "contextUrl": None, "documentUrl": url,
                    "document": json.load(response)}

    page = f"{live_server.url}{path}"
    document = this_server_only(page + ".jsonld")["document"]
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": this_server_only,
                                      "base": page})
    from_json = rdflib.Graph().parse(data=nquads, format="nt")
    from_turtle = rdflib.Graph().parse(f"{page}.ttl")
    assert len(from_json) > 5 and isomorphic(from_json, from_turtle)
    assert fetched == [page + ".jsonld"]  # the context came inline: nothing else was loaded


@pytest.mark.parametrize("path", ["position/burundi-recognised-2012-2", "state/kosovo", "veto/article-claim-veto-cast",
                                  "statement/churkin-2007-07", "state/kosovo.html", "state/kosovo.ttl"])
def test_pyld_reads_a_resource_page_with_its_default_loader(live_server, path):
    """pyld's own loader (requests) as a JSON-LD client uses it: the resource's URL gets JSON-LD by Accept; the
    page's and Turtle's URLs name the JSON-LD variant in their one Link alternate, which the loader follows."""
    from pyld import jsonld  # noqa: PLC0415

    expanded = jsonld.expand(f"{live_server.url}{path}")
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    resource = f"{live_server.url}{path.partition('.')[0]}"
    from_json = rdflib.Graph().parse(data=nquads, format="nt")
    assert len(from_json) > 5
    assert isomorphic(from_json, rdflib.Graph().parse(f"{resource}.ttl"))
