"""The roster on the pages: today's map on the home page, any date and viewpoint on the question's page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from htmltree import Page, page

SVG = "{http://www.w3.org/2000/svg}"
BROWSER_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def home(app):
    response = app.test_client().get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    return response.data.decode()


def inline_svg(html: str, css_class: str) -> ET.Element:
    """The page's inline SVG of ``css_class``, parsed as XML (the pictures are XML-valid markup)."""
    start = html.rindex("<svg", 0, html.index(css_class))
    return ET.fromstring(html[start:html.index("</svg>", start) + len("</svg>")])


def test_the_home_page_draws_todays_positions_small_enough(home):
    assert len(home.encode()) < 300_000
    worldmap = inline_svg(home, "worldmap")
    assert worldmap.get("role") == "img"
    assert worldmap.find(f"{SVG}title").text.startswith("Recognition of Kosovo as of")
    assert "Kosovo is outlined and ringed" in worldmap.find(f"{SVG}desc").text
    links = {a.get("href"): a.find(f"{SVG}title").text for a in worldmap.iter(f"{SVG}a")}
    assert links["/state/france"].startswith("France: Recognises")
    assert links["/state/russia"] == "Russia: Does not recognise"
    assert len(links) > 190


def test_the_home_page_has_the_same_positions_as_a_table(home):
    root = Page(home).root
    section = root.one("section", **{"aria-labelledby": "positions"})
    rows = section.one("details").one("tbody").all("tr")
    table = {row.one("th").text(): list(row.all("td"))[0].text() for row in rows}
    assert table["Russia"] == "Does not recognise"
    assert table["Sovereign Military Order of Malta"] == "Recognised, no date found"
    worldmap = inline_svg(home, "worldmap")
    assert len(table) >= len(list(worldmap.iter(f"{SVG}a")))
    assert any(href.startswith("/questions/recognitions-as-of?asOf=") for href in section.links())


def test_the_question_page_has_a_form_that_works_without_script(client):
    root = page(client.get("/questions/recognitions-as-of", headers={"Accept": BROWSER_ACCEPT}))
    form = root.one("form", class_="parameters")
    assert form.attrs["method"] == "get"
    assert form.one("input", name="asOf").attrs["value"]
    options = [o.attrs["value"] for o in form.one("select", name="viewpoint").all("option")]
    assert options == ["every-withdrawal", "kosovo-government", "source-dates"]
    assert not list(root.all("script"))


def test_the_page_states_its_rule_and_count(client):
    root = page(client.get("/questions/recognitions-as-of?asOf=2008-10-31&viewpoint=source-dates",
                           headers={"Accept": BROWSER_ACCEPT}))
    tally = root.one("section", **{"aria-labelledby": "tally"}).text()
    assert "52 of them among the 192 members" in " ".join(tally.split())
    assert "the sources' dates of recognition only" in tally
    worldmap = root.one("figure", class_="picture").one("svg", role="img")  # not its legend's swatches
    assert worldmap.attrs["class"].startswith("picture worldmap")


def test_differences_with_the_sources_counts_are_shown_with_both_sources(client):
    root = page(client.get("/questions/recognitions-as-of?asOf=2011-12-31&viewpoint=source-dates",
                           headers={"Accept": BROWSER_ACCEPT}))
    checks = root.one("section", **{"aria-labelledby": "checks"})
    rows = {list(row.all("td"))[0].text(): row for row in checks.one("tbody").all("tr")}
    agreeing, differing = rows["2008-10-31"], rows["2011-09"]
    assert [td.text() for td in list(agreeing.all("td"))[1:4]] == ["52 UN members", "52", "none"]
    stated, roster, difference = (td.text() for td in list(differing.all("td"))[1:4])
    assert (stated, roster) == ("85 UN members", "83")
    # the sources name only some of the 85 states (read in part), so the difference is not traced to states
    assert difference.startswith("-2") and "so the difference is not traced to states" in difference
    assert differing.attrs["class"] == "differs"
    assert any("wikipedia" in href or "cnmilf" in href for href in differing.links())


@pytest.mark.parametrize("query", ["asOf=2008-02-30", "asOf=yesterday", "asOf=0001-01-01", "viewpoint=serbia",
                                   "asOf=2008-10-31&asOf=2009-10-31"])
def test_bad_parameters_are_a_clear_400(client, query):
    response = client.get(f"/questions/recognitions-as-of?{query}", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 400
    assert b"parameter" in response.data


@pytest.mark.parametrize(("tag", "name"), [("en", "every reported withdrawal counts"),
                                           ("ru", "учитывается каждый сообщённый отзыв")])
def test_the_viewpoints_are_offered_by_name_never_by_slug(app, tag, name):
    """The form names each viewpoint in the reader's language; the slug is only the value sent."""
    html = app.test_client().get("/questions/recognitions-as-of", headers={
        "Accept": BROWSER_ACCEPT, "Accept-Language": tag}).data.decode()
    select = html[html.index('<select id="param-viewpoint"'):]
    select = select[:select.index("</select>")]
    assert f'<option value="every-withdrawal">{name}</option>' in select
    assert ">every-withdrawal<" not in select and ">source-dates<" not in select
