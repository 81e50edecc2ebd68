"""Linked-data pages: resources and the ontology dereference by content negotiation or suffix."""

from __future__ import annotations

import pytest
import rdflib
from conftest import BASE
from htmltree import Element, Page, page
from pyoxigraph import Literal, NamedNode, Quad
from rdflib.compare import isomorphic

from kosru_kg.config import Settings
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.vocab import KOSRU, term
from kosru_kg.web import create_app

KOSOVO = f"{BASE}state/kosovo"
LABEL_TRIPLE = (rdflib.URIRef(KOSOVO), rdflib.RDFS.label, rdflib.Literal("Kosovo", lang="en"))
# Media type, suffix and rdflib's name of each RDF variant.
RDF_VARIANTS = [
    ("text/turtle", "ttl", "turtle"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "rdf", "xml"),
]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# --- helpers -------------------------------------------------------------------------------

def table_rows(section: Element) -> dict[str, list[Element]]:
    """Property name → the items of its value cell (list items, or the cell itself for one value)."""
    rows = {}
    for tr in section.one("tbody").all("tr"):
        cell = tr.one("td")
        rows[tr.one("th").text()] = list(cell.all("li")) or [cell]
    return rows


def rdflib_graph(data: bytes, rdflib_format: str) -> rdflib.Graph:
    """The graph of an RDF answer (a JSON-LD answer carries its context: nothing is fetched).

    Language tags are put in lower case: tags ignore case, and pyoxigraph writes ``sr-Cyrl`` as ``sr-cyrl``,
    which rdflib would count as another literal when comparing graphs.
    """
    graph = rdflib.Graph()
    for s, p, o in rdflib.Graph().parse(data=data, format=rdflib_format):
        if isinstance(o, rdflib.Literal) and o.language:
            o = rdflib.Literal(str(o), lang=o.language.lower())
        graph.add((s, p, o))
    return graph


def rdflib_reads_json_ld(test):
    """rdflib 7.6's JSON-LD parser uses its own deprecated ConjunctiveGraph API."""
    for message in ("ConjunctiveGraph is deprecated", "Dataset.default_context is deprecated"):
        test = pytest.mark.filterwarnings(f"ignore:{message}:DeprecationWarning")(test)
    return test


