"""An OpenAPI 3.1 description of the canned questions, made from their ``.rq`` headers.

Each question is a GET at ``/questions/<name>`` (its HTML page) and at
``/questions/<name>.<format>`` for each answer format of ``questions.ANSWER_FORMATS`` (the
format table's SPARQL results rows); each of its header's parameters is a query parameter whose
schema says what ``Parameter.term`` accepts: its type, default, allowed values and label. The
error answers are those the site's one error handler writes, in each of ``errors.MEDIA_TYPES``.
A pure function of the questions and the served version: the web layer computes it once per version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pyoxigraph import QueryResultsFormat

from kosru_kg import formats
from kosru_kg.errors import MEDIA_TYPES
from kosru_kg.formats import Kind
from kosru_kg.service.questions import ANSWER_FORMATS, MAX_TEXT, Parameter, Question

OPENAPI_VERSION = "3.1.0"
PAGE = formats.named("html", Kind.PAGE)
RESULTS = "SparqlResults"  # the schema of SPARQL 1.1 Query Results JSON, under components/schemas
ERROR = "Error"  # the JSON error body

# The 4xx and 5xx answers any question may give, by status: components/responses/<name>, described.
ERRORS = {
    "400": ("BadRequest", "A parameter's value is not allowed (the message names the parameter and what it accepts), "
           "a parameter is given more than once, or the request has too many parameters."),
    "414": ("UriTooLong", "The request target is longer than the server takes."),
    "429": ("TooManyRequests", "This client has used its query time for the minute; `Retry-After` says when to "
                               "come back."),
    "503": ("ServiceUnavailable", "Every query slot is taken (`Retry-After` says when to try again), or the query "
                                  "ran out of time."),
}
_TERM = {  # one RDF term of a SPARQL JSON result row (RDF 1.2 triple terms have an object value)
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
        "value": {"type": ["string", "object"]},
        "datatype": {"type": "string"},
        "xml:lang": {"type": "string"},
    },
}
SCHEMAS = {
    RESULTS: {
        "description": "SPARQL 1.1 Query Results JSON Format: the variables, and one object per row "
                       "binding each variable that has a value to an RDF term.",
        "type": "object",
        "required": ["head", "results"],
        "properties": {
            "head": {"type": "object", "required": ["vars"], "properties": {
                "vars": {"type": "array", "items": {"type": "string"}},
                "link": {"type": "array", "items": {"type": "string"}},
            }},
            "results": {"type": "object", "required": ["bindings"], "properties": {
                "bindings": {"type": "array", "items": {"type": "object", "additionalProperties": _TERM}},
            }},
        },
    },
    ERROR: {
        "description": "An error, as sent to a client that prefers JSON.",
        "type": "object",
        "required": ["status", "error", "message"],
        "properties": {
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "error": {"type": "string", "description": "the status's title"},
            "message": {"type": "string", "description": "what went wrong and what to do instead"},
        },
    },
}
_CAMEL = re.compile(r"[-_.]+(\w)")


def document(questions: Mapping[str, Question], *, server: str, version: str, title: str,
             description: str = "") -> dict:
    """The OpenAPI 3.1 document of ``questions``, served under ``server`` (a URL or a path such as "/")."""
    paths = {}
    for question in questions.values():
        parameters = [parameter(param) for param in question.params]
        paths[f"/questions/{question.name}"] = {"get": _operation(question, parameters, PAGE)}
        for answer in ANSWER_FORMATS:
            paths[f"/questions/{question.name}.{answer.name}"] = {"get": _operation(question, parameters, answer)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{title}: canned questions",
            "version": version,
            "summary": "The questions answered at /questions, as HTML pages and as SPARQL results.",
            "description": description,
            "license": {"name": "CC BY-SA 4.0", "identifier": "CC-BY-SA-4.0"},
        },
        "servers": [{"url": server}],
        "tags": [{"name": q.name, "description": q.title} for q in questions.values()],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "responses": {name: _error(text) for name, text in ERRORS.values()}},
    }


def parameter(param: Parameter) -> dict:
    """The query parameter ``param`` is: its schema says what ``Parameter.term`` accepts."""
    return {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": f"{param.label}: {param.describe_allowed()}.",
        "schema": schema(param),
    }


def schema(param: Parameter) -> dict:
    if param.type == "year":
        low, high = int(param.allowed[0]), int(param.allowed[-1])
        return {"type": "integer", "minimum": low, "maximum": high, "default": int(param.default)}
    if param.type == "enum":
        return {"type": "string", "enum": list(param.allowed), "default": param.default}
    if param.type == "date":  # the range (1900 to 2100) is in the description: JSON Schema has no date bounds
        return {"type": "string", "anyOf": [{"format": "date"}, {"const": "today"}], "default": param.default}
    if param.type == "string":
        # Python's str.isprintable() is not a JSON Schema pattern: the description says it.
        return {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": r"\S",
                "default": param.default}
    if param.type == "iri":
        return {"type": "string", "format": "iri-reference", "default": param.default,
                "examples": [param.default]}
    if param.allowed:  # a kind of resource: its allowed ids (the full IRI of one is accepted too)
        return {"type": "string", "enum": list(param.allowed), "default": param.default}
    return {"type": "string", "default": param.default, "examples": [param.default]}


def operation_id(name: str, answer: formats.Format) -> str:
    """``recognitions-in-year`` as a page is ``recognitionsInYear``; as JSON, ``recognitionsInYearJson``."""
    camel = _CAMEL.sub(lambda match: match[1].upper(), name)
    return camel if answer is PAGE else camel + answer.name.capitalize()


def _operation(question: Question, parameters: list[dict], answer: formats.Format) -> dict:
    if answer is PAGE:
        ok = ("The answer as an HTML page: a table of at most the server's HTML row limit, "
              "its sources, the SPARQL query and a form for the parameters.")
        body = {"type": "string"}
    else:
        ok = f"Every row of the answer as SPARQL results in {answer.label} ({answer.media_type})."
        is_json = answer.engine == QueryResultsFormat.JSON
        body = {"$ref": f"#/components/schemas/{RESULTS}"} if is_json else {"type": "string"}
    return {
        "tags": [question.name],
        "operationId": operation_id(question.name, answer),
        "summary": question.title if answer is PAGE else f"{question.title} ({answer.label})",
        "description": question.description,
        "parameters": parameters,
        "responses": {
            "200": {"description": ok, "content": {answer.media_type: {"schema": body}}},
            **{status: {"$ref": f"#/components/responses/{name}"} for status, (name, _) in ERRORS.items()},
        },
    }


def _error(description: str) -> dict:
    """An error answer: JSON for clients that prefer it, HTML for browsers, plain text otherwise."""
    return {"description": description, "content": {
        media_type: {"schema": {"$ref": f"#/components/schemas/{ERROR}"} if media_type == "application/json"
                     else {"type": "string"}}
        for media_type in MEDIA_TYPES}}
