"""The home page, the timeline page and the query editor, read as parsed HTML."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import BASE
from htmltree import Element, Page

from kosru_kg.service import questions
from kosru_kg.web.views.editor import DEFAULT_QUERY

PREFIXES = """
PREFIX kosru: <https://w3id.org/kosru/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
KOSOVO_QUERY = PREFIXES + f"""SELECT ?state ?label WHERE {{
  BIND(<{BASE}state/kosovo> AS ?state) ?state rdfs:label ?label FILTER(LANG(?label) = "en") }}"""
MALFORMED_QUERY = "SELECT ?s WHERE { ?s ?p }"


def parse(response, status: int = 200) -> Element:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True)).root


def within(root: Element, tag: str, **attrs) -> Element:
    """The one ``tag`` element with the given attributes (``aria_labelledby`` → ``aria-labelledby``)."""
    return root.one(tag, **{name.replace("_", "-"): value for name, value in attrs.items()})


def number(text: str) -> int:
    return int(text.replace(",", ""))


def query_text(root: Element) -> str:
    """The editor's query; HTML drops a newline right after <textarea>, html.parser keeps it."""
    return root.one("textarea", name="query").text().removeprefix("\n")


def count(store, query: str) -> int:
    return int(next(iter(store.query(PREFIXES + query)))["n"].value)


@pytest.fixture(scope="module")
def home(app):
    return parse(app.test_client().get("/"))


# ---------------------------------------------------------------------------
# Every page: accessible structure and a strict policy the markup satisfies
# ---------------------------------------------------------------------------

PAGES = ["/", "/timeline", "/query", "/query?" + urlencode({"query": KOSOVO_QUERY})]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_structured_for_assistive_technology(client, path):
    root = parse(client.get(path))
    assert root.one("html").attrs["lang"] == "en"
    root.one("main"), root.one("h1")
    assert root.one("head").one("title").text().strip()
    assert all(th.attrs.get("scope") in {"col", "row"} for table in root.all("table") for th in table.all("th"))
    labelled = {label.attrs.get("for") for label in root.all("label")}
    controls = [e for e in root.all() if e.tag in {"textarea", "select", "input"} and e.attrs.get("type") != "hidden"]
    assert all(control.attrs["id"] in labelled for control in controls), controls


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_a_strict_policy_and_need_no_inline_code(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    root = parse(response)
    elements = list(root.all())
    inline = [e for e in elements if e.tag == "style" or "style" in e.attrs or (e.tag == "script" and "src" not in e.attrs)]
    assert not inline
    assert not [e for e in elements if any(name.startswith("on") for name in e.attrs)]  # no inline event handlers
    loaded = [e.attrs.get("src") or e.attrs["href"] for e in elements if e.tag in {"script", "link", "img"}]
    assert loaded and all(url.startswith("/") for url in loaded), loaded


# ---------------------------------------------------------------------------
# The home page
# ---------------------------------------------------------------------------

def test_home_counts_the_triples(home, store):
    triples = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    first, _ = within(home, "section", aria_labelledby="contents").all("p")
    assert number(first.one("strong").text()) == triples


def test_home_counts_the_resources_per_class(home, store):
    ours = f"""FILTER(STRSTARTS(STR(?s), '{BASE}')
                     && !STRSTARTS(STR(?s), 'https://w3id.org/kosru/ontology'))"""
    entities = count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c {ours} }}")
    _, second = within(home, "section", aria_labelledby="contents").all("p")
    assert number(second.one("strong").text()) == entities
    shown = {div.one("dt").text(): number(div.one("dd").text()) for div in home.one("dl", class_="counts").all("div")}
    per_class = [int(row["n"].value) for row in store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c {ours} }} GROUP BY ?c")]
    assert sorted(shown.values()) == sorted(per_class)
    assert shown["position claim"] == count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s a kosru:PositionClaim }")
    assert shown["state"] == count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s a kosru:State }")