def count(store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


# --- the HTML page of a resource -------------------------------------------------------------

@pytest.fixture(scope="module")
def kosovo(app) -> Element:
    return page(app.test_client().get("/state/kosovo", headers={"Accept": BROWSER_ACCEPT}))


def test_page_has_the_label_as_heading_with_its_language(kosovo):
    heading = kosovo.one("h1")
    assert heading.text() == "Kosovo"
    assert heading.attrs["lang"] == "en"
    assert kosovo.one("title").text().startswith("Kosovo ·")


def test_page_shows_types_linked_to_the_ontology(kosovo):
    links = kosovo.one("article").one("header").links()
    assert links["/ontology#State"] == "state"
    assert links["/ontology#PartiallyRecognisedState"] == "partially recognised state"


def test_page_has_every_outgoing_statement(kosovo, store):
    rows = table_rows(kosovo.one("section", **{"aria-labelledby": "statements"}))
    assert [item.text() for item in rows["label"]] == ["Kosovo"]
    assert [item.text() for item in rows["other name"]] == ["Kosova", "Republic of Kosovo"]  # in alphabetical order
    assert rows["label"][0].one("span").attrs["lang"] == "en"
    # every statement, texts in other languages left out (an English page shows a text in English)
    assert sum(map(len, rows.values())) == count(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ <{KOSOVO}> ?p ?o
        FILTER(!isLiteral(?o) || LANG(?o) IN ("", "en")) }}""")


def test_page_has_every_incoming_statement_by_label_and_link(kosovo, store):
    section = kosovo.one("section", **{"aria-labelledby": "incoming"})
    rows = table_rows(section)
    assert sum(map(len, rows.values())) == count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{KOSOVO}> }}")
    declaration = [item.links() for item in rows["agent"]]
    assert {"/event/declaration-of-independence-2008": "Kosovo's declaration of independence"} in declaration
    claims = {href: text for item in rows["claimed by"] for href, text in item.links().items()}
    assert claims["/position/suriname-withdrawal-denied-2017-by-kosovo"] == (
        "Suriname: withdrawal denied (according to Kosovo), 4 November 2017")
    assert [th.text() for th in section.all("th", scope="col")] == ["Property", "Resource"]


def test_page_lists_the_sources_with_titles_and_addresses(kosovo):
    links = kosovo.one("section", **{"aria-labelledby": "sources"}).links()
    assert links["/source/article-introduction"] == "Kosovo–Russia relations: introduction (lead)"
    assert "https://en.wikipedia.org/wiki/Kosovo%E2%80%93Russia_relations" in links


def test_page_links_to_wikidata(kosovo):
    links = kosovo.one("section", **{"aria-labelledby": "wikidata"}).links()
    assert links == {"https://www.wikidata.org/wiki/Q1246": "Q1246"}


def test_page_links_to_its_rdf_variants(kosovo):
    alternates = {link.attrs["type"]: link.attrs["href"] for link in kosovo.all("link", rel="alternate")}
    assert alternates == {media_type: f"/state/kosovo.{suffix}" for media_type, suffix, _ in RDF_VARIANTS}
    visible = kosovo.one("section", **{"aria-labelledby": "formats"}).links()
    assert visible == {"/state/kosovo.ttl": "Turtle", "/state/kosovo.jsonld": "JSON-LD",
                       "/state/kosovo.nt": "N-Triples", "/state/kosovo.rdf": "RDF/XML"}


def test_a_fact_is_named_by_its_label_and_summed_up_in_one_line(client):
    statement = page(client.get("/statement/churkin-2007-07"))
    assert statement.one("h1").text() == "Statement by Vitaly Churkin"
    assert any("Vitaly Churkin" in p.text() and "spoke" in p.text() for p in statement.one("article").one("header").all("p"))


def test_a_linked_fact_carries_its_summary(kosovo):
    section = kosovo.one("section", **{"aria-labelledby": "incoming"})
    link = next(a for a in section.all("a") if a.attrs.get("href") == "/position/suriname-withdrawal-denied-2017-by-kosovo")
    assert link.attrs["title"] == "Kosovo denied on 4 November 2017 that Suriname withdrew its recognition of Kosovo."


def test_a_state_page_opens_with_its_position_over_time(client):
    burundi = page(client.get("/state/burundi"))
    sections = [s.attrs.get("aria-labelledby") for s in burundi.all("section")]
    assert sections.index("position") < sections.index("statements")
    position = burundi.one("section", **{"aria-labelledby": "position"})
    strip = position.one("svg")
    marks = strip.all("a")
    assert {a.attrs["href"] for a in marks} >= {"/position/burundi-recognised-2012-2",
                                               "/position/burundi-withdrawal-reported-2018-by-serbia"}
    assert all(a.one("title").text() for a in marks)
    claims = position.one("ol").links()
    assert claims["/position/burundi-recognised-2012-2"].startswith("Burundi: recognised")


# --- negotiation -------------------------------------------------------------------------

def test_browsers_get_html_with_vary_and_content_location(client):
    response = client.get("/state/kosovo", headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in response.vary
    assert response.headers["Content-Location"] == "/state/kosovo.html"


def test_no_accept_header_gets_html(client):
    assert client.get("/state/kosovo").mimetype == "text/html"


@rdflib_reads_json_ld
@pytest.mark.parametrize("media_type, suffix, rdflib_format", RDF_VARIANTS)
def test_rdf_by_accept(client, media_type, suffix, rdflib_format):
    response = client.get("/state/kosovo", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    assert response.headers["Content-Location"] == f"/state/kosovo.{suffix}"
    # One alternate, the one JSON-LD clients follow: the JSON-LD variant, or the page beside JSON-LD.
    followed = "html" if suffix == "jsonld" else "jsonld"
    followed_type = "text/html" if suffix == "jsonld" else "application/ld+json"
    assert response.headers["Link"] == f'</state/kosovo.{followed}>; rel="alternate"; type="{followed_type}"'
    assert LABEL_TRIPLE in rdflib_graph(response.data, rdflib_format)


@rdflib_reads_json_ld
@pytest.mark.parametrize("media_type, suffix, rdflib_format", RDF_VARIANTS)
def test_rdf_by_suffix(client, media_type, suffix, rdflib_format):
    response = client.get(f"/state/kosovo.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert LABEL_TRIPLE in rdflib_graph(response.data, rdflib_format)


def test_rdf_holds_incoming_statements_and_the_names_and_addresses_of_linked_resources(client):
    graph = rdflib_graph(client.get("/state/kosovo.nt").data, "nt")
    denial = rdflib.URIRef(f"{BASE}position/suriname-withdrawal-denied-2017-by-kosovo")
    assert (denial, rdflib.URIRef(KOSRU + "claimedBy"), rdflib.URIRef(KOSOVO)) in graph
    source = rdflib.URIRef(f"{BASE}source/article-introduction")
    title = rdflib.Literal("Kosovo–Russia relations: introduction (lead)", lang="en")
    assert graph.value(source, rdflib.URIRef(term("dct:title").value)) == title
    url = rdflib.URIRef("https://en.wikipedia.org/wiki/Kosovo%E2%80%93Russia_relations")
    assert graph.value(source, rdflib.URIRef(term("schema:url").value)) == url


def test_html_by_suffix(client):
    assert page(client.get("/state/kosovo.html", headers={"Accept": "text/turtle"})).one("h1").text() == "Kosovo"


def test_unsupported_accept_is_406(client):
    response = client.get("/state/kosovo", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_every_resource_iri_under_the_base_dereferences(client, store, settings):
    query = f"""SELECT DISTINCT ?r WHERE {{ {{ ?r ?p ?o }} UNION {{ ?s ?p ?r }}
        FILTER(isIRI(?r) && STRSTARTS(STR(?r), "{settings.base_iri}") && !CONTAINS(STR(?r), "#")) }}"""
    paths = ["/" + row["r"].value.removeprefix(settings.base_iri) for row in store.query(query)]
    assert len(paths) > 500
    failing = [p for p in paths if client.get(p, headers={"Accept": "application/n-triples"}).status_code != 200]
    assert failing == []


# --- unknown IRIs ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/state/atlantis", "/planet/mars", "/state/russia%0A", "/state/russia%0A.ttl"])
def test_unknown_iri_is_404_page_for_browsers(client, path):
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert Page(response.get_data(as_text=True)).root.one("h1").text().startswith("404 ")


def test_unknown_iri_is_404_text_for_other_clients(client):
    response = client.get("/state/atlantis", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert f"{BASE}state/atlantis" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/dataset", "/graph/facts", "/graph/ontology"])
def test_dataset_and_graphs_see_the_void_description(client, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/.well-known/void"


def test_unknown_graph_is_404(client):
    assert client.get("/graph/nowhere").status_code == 404


# --- the ontology ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ontology_file(settings) -> rdflib.Graph:
    return rdflib_graph((settings.ontology_dir / "kosru.ttl").read_bytes(), "turtle")


@pytest.fixture(scope="module")
def ontology_page(app) -> Element:
    return page(app.test_client().get("/ontology", headers={"Accept": BROWSER_ACCEPT}))


def documented(section: Element) -> set[str]:
    return {code.text() for code in section.all("code", class_="iri")}


def declared(graph: rdflib.Graph, *types) -> set[str]:
    return {str(s) for t in types for s in graph.subjects(rdflib.RDF.type, t) if isinstance(s, rdflib.URIRef)}


def test_ontology_page_documents_every_class(ontology_page, ontology_file):
    classes = declared(ontology_file, rdflib.OWL.Class)
    assert documented(ontology_page.one("section", id="classes")) == classes
    claim = ontology_page.one("section", id="PositionClaim")
    assert claim.one("h3").text() == "position claim"
    assert claim.links() == {"#Fact": "fact"}  # its superclass, linked to its anchor


def test_ontology_page_documents_every_property_with_domain_and_range(ontology_page, ontology_file):
    properties = declared(ontology_file, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty,
                          rdflib.OWL.AnnotationProperty)
    assert documented(ontology_page.one("section", id="properties")) == properties
    organ_of = ontology_page.one("section", id="organOf")
    terms = dict(zip((dt.text() for dt in organ_of.all("dt")), (dd.text() for dd in organ_of.all("dd")), strict=True))
    assert terms == {"Domain": "organ or mission", "Range": "organisation or state"}


@pytest.mark.parametrize("path", ["/ontology", "/ontology/", "/ontology/1.0.0"])
def test_ontology_turtle_by_accept_is_the_file(client, ontology_file, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Accept" in response.vary
    assert response.headers["Content-Location"] == "/ontology.ttl"
    assert isomorphic(rdflib_graph(response.data, "turtle"), ontology_file)


@rdflib_reads_json_ld
@pytest.mark.parametrize("media_type, suffix, rdflib_format", RDF_VARIANTS)
def test_ontology_in_every_format_by_suffix(client, ontology_file, media_type, suffix, rdflib_format):
    response = client.get(f"/ontology.{suffix}")
    assert response.mimetype == media_type
    assert isomorphic(rdflib_graph(response.data, rdflib_format), ontology_file)


@pytest.mark.parametrize("version", ["0.1", "a%20b", "x%00", "%7B%7D"])  # the last three make no IRI
def test_unknown_ontology_version_is_404(client, version):
    assert client.get(f"/ontology/{version}").status_code == 404


# --- escaping, and a base of one's own --------------------------------------------------------

TINY_BASE = "http://example.org/kg/"  # another base than the session's
MARKED = NamedNode(TINY_BASE + "state/marked")


@pytest.fixture(scope="module")
def tiny_client(tmp_path_factory):
    """An app over a tiny graph under another base, whose labels contain markup."""
    pointer = NamedNode(TINY_BASE + "person/pointer")
    quads = [
        Quad(MARKED, term("rdfs:label"), Literal("<b>x</b>", language="en")),
        Quad(MARKED, term("dct:description"), Literal('"quoted" & <script>alert(1)</script>')),
        Quad(pointer, term("rdfs:label"), Literal("<i>y</i>")),
        Quad(pointer, term("kosru:country"), MARKED),
    ]
    settings = Settings(base_iri=TINY_BASE)
    return create_app(settings, EmbeddedBackend.from_quads(quads, "tiny", tmp_path_factory.mktemp("tiny"))).test_client()


def test_labels_with_markup_are_escaped(tiny_client):
    html = tiny_client.get("/state/marked").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "&lt;i&gt;y&lt;/i&gt;" in html and "<i>y</i>" not in html
    assert "<script>" not in html


def test_the_base_maps_paths_to_iris(tiny_client):
    root = page(tiny_client.get("/state/marked"))
    assert root.one("h1").text() == "<b>x</b>"  # the parser unescapes: the markup is text
    assert next(root.all("code")).text() == MARKED.value
    assert tiny_client.get("/person/pointer").status_code == 200
