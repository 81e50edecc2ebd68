"""The OpenAPI description of the canned questions: valid OpenAPI 3.1, and true to the ``.rq`` headers."""

from __future__ import annotations

import json

import pytest
from conftest import BASE, TEXT_QUESTION
from openapi_spec_validator import validate

from kosru_kg import errors, formats
from kosru_kg.config import Settings
from kosru_kg.formats import Kind
from kosru_kg.service import openapi, questions

ANSWERS = {f.name: f.media_type for f in formats.of_kind(Kind.SOLUTIONS) if f.names}  # json, xml, csv, tsv


@pytest.fixture(scope="module")
def canned(tmp_path_factory) -> dict[str, questions.Question]:
    """The canned questions, and one with a text and a choice parameter, types no canned question has now."""
    path = tmp_path_factory.mktemp("questions") / "named.rq"
    path.write_text(TEXT_QUESTION, encoding="utf-8")
    return {**questions.load(Settings().queries_dir, BASE), "named": questions.parse(path, BASE)}


@pytest.fixture(scope="module")
def document(canned) -> dict:
    return openapi.document(canned, server="/", version="v1", title="kosru-kg", description="The graph.")


def operations(document: dict, question: questions.Question) -> dict[str, dict]:
    """The question's GET operations by path: its page and one per answer format."""
    paths = [f"/questions/{question.name}"] + [f"/questions/{question.name}.{name}" for name in ANSWERS]
    return {path: document["paths"][path]["get"] for path in paths}


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)  # raises on any error
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "v1"
    assert document["servers"] == [{"url": "/"}]


def test_it_is_plain_json_and_the_same_each_time(canned, document):
    again = openapi.document(canned, server="/", version="v1", title="kosru-kg", description="The graph.")
    assert json.dumps(again) == json.dumps(document)


def test_every_question_has_its_page_and_each_answer_format_and_nothing_else(canned, document):
    expected = {path for q in canned.values() for path in operations(document, q)}
    assert set(document["paths"]) == expected
    assert all(set(item) == {"get"} for item in document["paths"].values())
    ids = [item["get"]["operationId"] for item in document["paths"].values()]
    assert len(ids) == len(set(ids)) == len(canned) * (1 + len(ANSWERS))
    assert [tag["name"] for tag in document["tags"]] == list(canned)


def test_operations_say_what_the_header_says(canned, document):
    for question in canned.values():
        for path, op in operations(document, question).items():
            assert op["tags"] == [question.name]
            assert op["summary"].startswith(question.title), path
            assert op["description"] == question.description


def test_each_answer_has_the_media_type_of_its_format(canned, document):
    question = next(iter(canned.values()))
    for path, op in operations(document, question).items():
        suffix = path.rpartition(".")[2] if "." in path else "html"
        media_type = ANSWERS.get(suffix) or formats.named("html", Kind.PAGE).media_type
        assert list(op["responses"]["200"]["content"]) == [media_type], path
    json_answer = document["paths"][f"/questions/{question.name}.json"]["get"]["responses"]["200"]
    assert json_answer["content"]["application/sparql-results+json"]["schema"] == {
        "$ref": "#/components/schemas/SparqlResults"}


def test_errors_are_described_in_every_media_type_the_error_handler_writes(canned, document):
    responses = document["components"]["responses"]
    for status, (name, _) in openapi.ERRORS.items():
        assert list(responses[name]["content"]) == list(errors.MEDIA_TYPES), status
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    for question in canned.values():
        for op in operations(document, question).values():
            assert set(op["responses"]) == {"200", *openapi.ERRORS}


def test_every_parameter_has_the_header_type_default_and_allowed_values(canned, document):
    seen_types = set()
    for question in canned.values():
        for op in operations(document, question).values():
            described = {p["name"]: p for p in op["parameters"]}
            assert list(described) == [p.name for p in question.params]
            for param in question.params:
                entry, schema = described[param.name], described[param.name]["schema"]
                seen_types.add(param.type if not param.is_kind else "kind")
                assert entry["in"] == "query" and entry["required"] is False
                assert entry["description"].startswith(param.label + ": ")
                assert param.describe_allowed() in entry["description"]
                if param.type == "year":
                    assert schema == {"type": "integer", "minimum": int(param.allowed[0]),
                                      "maximum": int(param.allowed[-1]), "default": int(param.default)}
                    continue
                assert schema["type"] == "string" and schema["default"] == param.default
                if param.type == "enum" or (param.is_kind and param.allowed):
                    assert schema["enum"] == list(param.allowed)
                elif param.type == "string":
                    assert (schema["minLength"], schema["maxLength"]) == (1, questions.MAX_TEXT)
                elif param.type == "date":
                    assert schema["anyOf"] == [{"format": "date"}, {"const": "today"}]
                else:
                    assert "enum" not in schema and schema["examples"] == [param.default]
    assert seen_types == {"year", "date", "enum", "string", "iri", "kind"}  # every type is described


def test_defaults_are_allowed_by_their_own_schemas(canned, document):
    from jsonschema import Draft202012Validator

    for item in document["paths"].values():
        for entry in item["get"]["parameters"]:
            schema = entry["schema"]
            assert not list(Draft202012Validator(schema).iter_errors(schema["default"])), entry["name"]


def test_the_server_may_be_any_root(canned):
    document = openapi.document(canned, server="/kg", version="v2", title="kosru-kg")
    validate(document)
    assert document["servers"] == [{"url": "/kg"}]


def test_every_reference_is_inside_the_document(document):
    """No $ref, server or link that a tool would fetch from another host."""
    text = json.dumps(document)
    refs = [part.split('"')[0] for part in text.split('"$ref": "')[1:]]
    assert refs and all(ref.startswith("#/components/") for ref in refs)
    assert "://" not in text