def test_home_links_every_entry_point(home):
    links = {a.attrs["href"] for a in home.one("main").all("a")}
    assert {"/questions", "/timeline", "/query", "/sparql", "/.well-known/void"} <= links
    downloads = [a.attrs["href"] for a in within(home, "section", id="downloads").all("a")]
    assert "/download/kosru.ttl" in downloads and "/download/kosru.jsonld" in downloads


def test_every_local_link_on_the_home_page_answers(home, client):
    local = {a.attrs["href"].partition("#")[0] for a in home.all("a") if a.attrs["href"].startswith("/")}
    assert {path: client.get(path).status_code for path in sorted(local)} == dict.fromkeys(sorted(local), 200)


def test_home_names_licence_and_source(home):
    links = {a.attrs["href"]: a.text() for a in within(home, "section", aria_labelledby="licence").all("a")}
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in links
    assert "https://en.wikipedia.org/wiki/Kosovo%E2%80%93Russia_relations" in links
    assert links["/source/article"] == "Kosovo–Russia relations"


def test_home_says_whose_count_each_figure_is(home):
    section = within(home, "section", aria_labelledby="positions")
    parties = [li.text() for li in section.all("li") if "count" in li.text()]
    assert parties[0] == ("By Kosovo's own count, 121 states recognise it (19 December 2025, reported by "
                          "Krstarica (Beta), Radio Free Europe/Radio Liberty).")
    assert parties[1].startswith("By Serbia's count, 92 states recognise Kosovo (3 March 2020")
    assert parties[2].startswith("By Serbia's count, 28 states have withdrawn their recognition (2025")
    assert parties[2].endswith("(unverified)")
    roster_line = next(p.text() for p in section.all("p") if "This roster" in p.text())
    assert "except those Kosovo's government denied" in roster_line
    assert "Kosovo's government's view" not in section.text()  # the roster's figure is not put under Kosovo's name


def test_home_shows_both_pictures_inline(home):
    pictures = [svg for svg in home.all("svg") if "picture" in svg.attrs.get("class", "").split()]  # not swatches
    names = {svg.attrs["aria-labelledby"].split()[0] for svg in pictures}
    assert names == {"timeline-title", "recognitions-title", "worldmap-title"}


# ---------------------------------------------------------------------------
# The timeline page
# ---------------------------------------------------------------------------

def test_the_timeline_table_lists_what_the_picture_marks(client):
    root = parse(client.get("/timeline"))
    marked = [a.attrs["href"] for a in root.one("svg").all("a")]
    rows = list(root.one("tbody").all("tr"))
    assert [row.one("th").one("a").attrs["href"] for row in rows] == marked
    first = [cell.text().strip() for cell in rows[0].all() if cell.tag in {"th", "td"}]
    assert first[:3] == ["ended 1999", "Kosovo War", "Political or diplomatic event"]


# ---------------------------------------------------------------------------
# The query editor
# ---------------------------------------------------------------------------

def answer(root: Element) -> Element:
    return within(root, "section", aria_labelledby="answer-heading")


def answer_table(root: Element) -> list[list[str]]:
    """The answer table: its header row, then its rows, as text."""
    table = answer(root).one("table")
    head = [th.text() for th in table.one("thead").all("th")]
    return [head] + [[td.text() for td in tr.all("td")] for tr in table.one("tbody").all("tr")]


def error_message(root: Element) -> str:
    return within(root, "section", id="query-error").one("pre").text()


def test_the_editor_starts_with_an_example_and_no_answer(client):
    root = parse(client.get("/query"))
    assert root.one("form", id="editor").attrs["method"] == "get"
    assert query_text(root) == DEFAULT_QUERY
    assert not list(root.all("section", **{"aria-labelledby": "answer-heading"}))


def test_the_editor_answers_with_a_table_of_labelled_links(client):
    root = parse(client.get("/query", query_string={"query": KOSOVO_QUERY}))
    assert answer_table(root) == [["state", "label"], ["Kosovo", "Kosovo"]]
    assert [a.attrs["href"] for a in root.one("table").all("a")] == ["/state/kosovo"]
    assert query_text(root) == KOSOVO_QUERY  # kept for editing


