"""Errors for people are pages of the site: its layout, the reader's language, a way back; clients keep JSON and text."""

from __future__ import annotations

import pytest
from htmltree import Element, Page

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
AS_OF = "/questions/recognitions-as-of"


def error_page(response, status: int) -> Element:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True)).root


def ways_back(root: Element) -> dict[str, str]:
    return root.one("nav", class_="ways-back").links()


@pytest.mark.parametrize(("path", "status"), [("/state/atlantis", 404), ("/state/kosovo.xyz", 406),
                                              ("/sparql?query=SELECT", 400)])
def test_an_error_page_is_in_the_layout_with_a_way_home(client, path, status):
    root = error_page(client.get(path, headers={"Accept": BROWSER_ACCEPT}), status)
    assert root.one("h1").text().startswith(f"{status} ")
    assert root.one("nav", **{"aria-label": "Main"}).links()  # the site's navigation
    assert root.one("footer")
    assert ways_back(root)["/"] == "Home page"


@pytest.mark.parametrize(("asked", "tag", "title"), [
    ({"query_string": {"lang": "ru"}}, "ru", "404 Не найдено"),
    ({"headers": {"Accept-Language": "sq"}}, "sq", "404 Nuk u gjet"),
])
def test_an_error_page_is_in_the_readers_language_with_the_message_marked_english(client, asked, tag, title):
    headers = {"Accept": BROWSER_ACCEPT, **asked.get("headers", {})}
    response = client.get("/state/atlantis", query_string=asked.get("query_string"), headers=headers)
    root = error_page(response, 404)
    assert response.headers["Content-Language"] == tag
    assert root.one("html").attrs["lang"] == tag
    assert root.one("h1").text() == title
    message = root.one("p", class_="error-message")
    assert message.attrs["lang"] == "en" and "state/atlantis" in message.text()
    assert "/" in ways_back(root)


def test_the_page_the_reader_came_from_is_a_way_back_if_it_is_this_sites(client):
    came_from = "http://localhost/questions"
    root = error_page(client.get("/state/atlantis", headers={"Accept": BROWSER_ACCEPT, "Referer": came_from}), 404)
    assert came_from in ways_back(root)
    elsewhere = error_page(client.get("/state/atlantis", headers={"Accept": BROWSER_ACCEPT,
                                                                  "Referer": "https://example.org/"}), 404)
    assert "https://example.org/" not in ways_back(elsewhere)


@pytest.mark.parametrize("written", ["01.01.2010", "2010/01/01", "1.1.2010", "garbage", "2010-13-01"])
def test_a_date_in_another_form_is_a_400_naming_it_with_the_form_again(client, written):
    query = {"asOf": written, "viewpoint": "kosovo-government"}
    root = error_page(client.get(AS_OF, query_string=query, headers={"Accept": BROWSER_ACCEPT}), 400)
    message = root.one("p", class_="error-message").text()
    assert "'asOf'" in message and repr(written) in message and "YYYY-MM-DD" in message
    # Back to the form without the refused value: the reader's other value is kept.
    assert ways_back(root)[f"{AS_OF}?viewpoint=kosovo-government"] == "Back to the form"


def test_the_as_of_form_takes_a_date_with_a_date_input(client):
    root = Page(client.get(AS_OF, query_string={"asOf": "2010-01-01"},
                           headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)).root
    field = root.one("input", name="asOf")
    assert (field.attrs["type"], field.attrs["value"]) == ("date", "2010-01-01")
    assert (field.attrs["min"], field.attrs["max"]) == ("1900-01-01", "2100-12-31")


@pytest.mark.parametrize(("accept", "mimetype", "starts"), [
    ("application/json", "application/json", '{"status":400'),
    ("text/plain", "text/plain", "400 Bad request: parameter 'asOf'"),
    (None, "text/plain", "400 Bad request: parameter 'asOf'"),
])
def test_clients_keep_json_and_text_errors(client, accept, mimetype, starts):
    response = client.get(AS_OF, query_string={"asOf": "01.01.2010"}, headers={"Accept": accept} if accept else {})
    assert response.status_code == 400 and response.mimetype == mimetype
    assert response.get_data(as_text=True).replace(" ", "").startswith(starts.replace(" ", ""))
