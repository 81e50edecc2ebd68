"""The query editor: YASGUI in a real browser over a real ``kosru-kg serve``, and the plain form over plain HTTP.

YASGUI is vendored (static/yasgui/, with its licence) and must reach nothing but this server: its
completion comes from the served ontology, its queries go to /sparql. Without script the GET form
answers with a table. A query that uses an undeclared prefix gets a 400 that names it and gives the
PREFIX line to add.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import expect
from test_browser import Tab, browser, screenshots  # noqa: F401 (fixtures)
from test_browser import pytestmark as needs_chromium

from kosru_kg.vocab import KOSRU
from kosru_kg.web.views.editor import DEFAULT_QUERY

YASGUI_VERSION = "4.6.2"  # .ci/vendor-yasgui's PINNED
ROWS_QUERY = ("PREFIX kosru: <https://w3id.org/kosru/ontology#>\n"
              "SELECT ?claim WHERE { ?claim a kosru:PositionClaim } LIMIT 5")


class EditorTab(Tab):
    """A browser tab that also records every URL the page asked for."""

    def __init__(self, page, folder):
        super().__init__(page, folder)
        self.requested: list[str] = []
        page.on("request", lambda request: self.requested.append(request.url))

    def editor(self):
        """The YASGUI editor's text, as CodeMirror holds it."""
        return self.page.locator("#yasgui .CodeMirror").first

    def query(self) -> str:
        return self.editor().evaluate("element => element.CodeMirror.getValue()")

    def set_query(self, text: str) -> None:
        """Put ``text`` in the editor, the cursor at its end, as if typed there."""
        self.editor().evaluate("(element, text) => { const cm = element.CodeMirror; cm.setValue(text); "
                               "cm.focus(); cm.setCursor(cm.lineCount(), 0); }", text)


@pytest.fixture()
def tab(browser, live_server, screenshots):  # noqa: F811 (the fixtures imported above)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    yield EditorTab(context.new_page(), screenshots)
    context.close()