def test_the_default_example_runs(client):
    rows = answer_table(parse(client.get("/query", query_string={"query": DEFAULT_QUERY})))
    assert rows[0] == ["state", "date"] and rows[1] == ["Costa Rica", "17 February 2008"]


def test_a_graph_answer_is_a_table_of_triples(client):
    query = PREFIXES + "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a kosru:War ; rdfs:label ?l }"
    rows = answer_table(parse(client.get("/query", query_string={"query": query})))
    assert rows == [["subject", "predicate", "object"], ["Kosovo War", "label", "Kosovo War"]]


def test_an_ask_answer_is_yes_or_no(client):
    root = parse(client.get("/query", query_string={"query": "ASK { ?s ?p ?o }"}))
    assert answer(root).one("strong").text() == "yes"


def test_a_triple_term_is_shown_as_a_triple(client):
    query = 'SELECT (TRIPLE(<http://example.org/a>, <http://example.org/b>, "c") AS ?t) WHERE {}'
    assert answer_table(parse(client.get("/query", query_string={"query": query}))) == [["t"], ["<< a b c >>"]]


def test_long_answers_are_cut_and_say_so(client, settings):
    root = parse(client.get("/query", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}))
    assert len(answer_table(root)) == settings.max_html_rows + 1
    assert "the first of more" in root.one("caption").text()


def test_a_malformed_query_gets_the_parsers_message_and_400(client, store):
    with pytest.raises(SyntaxError) as parser:
        store.query(MALFORMED_QUERY)
    root = parse(client.get("/query", query_string={"query": MALFORMED_QUERY}), status=400)
    assert str(parser.value) in error_message(root)
    assert query_text(root) == MALFORMED_QUERY
    assert root.one("textarea").attrs["aria-describedby"] == "query-error"


@pytest.mark.parametrize(("params", "named"), [
    ({"query": "  "}, "empty"),
    ({"query": DEFAULT_QUERY, "format": "pdf"}, "'pdf'"),
    ({"example": "no-such-question"}, "'no-such-question'"),
    ({"query": "SELECT (<http://example.org/f>(1) AS ?x) WHERE {}"}, "<http://example.org/f>"),  # an unknown function
])
def test_bad_requests_get_the_editor_with_a_message(client, params, named):
    root = parse(client.get("/query", query_string=params), status=400)
    assert named in error_message(root)


def test_values_with_markup_are_escaped(client):
    response = client.get("/query", query_string={"query": 'SELECT ("<b>x</b> & y" AS ?v) WHERE {}'})
    assert "<b>x</b>" not in response.get_data(as_text=True)
    assert answer_table(parse(response))[1] == ["<b>x</b> & y"]


@pytest.mark.parametrize("fmt", ["csv", "json", "xml", "tsv"])
def test_other_formats_come_from_the_endpoint(client, fmt):
    response = client.get("/query", query_string={"query": KOSOVO_QUERY, "format": fmt})
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sparql"
    assert parse_qs(location.query) == {"query": [KOSOVO_QUERY], "format": [fmt]}
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_answer_links_its_other_formats(client):
    root = parse(client.get("/query", query_string={"query": KOSOVO_QUERY}))
    hrefs = [a.attrs["href"] for a in root.one("p", class_="formats").all("a")]
    formats = {parse_qs(urlsplit(href).query)["format"][0] for href in hrefs}
    assert formats == {"json", "xml", "csv", "tsv"}


def test_the_canned_questions_are_examples(client, settings):
    canned = questions.load(settings.queries_dir, settings.base_iri)
    assert canned, "queries/ holds no question"
    root = parse(client.get("/query"))
    assert [option.attrs["value"] for option in root.one("select", name="example").all("option")] == list(canned)
    name = next(iter(canned))
    loaded = parse(client.get("/query", query_string={"example": name}))
    assert query_text(loaded) == canned[name].sparql
    chosen = [o.attrs["value"] for o in loaded.one("select", name="example").all("option") if "selected" in o.attrs]
    assert chosen == [name]
