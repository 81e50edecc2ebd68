"""The SVG pictures: well-formed, one mark per dated event, bars that match the graph, escaped labels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from conftest import BASE
from pyoxigraph import Literal, NamedNode, Quad

from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.web import create_app
from kosru_kg.web.render.pictures import PICTURES, decimal_year, nice_step, recognitions_chart_svg, spread, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = f"""
PREFIX kosru: <https://w3id.org/kosru/ontology#>
PREFIX concept: <{BASE}concept/>
"""
XSD = "http://www.w3.org/2001/XMLSchema#"
KOSRU = "https://w3id.org/kosru/ontology#"
MARKUP = "<script>alert('x')</script> & \"Co\""


def draw(picture, backend, settings, root="") -> ET.Element:
    """A picture parsed as XML: parsing fails on anything not well-formed."""
    return ET.fromstring(str(picture(backend, settings, root)))


def marks(svg: ET.Element) -> list[ET.Element]:
    return [a for a in svg.iter(f"{SVG}a") if "mark" in a.get("class").split()]


def count(store, query: str) -> int:
    return int(next(iter(store.query(PREFIXES + query)))["n"].value)


@pytest.fixture(scope="module")
def timeline(backend, settings) -> ET.Element:
    return draw(timeline_svg, backend, settings)


@pytest.fixture(scope="module")
def chart(backend, settings) -> ET.Element:
    return draw(recognitions_chart_svg, backend, settings)


# ---------------------------------------------------------------------------
# The timeline over the real graph
# ---------------------------------------------------------------------------

def test_one_mark_per_dated_event_and_statement(timeline, store):
    dated = count(store, """SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {
        { ?item a kosru:Event } UNION { ?item a kosru:Statement }
        ?item kosru:startDate|kosru:date|kosru:endDate ?date }""")
    assert dated > 20
    assert len(marks(timeline)) == dated


def test_marks_link_to_local_pages_that_exist(timeline, client):
    hrefs = [a.get("href") for a in marks(timeline)]
    assert len(set(hrefs)) == len(hrefs)
    assert all(re.fullmatch(r"/(event|sport|match|statement)/[a-z0-9-]+", href) for href in hrefs), hrefs
    assert {client.get(href).status_code for href in hrefs} == {200}


def test_each_mark_is_named_by_its_label_and_date(timeline):
    titles = {a.get("href"): a.find(f"{SVG}title").text for a in marks(timeline)}
    assert titles["/event/declaration-of-independence-2008"] == "Kosovo's declaration of independence, 17 February 2008"
    assert titles["/event/serbia-expels-ambassadors-2008"].endswith(", October 2008")
    assert titles["/event/nato-intervention-1999"].endswith(", 1999")
    assert titles["/event/kosovo-war"] == "Kosovo War, ended 1999"  # known only by its end
    assert titles["/statement/konuzin-2009-06-12"] == "Statement by Aleksandr Konuzin, 12 June 2009"


def test_marks_are_in_time_order_on_the_axis(timeline):
    ys = [float(a.find(f"{SVG}circle").get("cy")) for a in marks(timeline)]
    assert ys == sorted(ys)
    year_ticks = {t.find(f"{SVG}text").text for t in timeline.iter(f"{SVG}g") if t.get("class") == "tick"}
    assert {"1999", "2008", "2014", "2020"} <= year_ticks


def test_the_timeline_is_named_for_assistive_technology(timeline):
    ids = timeline.get("aria-labelledby").split()
    named = {element.get("id"): element.text for element in timeline if element.get("id")}
    assert named[ids[0]] == "Timeline of Kosovo–Russia relations"
    assert set(ids) <= set(named)


# ---------------------------------------------------------------------------
# The chart over the real graph
# ---------------------------------------------------------------------------

def bars(chart: ET.Element, css_class: str) -> dict[int, int]:
    """Year → count, read from each bar's title ("2008: 32 recognitions")."""
    found = {}
    for group in chart.iter(f"{SVG}g"):
        if group.get("class") == f"bar {css_class}":
            year, n = re.match(r"(\d{4}): (\d+) ", group.find(f"{SVG}rect/{SVG}title").text).groups()
            found[int(year)] = int(n)
    return found


def first_years(store, position: str) -> dict[int, int]:
    """States counted in the year of their earliest dated claim of ``position``: the years are
    compared in Python from the dates' text, a different road than the chart's SPARQL MIN and YEAR()."""
    query = f"""SELECT ?s ?date WHERE {{ ?r kosru:positionOf ?s ; kosru:claimedPosition concept:{position} ;
                                        kosru:date ?date }}"""
    first: dict[str, int] = {}
    for row in store.query(PREFIXES + query):
        year = int(row["date"].value[:4])
        first[row["s"].value] = min(year, first.get(row["s"].value, year))
    return dict(Counter(first.values()))


def test_recognition_bars_match_the_graph(chart, store):
    expected = first_years(store, "recognised")
    assert expected[2008] > 50
    assert bars(chart, "bar-recognitions") == expected


def test_withdrawal_bars_match_the_graph(chart, store):
    expected = first_years(store, "withdrawal-reported")
    assert sum(expected.values()) >= 20
    assert bars(chart, "bar-withdrawals") == expected


