"""``/openapi.json`` and ``/openapi`` through Flask's test client: the document, its page, and answers that match it."""

from __future__ import annotations

import pytest
from htmltree import page
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from kosru_kg.service import openapi, void
from kosru_kg.web import create_app
from kosru_kg.web.middleware.headers import CONTENT_SECURITY_POLICY
from kosru_kg.web.views.questions import catalogue

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def questions(app):
    with app.app_context():
        return catalogue()


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_served_document_is_the_services_for_this_version_and_root(app, backend, questions, document):
    validate(document)
    assert document == openapi.document(questions, server="/", version=backend.version, title=void.TITLE,
                                        description=void.DESCRIPTION)


def test_under_a_root_the_server_is_that_root(settings, backend):
    client = create_app(settings, backend).test_client()  # an app of its own: one app serves one root
    document = client.get("/openapi.json", environ_overrides={"SCRIPT_NAME": "/kg"}).get_json()
    assert document["servers"] == [{"url": "/kg"}]


def test_the_document_names_no_host(document):
    assert "http://localhost" not in str(document)  # the server is a path: one answer fits every Host


def test_the_page_lists_every_question_its_operations_and_parameters(client, questions, document):
    response = client.get("/openapi", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    root = page(response)
    assert not list(root.all("script")) and not list(root.all("style"))
    assert root.one("a", href="/openapi.json")
    links = root.links()
    for path in document["paths"]:
        assert links[path] == path
    for question in questions.values():
        section = root.one("section", id=question.name)
        assert section.one("h3").text() == question.title
        assert next(section.all("p")).text() == question.description
        first_cells = [next(tr.all("td")).text() for tr in section.all("tr") if list(tr.all("td"))]
        operations = [f"/questions/{question.name}", *(f"/questions/{question.name}.{f}" for f in ("json", "xml", "csv", "tsv"))]
        assert first_cells == operations + [p.name for p in question.params]


def test_the_page_lists_the_errors(client):
    root = page(client.get("/openapi"))
    tables = list(root.all("table"))
    first_cells = [next(tr.all("td")).text() for tr in tables[0].all("tr") if list(tr.all("td"))]
    assert first_cells == list(openapi.ERRORS)


def test_the_questions_page_links_the_api(client):
    links = page(client.get("/questions")).links()
    assert links["/openapi"] == "API" and links["/openapi.json"] == "OpenAPI"


def resolve(document: dict, schema: dict) -> dict:
    """The schema with its ``$ref`` to components/schemas resolved (the document's refs go one level deep)."""
    return {"$defs": document["components"]["schemas"], **schema} if "$ref" not in schema else {
        **document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]}


def test_every_operation_answers_its_defaults_as_described(client, document):
    """Each operation with its defaults: 200, the described media type, and a JSON body valid against its schema."""
    for path, item in document["paths"].items():
        response = client.get(path)
        described = item["get"]["responses"]["200"]["content"]
        assert response.status_code == 200, path
        assert list(described) == [response.mimetype], path
        if response.mimetype.endswith("json"):
            schema = resolve(document, described[response.mimetype]["schema"])
            assert not list(Draft202012Validator(schema).iter_errors(response.get_json())), path


@pytest.mark.parametrize("accept", ["text/plain", "application/json", BROWSER_ACCEPT])
def test_a_refused_value_is_a_described_400(client, document, accept):
    response = client.get("/questions/recognitions-in-year.json?year=1900", headers={"Accept": accept})
    assert response.status_code == 400
    content = document["components"]["responses"]["BadRequest"]["content"]
    assert response.mimetype in content
    if response.mimetype == "application/json":
        schema = resolve(document, content["application/json"]["schema"])
        assert not list(Draft202012Validator(schema).iter_errors(response.get_json()))
