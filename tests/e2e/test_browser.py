"""The pages in a real browser: headless Chromium against a real ``kosru-kg serve`` process.

A test fails on any console error (Content-Security-Policy violations are console errors),
uncaught script error, failed request or error status; each page is saved as a screenshot.
Every kind of page is also opened on a phone's width and a desktop's, in four languages: none may
scroll sideways, and the switcher, the map's legend and the pictures' text must stay usable.
Playwright drives Debian's chromium, which ``.ci/run`` installs; it never downloads a browser.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, Response, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Outside CI a machine without chromium skips this test; in CI (.ci/run installs it) a missing browser fails.
pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK) and not os.environ.get("CI"),
                                reason=f"no {CHROMIUM}: .ci/run installs Debian's chromium")


class Tab:
    """A browser page that records everything that went wrong while it was open."""

    def __init__(self, page: Page, screenshots):
        self.page = page
        self.screenshots = screenshots
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url} ({request.failure})"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def open(self, path: str) -> Response:
        response = self.page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        return response

    def done(self, name: str) -> None:
        """Save the page as it looks, and fail on anything that went wrong."""
        self.page.screenshot(path=self.screenshots / f"{name}.png", full_page=True)
        assert self.problems == []


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


WIDTHS = (390, 1280)  # a phone (the narrowest in common use) and a desktop, in CSS pixels


@pytest.fixture(scope="module")
def sized_tabs(browser, live_server, screenshots):
    """A tab for each of WIDTHS, kept for the whole module: many pages are opened, nothing is restarted."""
    contexts = {width: browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
                for width in WIDTHS}
    yield {width: Tab(context.new_page(), screenshots) for width, context in contexts.items()}
    for context in contexts.values():
        context.close()


@pytest.fixture()
def tab(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    yield Tab(context.new_page(), screenshots)
    context.close()


def test_home_page(tab):
    tab.open("/")
    expect(tab.page.locator("h1")).to_have_text("Kosovo–Russia relations: a knowledge graph")
    for picture in ("svg.chart", "svg.timeline"):
        box = tab.page.locator(picture).bounding_box()
        assert box["width"] > 500 and box["height"] > 200, picture
    # The stylesheet applied: the CSP let it load and nothing else was needed.
    fill = tab.page.locator("svg.chart .bar-recognitions rect").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(31, 95, 168)"
    expect(tab.page.locator("#downloads a[href='/download/kosru.ttl']")).to_be_visible()
    tab.done("home")


def test_question_page(tab):
    tab.open("/questions/withdrawals")
    expect(tab.page.locator("h1")).to_contain_text("?")
    assert tab.page.locator("section[aria-labelledby=answer] tbody tr").count() > 5
    tab.done("question")


def test_parameterised_question_form(tab):
    tab.open("/questions/recognitions-in-year")
    year = tab.page.locator("#param-year")
    if year.evaluate("e => e.tagName") == "SELECT":
        year.select_option("2016")
    else:
        year.fill("2016")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Answer").click()
    assert re.search(r"[?&]year=2016\b", tab.page.url)
    rows = tab.page.locator("section[aria-labelledby=answer] tbody tr")
    assert rows.count() >= 1
    expect(rows.first).to_contain_text("2016")
    tab.done("question-form")


def test_api_page(tab):
    """The OpenAPI page: drawn on the server, nothing from another host, within the CSP (tab checks the console)."""
    tab.open("/openapi")
    expect(tab.page.locator("h1")).to_have_text("API of the questions")
    expect(tab.page.locator("section#recognitions-in-year code", has_text="year").first).to_be_visible()
    assert tab.page.locator("script").count() == 0
    tab.done("api")


def test_resource_page(tab):
    tab.open("/state/kosovo")
    expect(tab.page.locator("h1")).to_have_text("Kosovo")
    tab.done("resource")


def test_the_search_box_finds_a_name_typed_in_cyrillic(tab):
    tab.open("/state/kosovo")
    tab.page.locator("header input[name=q]").fill("Келменди")
    tab.page.locator("header form.site-search button").click()
    first = tab.page.locator("ol.search-results li a").first
    expect(first).to_have_text("Majlinda Kelmendi")
    expect(first).to_have_attribute("href", "/person/majlinda-kelmendi")
    tab.done("search")


def test_timeline_marks_lead_to_their_pages(tab):
    tab.open("/timeline")
    marks = tab.page.locator("svg.timeline a.mark")
    assert marks.count() == tab.page.locator("table tbody tr").count() > 20
    href = marks.first.get_attribute("href")
    with tab.page.expect_navigation():
        marks.first.click()
    assert tab.page.url.endswith(href)
    tab.done("timeline-target")
    tab.open("/timeline")
    tab.done("timeline")


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("tag", "heading", "state"), [
    ("sq", "Marrëdhëniet Kosovë–Rusi: një graf njohurish", "Rusi"),
    ("sr-Cyrl", "Односи Косова и Русије: граф знања", "Русија"),
    ("ru", "Отношения Косова и России: граф знаний", "Россия"),
])
def test_pages_in_other_languages(tab, tag, heading, state):
    """The switcher chooses the language, the cookie keeps it; each page is saved as a real screenshot."""
    tab.open("/")
    with tab.page.expect_navigation():
        tab.page.locator(f"header nav.languages a[hreflang='{tag}']").click()
    assert tab.page.locator("html").get_attribute("lang") == tag
    expect(tab.page.locator("h1")).to_have_text(heading)
    tab.done(f"home-{tag}")
    tab.open("/state/russia")  # no ?lang: the cookie the switcher set
    assert tab.page.locator("html").get_attribute("lang") == tag
    expect(tab.page.locator("h1")).to_have_text(state)
    tab.done(f"resource-{tag}")
    for name in (f"home-{tag}", f"resource-{tag}"):
        picture = (tab.screenshots / f"{name}.png").read_bytes()
        assert picture.startswith(PNG_SIGNATURE) and len(picture) > 20_000, name
        width, height = int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")
        assert width == 1280 and height >= 900, (name, width, height)


# Every kind of page (name, path); None: the first claim the page before it links to.
PAGE_KINDS = (("home", "/"), ("question", "/questions/recognising-states"),
              ("as-of", "/questions/recognitions-as-of?asOf=2015-06-30"), ("search", "/search?q=Kosovo"),
              ("state-russia", "/state/russia"), ("state-ghana", "/state/ghana"), ("claim", None),
              ("editor", "/query"), ("timeline", "/timeline"), ("versions", "/versions"))
MAP_PAGES = {"home", "as-of"}  # the pages with the world map
# Each picture text's box that reaches outside its picture (the picture would clip it), as "class: text".
CLIPPED_PICTURE_TEXT = """() => [...document.querySelectorAll("svg.picture")].flatMap(svg => {
  const frame = svg.getBoundingClientRect();
  return [...svg.querySelectorAll("text")].filter(text => {
    const box = text.getBoundingClientRect();
    return box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1
           || box.bottom > frame.bottom + 1;
  }).map(text => `${svg.getAttribute("class")}: ${text.textContent}`);
})"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("tag", ["en", "sq", "sr-Cyrl", "ru"])
def test_every_kind_of_page_fits_the_screen_in_every_language(sized_tabs, width, tag):
    """No page scrolls sideways (wide tables scroll in their own box); the language switcher is the header's
    first line, one line high; the map's legend is at least 11 px; no picture clips its own text."""
    tab = sized_tabs[width]
    tab.problems.clear()
    for name, path in PAGE_KINDS:
        if path is None:
            path = tab.page.locator("ol.claims a").first.get_attribute("href")
        tab.open(f"{path}{'&' if '?' in path else '?'}lang={tag}")
        page = tab.page
        assert page.locator("html").get_attribute("lang") == tag, name
        wide, shown = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= shown, f"{name} in {tag} is {wide} px wide in a {shown} px window"
        switcher = page.locator("header nav.languages")
        expect(switcher.locator(f"a[hreflang='{tag}'][aria-current='true']")).to_have_count(1)
        top, height = switcher.evaluate("e => [e.getBoundingClientRect().top + scrollY, e.offsetHeight]")
        assert top == 0 and height < 40, (name, top, height)  # the page's top, even if a script scrolled it
        if name in MAP_PAGES:
            legend = page.locator("figure .map-legend li").first
            size = legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 11 and legend.bounding_box()["height"] >= 11, (name, size)
        assert page.evaluate(CLIPPED_PICTURE_TEXT) == [], name
        tab.done(f"{name}-{tag}-{width}")