def test_every_year_between_the_first_and_last_is_on_the_axis(chart, store):
    years = [int(t.text) for t in chart.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert years == list(range(years[0], years[-1] + 1))
    assert years[0] == 2008


def test_the_chart_is_an_image_with_a_name_and_a_legend(chart):
    assert chart.get("role") == "img"
    title_id, desc_id = chart.get("aria-labelledby").split()
    assert chart.find(f"{SVG}title").get("id") == title_id
    assert "recognitions" in chart.find(f"{SVG}desc").text and chart.find(f"{SVG}desc").get("id") == desc_id
    legend = [t.text for g in chart.iter(f"{SVG}g") if g.get("class") == "legend" for t in g.iter(f"{SVG}text")]
    assert legend == ["Recognitions", "Reported withdrawals"]


def test_pictures_need_no_script_or_outside_resource(timeline, chart):
    for svg in (timeline, chart):
        assert not list(svg.iter(f"{SVG}script"))
        assert not [e for e in svg.iter() if e.get("style") is not None]
        assert all(href.startswith("/") for href in (e.get("href") for e in svg.iter()) if href)


def test_local_links_follow_the_url_root(backend, settings):
    svg = draw(timeline_svg, backend, settings, root="/kg")
    assert all(a.get("href").startswith("/kg/") for a in marks(svg))


# ---------------------------------------------------------------------------
# Layout helpers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "datatype", "year"), [
    ("2008-02-17", "date", 2008 + 47.5 / 366),
    ("2008-10", "gYearMonth", 2008 + 9.5 / 12),
    ("1999", "gYear", 1999.5),
])
def test_dates_sit_mid_period(value, datatype, year):
    assert decimal_year(Literal(value, datatype=NamedNode(XSD + datatype))) == pytest.approx(year)


def test_labels_spread_apart_around_where_they_belong():
    assert spread([10, 10, 10, 50], 10, 0) == [0, 10, 20, 50]
    assert spread([5, 5], 10, 0) == [0, 10]  # never above the top
    assert spread([0, 30, 60], 10, 0) == [0, 30, 60]  # apart already: left alone


@pytest.mark.parametrize(("span", "ticks", "step"), [(0, 5, 1), (5, 5, 1), (32, 5, 10), (22, 30, 1), (240, 5, 50)])
def test_tick_steps_are_round(span, ticks, step):
    assert nice_step(span, ticks) == step


# ---------------------------------------------------------------------------
# A tiny graph whose labels contain markup
# ---------------------------------------------------------------------------

def quad(s: str, p: str, o) -> Quad:
    return Quad(NamedNode(s), NamedNode(p), o)


def marked_quads() -> list[Quad]:
    a = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    event, statement, person = BASE + "event/marked", BASE + "statement/marked", BASE + "person/marked"
    recognition, withdrawal = BASE + "position/marked", BASE + "position/withdrawn"
    return [
        quad(event, a, NamedNode(KOSRU + "Event")),
        quad(event, label, Literal(MARKUP, language="en")),
        quad(event, KOSRU + "startDate", Literal("2010-05-01", datatype=NamedNode(XSD + "date"))),
        quad(event, "http://purl.org/dc/terms/description", Literal("<i>described</i>")),
        quad(statement, a, NamedNode(KOSRU + "Statement")),
        quad(statement, KOSRU + "date", Literal("2011-03", datatype=NamedNode(XSD + "gYearMonth"))),
        quad(statement, KOSRU + "speaker", NamedNode(person)),
        quad(person, a, NamedNode(KOSRU + "Person")),
        quad(person, label, Literal("<b>Speaker</b>", language="en")),
        quad(KOSRU + "Person", label, Literal("<u>person</u>", language="en")),
        quad(recognition, a, NamedNode(KOSRU + "PositionClaim")),
        quad(recognition, KOSRU + "positionOf", NamedNode(person)),
        quad(recognition, KOSRU + "claimedPosition", NamedNode(BASE + "concept/recognised")),
        quad(recognition, KOSRU + "latestDate", Literal("2009-12-31", datatype=NamedNode(XSD + "date"))),
        quad(withdrawal, a, NamedNode(KOSRU + "PositionClaim")),
        quad(withdrawal, KOSRU + "positionOf", NamedNode(person)),
        quad(withdrawal, KOSRU + "claimedPosition", NamedNode(BASE + "concept/withdrawal-reported")),
        quad(withdrawal, KOSRU + "latestDate", Literal("2012-02-29", datatype=NamedNode(XSD + "date"))),
    ]


@pytest.fixture(scope="module")
def marked_backend(tmp_path_factory):
    return EmbeddedBackend.from_quads(marked_quads(), "marked", tmp_path_factory.mktemp("marked"))


def test_markup_in_labels_is_text_in_the_timeline(marked_backend, settings):
    source = str(timeline_svg(marked_backend, settings, ""))
    assert "<script>" not in source and "<b>" not in source
    svg = ET.fromstring(source)
    titles = sorted(a.find(f"{SVG}title").text for a in marks(svg))
    assert titles == [f"{MARKUP}, 1 May 2010", "Statement by <b>Speaker</b>, March 2011"]


def test_a_tiny_graph_gets_a_chart_of_its_own_years(marked_backend, settings):
    svg = draw(recognitions_chart_svg, marked_backend, settings)
    assert bars(svg, "bar-recognitions") == {2009: 1}
    assert bars(svg, "bar-withdrawals") == {2012: 1}


def test_an_empty_graph_still_gets_well_formed_pictures(settings, tmp_path):
    empty = EmbeddedBackend.from_quads([], "empty", tmp_path)
    for name, picture in PICTURES.items():
        assert draw(picture, empty, settings).tag == f"{SVG}svg", name


@pytest.mark.parametrize("path", ["/", "/timeline"])
def test_pages_showing_the_pictures_escape_markup(marked_backend, settings, path):
    response = create_app(settings, marked_backend).test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html and "<b>Speaker" not in html and "<u>person" not in html
    assert "&lt;script&gt;alert" in html
