"""The question pages through Flask's test client, over the real graph: list, answer, formats, errors."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import BASE, TEXT_QUESTION
from htmltree import Page, page
from pyoxigraph import QueryResultsFormat, parse_query_results
from werkzeug.http import parse_options_header

from kosru_kg.web import create_app
from kosru_kg.web.views.questions import catalogue, heading

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORMATS = {  # suffix → the media type served and how pyoxigraph reads it back
    "json": ("application/sparql-results+json", QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", QueryResultsFormat.XML),
    "tsv": ("text/tab-separated-values", QueryResultsFormat.TSV),
    "csv": ("text/csv", QueryResultsFormat.CSV),
}


@pytest.fixture(scope="module")
def questions(app):
    with app.app_context():
        return catalogue()


def answer_table(root):
    """The answer's table as (column headings, rows of cell texts), read from the page."""
    table = root.one("table")
    headings = [th.text() for th in table.one("thead").all("th", scope="col")]
    rows = [[cell.text().strip() for cell in tr.children if not isinstance(cell, str)]
            for tr in table.one("tbody").all("tr")]
    return headings, rows


def selected(select) -> list[str]:
    return [option.attrs["value"] for option in select.all("option") if "selected" in option.attrs]


def state_labels(response, results_format) -> list[str]:
    """The stateLabel column of a results document (CSV read as CSV: pyoxigraph reads no CSV results)."""
    if results_format == QueryResultsFormat.CSV:
        return [row["stateLabel"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))]
    return [row["stateLabel"].value for row in parse_query_results(response.data, results_format)]


# --- the list --------------------------------------------------------------------------------

def test_the_list_links_every_question_with_its_title_and_description(client, questions):
    root = page(client.get("/questions"))
    assert root.one("h1").text() == "Questions"
    listed = root.one("dl", class_="questions")
    links = {a.attrs["href"]: a.text() for a in listed.all("a")}
    assert links == {f"/questions/{name}": q.title for name, q in questions.items()}
    descriptions = [dd.text() for dd in listed.all("dd")]
    assert descriptions == [q.description for q in questions.values()]


# --- a question's page -----------------------------------------------------------------------

def test_every_question_page_is_well_formed_and_accessible(client, questions):
    for name, question in questions.items():
        root = page(client.get(f"/questions/{name}"))  # parsing fails on a misnested tag
        assert root.one("h1").text() == question.title
        for table in root.all("table"):
            assert all(th.attrs.get("scope") in ("col", "row") for th in table.all("th"))
        for control in [*root.all("select"), *root.all("input")]:
            assert root.one("label", **{"for": control.attrs["id"]}).text()


def test_a_page_shows_the_answer_as_a_table_of_labelled_links(client):
    root = page(client.get("/questions/security-council"))
    assert root.one("h1").text() == "Where do the permanent members of the UN Security Council stand on Kosovo?"
    table = root.one("table")
    assert table.one("caption").text().endswith("(8 rows)")  # one row per claim
    headings, rows = answer_table(root)
    assert headings == ["State", "Veto power", "Position", "Date", "Membership", "Claim"]
    assert [row[:4] for row in rows] == [  # booleans read as the page's words, dates as its language writes them
        ["China", "yes", "does not recognise", "23 July 2010"],
        ["China", "yes", "does not recognise", "2 August 2018"],
        ["France", "yes", "recognised", "18 February 2008"],
        ["Russia", "yes", "does not recognise", ""],
        ["Russia", "yes", "does not recognise", "17 February 2008"],
        ["Russia", "yes", "does not recognise", "8 December 2009"],
        ["United Kingdom", "yes", "recognised", "18 February 2008"],
        ["United States", "yes", "recognised", "18 February 2008"],
    ]
    assert rows[2][5] == "France: recognised, 18 February 2008"  # a claim is named by its label, not its id
    first = table.one("tbody").all("tr").__next__()
    assert first.one("th", scope="row").one("a").attrs["href"] == "/state/china"


def test_dates_are_written_as_people_write_them(client):
    _, rows = answer_table(page(client.get("/questions/withdrawals")))
    assert ["Suriname", "31 October 2017"] in [row[:2] for row in rows]
    assert ["São Tomé and Príncipe", "January 2013"] in [row[:2] for row in rows]
    assert ["São Tomé and Príncipe", "November 2017"] in [row[:2] for row in rows]


def test_the_sources_behind_the_answer_link_to_their_addresses(client):
    root = page(client.get("/questions/crimea-precedent"))
    sources = root.one("section", **{"aria-labelledby": "sources"})
    links = {a.text(): a.attrs["href"] for a in sources.all("a")}
    assert links["Kosovo–Russia relations: History, closing paragraphs (Konuzin 2009, Crimea 2014, Women's Euro "
                 "qualifying)"] == "https://en.wikipedia.org/wiki/Kosovo%E2%80%93Russia_relations#History"
    assert all(href.startswith(("http://", "https://")) for href in links.values())


def test_the_query_is_shown_and_offered_to_the_editor(client, questions):
    root = page(client.get("/questions/vetoes"))
    section = root.one("section", **{"aria-labelledby": "query"})
    assert section.one("pre").text() == questions["vetoes"].sparql
    edit = next(a for a in section.all("a") if a.text() == "Edit this query")
    url = urlsplit(edit.attrs["href"])
    assert url.path == "/query"
    assert parse_qs(url.query) == {"query": [questions["vetoes"].sparql]}


