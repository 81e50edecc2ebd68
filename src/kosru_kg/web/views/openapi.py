"""The OpenAPI 3.1 description of the canned questions: ``/openapi.json``, and ``/openapi`` to read it.

The document is made by ``kosru_kg.service.openapi`` from the questions' headers, once per
served version; its server is the app's root as a path, so the answer names no host. The page
is drawn on the server from the same document: no script, no stylesheet but the site's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext

from kosru_kg.service import openapi, void
from kosru_kg.web import cache
from kosru_kg.web.state import state

blueprint = Blueprint("openapi", __name__)
DOCUMENT_PATH = "/openapi.json"


@dataclass(frozen=True)
class Row:
    """One of a parameter's or an operation's facts, as the page shows it."""

    name: str
    text: str
    detail: str = ""
    href: str = ""


@dataclass(frozen=True)
class Group:
    """A question's operations: its page and its answer formats, which share their parameters."""

    name: str
    title: str
    description: str
    operations: list[Row]  # path (and its link), operationId, media type of the answer
    parameters: list[Row]  # name, what its schema allows, its description


def document() -> dict:
    """The OpenAPI document of the served version, for this app's root."""
    app_state, root = state(), request.script_root
    return cache.cached(("openapi", root), lambda: openapi.document(
        app_state.questions, server=root or "/", version=app_state.backend.version, title=void.TITLE,
        description=void.DESCRIPTION))


@blueprint.get(DOCUMENT_PATH)
def description() -> Response:
    return Response(json.dumps(document(), ensure_ascii=False, indent=1), mimetype="application/json")


@blueprint.get("/openapi")
def page() -> str:
    spec, root = document(), request.script_root
    groups = []
    for tag in spec["tags"]:
        operations = [(path, item["get"]) for path, item in spec["paths"].items() if tag["name"] in item["get"]["tags"]]
        first = operations[0][1]
        groups.append(Group(
            tag["name"], tag["description"], first["description"],
            [Row(path, op["operationId"], ", ".join(op["responses"]["200"]["content"]), root + path)
             for path, op in operations],
            [Row(p["name"], allowed(p["schema"]), _parameter_label(tag["name"], p)) for p in first.get("parameters", [])],
        ))
    responses = spec["components"]["responses"]
    errors = [Row(status, responses[name]["description"], ", ".join(responses[name]["content"]))
              for status, (name, _) in openapi.ERRORS.items()]
    return render_template("openapi/page.html", spec=spec, groups=groups, errors=errors,
                           document_href=root + DOCUMENT_PATH)


def _parameter_label(question: str, parameter: dict) -> str:
    """A parameter's label in the page's language (the document's description says it in English)."""
    params = {p.name: p for p in state().questions[question].params} if question in state().questions else {}
    param = params.get(parameter["name"])
    return gettext(param.label) if param else parameter.get("description", "")


def allowed(schema: dict) -> str:
    """What a parameter's schema allows, in words: "integer, 2008 to 2025; default 2008" (in the page's language)."""
    if "enum" in schema:
        text = gettext("one of %(values)s", values=", ".join(map(str, schema["enum"])))
    elif "minimum" in schema or "maximum" in schema:
        text = gettext("%(type)s, %(minimum)s to %(maximum)s", type=schema["type"],
                       minimum=schema.get("minimum", "…"), maximum=schema.get("maximum", "…"))
    elif "maxLength" in schema:
        text = gettext("%(type)s of %(minimum)s to %(maximum)s characters", type=schema["type"],
                       minimum=schema.get("minLength", 0), maximum=schema["maxLength"])
    else:
        text = f"{schema['type']} ({schema['format']})" if "format" in schema else schema["type"]
    return gettext("%(text)s; default %(default)s", text=text, default=schema["default"]) if "default" in schema else text
