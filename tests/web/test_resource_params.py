"""A question's resource parameter is chosen by name, not typed as an id (issue 24 point 3).

The form of ``sources-of-fact`` (a parameter any of a thousand resources may fill) is a text box
with the resources' names as suggestions, which needs no script; a name, picked or typed in any
script, is resolved on the server, and the API still takes the ids, paths and IRIs it took.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import BASE
from htmltree import Page, page

from kosru_kg.vocab import prologue

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PATH = re.compile(r"[a-z0-9-]+(?:/[a-z0-9-]+)+")  # what a resource's path looks like: veto/article-claim-veto-cast
JSON = "application/sparql-results+json"
# An English name that several sourced resources bear, and those resources.
SHARED_NAME = prologue("prov", "rdfs") + """SELECT ?label (GROUP_CONCAT(DISTINCT STR(?resource); separator=" ") AS ?resources)
WHERE { ?resource rdfs:label ?label ; prov:wasDerivedFrom ?source . FILTER(LANG(?label) = "en") }
GROUP BY ?label HAVING (COUNT(DISTINCT ?resource) > 1) ORDER BY ?label LIMIT 1"""


def resource_box(root):
    """The form's text box for the resource and the names its list suggests."""
    box = root.one("form", class_="parameters").one("input", name="resource")
    names = [option.attrs["value"] for option in root.one("datalist", id=box.attrs["list"]).all("option")]
    return box, names


def answered(client, **query):
    """The page answering ``query``: its text box's value, its answer's rows, and the resource its JSON link names."""
    root = page(client.get("/questions/sources-of-fact", query_string=query))
    json_link = root.one("a", type=JSON).attrs["href"]
    rows = [row.text() for row in root.one("section", **{"aria-labelledby": "answer"}).all("tr")]
    return resource_box(root)[0].attrs["value"], rows, parse_qs(urlsplit(json_link).query)["resource"]


def refusal(client, path, **query) -> str:
    response = client.get(path, query_string=query, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 400
    return Page(response.get_data(as_text=True)).root.one("p", class_="error-message").text()


def test_the_form_offers_names_not_ids(client):
    root = page(client.get("/questions/sources-of-fact"))
    box, names = resource_box(root)
    assert root.one("label", **{"for": box.attrs["id"]}).text() == "Fact or resource"
    assert len(names) > 300 and len(set(names)) == len(names)  # hundreds, each once
    assert "Vladimir Putin" in names and "Russia" in names
    assert not [name for name in names if PATH.fullmatch(name) or "veto/" in name]
    # The default, veto/article-claim-veto-cast, is shown by a name too (its label is another veto's as well,
    # so it is shown by its summary).
    assert box.attrs["value"] in names and "veto/" not in box.attrs["value"] and "veto" in box.attrs["value"]
    assert "veto/" not in root.one("form", class_="parameters").text()


def test_a_page_in_another_language_offers_names_in_it(client):
    _, names = resource_box(page(client.get("/questions/sources-of-fact", query_string={"lang": "sq"})))
    assert "Rusi" in names and "Russia" not in names  # Russia's name in Albanian


def test_a_name_picked_from_the_list_answers_for_its_resource(client):
    _, names = resource_box(page(client.get("/questions/sources-of-fact")))
    palau = next(name for name in names if name.startswith("Palau: recognised") and "2009" in name)
    shown, rows, named = answered(client, resource=palau)
    assert shown == palau  # the form keeps the name, so it may be submitted again
    assert named == ["position/palau-recognised-2009"]  # the formats are linked by the path, as the API takes it
    assert len(rows) > 1 and rows == answered(client, resource="position/palau-recognised-2009")[1]


def test_resources_that_share_a_name_are_told_apart(client):
    _, names = resource_box(page(client.get("/questions/sources-of-fact")))
    vetoes = [name for name in names if "veto" in name.lower() and "Russia" in name]
    resources = [answered(client, resource=name)[2][0] for name in vetoes]
    assert len(set(resources)) == len(vetoes)  # each name gives its own resource
    assert {"veto/article-claim-veto-cast", "veto/brazilian-report-veto-cast"} <= set(resources)
    shown, rows, named = answered(client)  # the default, submitted again as the form shows it
    assert named == ["veto/article-claim-veto-cast"] and answered(client, resource=shown)[1:] == (rows, named)


@pytest.mark.parametrize(("name", "path"), [
    ("Vladimir Putin", "person/vladimir-putin"),
    ("владимир путин", "person/vladimir-putin"),  # any case and script
    ("Rusi", "state/russia"),  # a name in another language
    ("Kosova", "state/kosovo"),
])
def test_a_typed_name_resolves_in_the_api_too(client, name, path):
    by_name = client.get("/questions/sources-of-fact.json", query_string={"resource": name})
    assert by_name.status_code == 200
    assert by_name.data == client.get("/questions/sources-of-fact.json", query_string={"resource": path}).data


def test_a_state_is_taken_by_name_as_well_as_by_id(client):
    by_id = client.get("/questions/stance-of-state.json", query_string={"state": "serbia"}).data
    for value in ("Serbia", "Србија", f"{BASE}state/serbia"):
        assert client.get("/questions/stance-of-state.json", query_string={"state": value}).data == by_id


@pytest.mark.parametrize("value", ["veto/veto-threat-2007-07-20", f"{BASE}veto/veto-threat-2007-07-20"])
def test_the_api_takes_the_paths_and_iris_it_took(client, value):
    response = client.get("/questions/sources-of-fact.json", query_string={"resource": value})
    assert response.status_code == 200 and b"veto-threat-2007-07-20" in response.data


@pytest.mark.parametrize(("path", "param", "value"), [
    ("/questions/sources-of-fact", "resource", "Treaty of Atlantis"),
    ("/questions/sources-of-fact.json", "resource", "Treaty of Atlantis"),
    ("/questions/stance-of-state", "state", "Atlantis"),
    ("/questions/stance-of-state", "state", "Vladimir Putin"),  # a name, but not of a state
])
def test_an_unknown_name_is_a_400_naming_it(client, path, param, value):
    message = refusal(client, path, **{param: value})
    assert f"parameter '{param}'" in message and repr(value) in message and "or its name" in message


def test_a_name_that_several_resources_bear_is_a_400_naming_them(client, backend, settings):
    shared = next(iter(backend.query(SHARED_NAME)), None)
    assert shared is not None  # two statements by one speaker, say: the data has such names, or this tests nothing
    paths = [iri.removeprefix(settings.base_iri) for iri in shared["resources"].value.split()]
    message = refusal(client, "/questions/sources-of-fact", resource=shared["label"].value)
    assert "parameter 'resource'" in message and f"{len(paths)} resources have that name" in message
    assert all(path in message for path in paths)


def test_the_roster_shows_standings_and_dates_in_words_not_codes(client):
    root = page(client.get("/questions/recognitions-as-of", query_string={"asOf": "2025-01-01"}))
    table = root.one("section", **{"aria-labelledby": "answer"}).one("table")
    headings = [th.text() for th in table.one("thead").all("th")]
    cells = [[cell.text() for cell in tr.children if not isinstance(cell, str)] for tr in table.one("tbody").all("tr")]
    standings = {row[headings.index("Standing")] for row in cells}
    assert {"Recognises", "Does not recognise"} <= standings
    assert not [text for text in standings if re.fullmatch(r"[a-z]+(?:-[a-z]+)+", text)]  # no-position-found…
    dates = {row[headings.index("Recognised on")] for row in cells} - {""}
    assert "17 February 2008" in dates and not [text for text in dates if re.search(r"\d{4}-\d\d", text)]