@pytest.mark.parametrize("name", ["timeline", "recognitions-per-year"])
def test_a_question_with_a_picture_draws_it(client, name):
    svg = page(client.get(f"/questions/{name}")).one("figure", class_="picture").one("svg")
    assert next(svg.all("title")).text()  # the picture's accessible name


# --- the same answer in other formats --------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_answer_in_each_format(client, fmt):
    media_type, results_format = FORMATS[fmt]
    response = client.get(f"/questions/security-council.{fmt}")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Type"])[0] == media_type
    assert state_labels(response, results_format) == ["China", "China", "France", "Russia", "Russia", "Russia",
                                                      "United Kingdom", "United States"]


def test_the_formats_are_announced_in_a_link_header_and_linked(client):
    response = client.get("/questions/recognitions-in-year", query_string={"year": "2017"})
    announced = {}
    for link in response.headers["Link"].split(", "):
        target, *params = link.split("; ")
        options = dict(param.split("=", 1) for param in params)
        assert options["rel"] == '"alternate"'
        announced[options["type"].strip('"')] = target.strip("<>")
    assert announced == {media_type: f"/questions/recognitions-in-year.{fmt}?year=2017"
                         for fmt, (media_type, _) in FORMATS.items()}
    links = {a.attrs["type"]: a.attrs["href"] for a in page(response).one("p", class_="formats").all("a")}
    assert links == announced
    for media_type, href in announced.items():
        assert parse_options_header(client.get(href).headers["Content-Type"])[0] == media_type


# --- parameters ------------------------------------------------------------------------------

def test_a_parameterised_question_has_a_form_with_the_allowed_values(client):
    form = page(client.get("/questions/stance-of-state")).one("form", class_="parameters")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/questions/stance-of-state"
    select = form.one("select", name="state")
    assert form.one("label", **{"for": select.attrs["id"]}).text() == "State"
    options = {o.attrs["value"]: o.text() for o in select.all("option")}
    assert options["russia"] == "Russia" and options["serbia"] == "Serbia"
    assert selected(select) == ["russia"]


def test_submitting_the_form_answers_for_the_chosen_value(client):
    root = page(client.get("/questions/recognitions-in-year", query_string={"year": "2017"}))
    assert selected(root.one("select", name="year")) == ["2017"]
    headings, rows = answer_table(root)
    assert "Year" not in headings  # the chosen value is in the form, not repeated on every row
    assert [row[:2] for row in rows] == [["Bangladesh", "27 February 2017"], ["Madagascar", "November 2017"],
                                         ["Madagascar", "24 November 2017"],  # sources differ: three claims
                                         ["Madagascar", "25 November 2017"]]


def test_a_text_parameter_has_a_text_input(settings, backend, tmp_path):
    (tmp_path / "named.rq").write_text(TEXT_QUESTION, encoding="utf-8")
    client = create_app(settings.replace(queries_dir=str(tmp_path)), backend).test_client()
    root = page(client.get("/questions/named", query_string={"text": "Vladimir Putin", "kind": "Person"}))
    assert root.one("input", name="text").attrs["value"] == "Vladimir Putin"
    assert answer_table(root)[1] == [["Vladimir Putin",
                                      "President of Russia; honorary president of the International Judo Federation."]]


def test_the_retired_search_question_redirects_to_search(client):
    """``search`` scanned every label with a regex; the search index answers it now, at /search."""
    response = client.get("/questions/search", query_string={"text": "putin", "kind": "Person"})
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/search?q=putin&kind=person")
    response = client.get("/questions/search.json", query_string={"text": "Russia", "kind": "any"})
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/search?q=Russia&format=json")
    assert "search" not in [question.name for question in client.application.extensions["kosru"].questions.values()]


@pytest.mark.parametrize(("path", "query", "named"), [
    ("/questions/stance-of-state", {"state": "kosovo> } ; DROP"}, "parameter 'state'"),
    # '$' matched before a final newline, which no IRI may hold: this was a 500.
    ("/questions/stance-of-state", {"state": "russia\n"}, "parameter 'state'"),
    ("/questions/stance-of-state", {"state": f"{BASE}state/russia\n"}, "parameter 'state'"),
    ("/questions/recognitions-in-year", {"year": "1900"}, "parameter 'year'"),
    ("/questions/recognitions-in-year.json", {"year": "soon"}, "parameter 'year'"),
])
def test_a_bad_value_gets_a_400_page_naming_the_parameter(client, path, query, named):
    response = client.get(path, query_string=query, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    root = Page(response.get_data(as_text=True)).root
    assert root.one("h1").text() == "400 Bad request"
    message = root.one("p", class_="error-message").text()
    assert named in message and repr(next(iter(query.values()))) in message


@pytest.mark.parametrize("path", ["/questions/no-such-question", "/questions/no-such-question.json",
                                  "/questions/no-such-question.pdf"])
def test_an_unknown_question_is_404(client, path):
    assert client.get(path, headers={"Accept": BROWSER_ACCEPT}).status_code == 404


@pytest.mark.parametrize(("variable", "text"), [
    ("recognisedOn", "Recognised on"), ("inEU", "In EU"), ("sourceURL", "Source URL"), ("year", "Year"),
])
def test_column_headings(variable, text):
    assert heading(variable) == text