def get(live_server, path: str, **params) -> tuple[int, str, str]:
    """Status, media type and text of a plain GET, as a browser without script sends it."""
    url = live_server(path) + ("?" + urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode()


# ---------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------

@needs_chromium
def test_yasgui_takes_the_forms_place_and_asks_only_this_server(tab, live_server):
    tab.open("/query")
    expect(tab.editor()).to_be_visible()
    expect(tab.page.locator("form#editor")).to_be_hidden()
    assert tab.page.evaluate("document.activeElement === document.body")  # YASGUI took no focus: no scrolling
    assert tab.query() == DEFAULT_QUERY.strip()  # the page's query, not YASGUI's own example
    expect(tab.page.locator("#yasgui-hint a")).to_have_attribute("href", "/static/yasgui/LICENSE")
    origin = urlsplit(live_server.url).netloc
    assert any(url.endswith("/static/yasgui/yasgui.min.js") for url in tab.requested)
    assert [url for url in tab.requested if urlsplit(url).netloc != origin] == []
    tab.done("editor-yasgui")


@needs_chromium
def test_completion_offers_the_served_ontologys_classes(tab, live_server):
    tab.open("/query")
    tab.set_query("SELECT ?x WHERE {\n  ?x a ")
    tab.page.keyboard.type("kosru:Recog")
    hints = tab.page.locator(".CodeMirror-hints .CodeMirror-hint")
    expect(hints.first).to_be_visible()
    assert "kosru:RecognitionOfIndependence" in hints.all_inner_texts()
    # Typing the prefix declared it: the project's prefixes are known to the editor.
    assert f"PREFIX kosru: <{KOSRU}>" in tab.query()
    assert any(urlsplit(url).path == "/query/terms" for url in tab.requested)
    assert [url for url in tab.requested if urlsplit(url).netloc != urlsplit(live_server.url).netloc] == []
    tab.done("editor-completion")


@needs_chromium
def test_a_query_run_in_yasgui_returns_rows_and_its_link(tab):
    tab.open("/query")
    tab.set_query(ROWS_QUERY)
    with tab.page.expect_response(lambda response: urlsplit(response.url).path == "/sparql") as sent:
        tab.page.locator("#yasgui .yasqe_queryButton").click()
    assert sent.value.status == 200
    rows = tab.page.locator("#yasgui .yasr tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("position")
    # Dragging a column's edge: the table's resizer adds its cursor stylesheet, which the page's CSP allows.
    edge = tab.page.locator("#yasgui .grip-resizable").first.bounding_box()
    tab.page.mouse.move(edge["x"] + 3, edge["y"] + 5)
    tab.page.mouse.down()
    tab.page.mouse.move(edge["x"] + 60, edge["y"] + 5, steps=3)
    tab.page.mouse.up()
    # The address is now the query's link, which the plain form answers too.
    assert urlsplit(tab.page.url).path == "/query"
    tab.open(tab.page.url)
    assert tab.query() == ROWS_QUERY
    expect(tab.page.locator("section#answer tbody tr")).to_have_count(5)
    tab.done("editor-run")


@needs_chromium
def test_ctrl_enter_runs_the_query(tab):
    tab.open("/query")
    tab.set_query("ASK { ?s ?p ?o }")
    with tab.page.expect_response(lambda response: urlsplit(response.url).path == "/sparql") as sent:
        tab.page.keyboard.press("Control+Enter")
    assert sent.value.status == 200
    expect(tab.page.locator("#yasgui .yasr .yasr_results")).to_have_text("True")  # the boolean view
    tab.done("editor-ctrl-enter")


@needs_chromium
def test_the_share_link_is_the_forms_link(tab):
    tab.open("/query")
    tab.set_query(ROWS_QUERY)
    tab.page.locator("#yasgui .yasqe_share").click()
    link = tab.page.locator("#yasgui .yasqe_sharePopup input, #yasgui .yasqe_sharePopup textarea").first
    shared = link.input_value()
    assert re.fullmatch(r"http://[^/]+/query\?query=.+", shared)
    tab.open(shared)
    assert tab.query() == ROWS_QUERY
    tab.done("editor-share")


# ---------------------------------------------------------------------------
# Over plain HTTP
# ---------------------------------------------------------------------------

def test_yasgui_is_served_from_here_with_its_licence(live_server):
    status, media_type, page = get(live_server, "/query")
    assert status == 200
    for path in ("/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css"):
        assert f'"{path}"' in page
        status, _, body = get(live_server, path)
        assert status == 200 and len(body) > 50_000
    status, _, licence = get(live_server, "/static/yasgui/LICENSE")
    assert status == 200
    assert f"YASGUI {YASGUI_VERSION}" in licence and "The MIT License" in licence
    status, _, notices = get(live_server, "/static/yasgui/THIRD-PARTY-LICENSES")
    assert status == 200 and "==== codemirror " in notices and "==== jquery " in notices


def test_only_the_editor_allows_the_result_tables_two_stylesheets(live_server):
    """The page's policy names two inline stylesheets by hash (the browser tests above show they suffice);
    it allows no other inline style or script, and the other pages keep the site's policy."""
    def policy(path: str) -> str:
        with urllib.request.urlopen(live_server(path), timeout=60) as response:
            return response.headers["Content-Security-Policy"]
    editor, home = policy("/query"), policy("/")
    assert re.search(r"style-src 'self' 'sha256-[^']+' 'sha256-[^']+';", editor)
    assert "unsafe" not in editor and "script-src 'self';" in editor
    assert "sha256" not in home
    assert editor.replace(re.search(r" 'sha256-[^']+' 'sha256-[^']+'", editor).group(), "") == home


def test_the_terms_to_complete_are_the_ontologys(live_server):
    status, media_type, body = get(live_server, "/query/terms")
    assert (status, media_type) == (200, "application/json")
    terms = json.loads(body)
    assert KOSRU + "RecognitionOfIndependence" in terms["classes"]
    assert KOSRU + "positionOf" in terms["properties"]
    assert KOSRU + "positionOf" not in terms["classes"]


def test_without_script_the_form_answers_with_a_table(live_server):
    status, media_type, page = get(live_server, "/query", query=ROWS_QUERY)
    assert (status, media_type) == (200, "text/html")
    assert '<form method="get" action="/query" id="editor"' in page
    assert page.count("<tr>") == 6  # the head and five rows


@pytest.mark.parametrize("path", ["/sparql", "/query"])
def test_an_undeclared_prefix_is_named_with_the_line_to_add(live_server, path):
    status, _, body = get(live_server, path, query="SELECT ?x WHERE { ?x a kosru:RecognitionOfIndependence ; skos:note ?n }")
    assert status == 400
    for prefix, namespace in (("kosru", KOSRU), ("skos", "http://www.w3.org/2004/02/skos/core#")):
        assert f"the prefix {prefix}: is not declared" in body
        line = f"PREFIX {prefix}: <{namespace}>"
        assert (html.escape(line) if path == "/query" else line) in body
    assert "\\u{" not in body


@pytest.mark.parametrize("path", ["/sparql", "/query"])
def test_an_unknown_undeclared_prefix_is_named(live_server, path):
    status, _, body = get(live_server, path, query="SELECT ?x WHERE { ?x a ex:Thing }")
    assert status == 400
    assert "the prefix ex: is not declared; declare it" in body


def test_other_syntax_errors_keep_the_parsers_position_without_character_ranges(live_server):
    status, _, body = get(live_server, "/sparql", query="SELECT * WHERE { ?s ?p ?o } LIMIT x")
    assert status == 400
    assert "error at 1:" in body and "a character allowed here" in body and "..=" not in body
