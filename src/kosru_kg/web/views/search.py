"""Search: ``/search?q=…`` finds resources by any of their names, in any language and script.

HTML for browsers, JSON for clients that ask (``Accept: application/json`` or ``format=json``),
with ``Vary: Accept``. The answer comes from the served version's search index
(``kosru_kg.service.search``), never from a SPARQL query; ``kind=`` keeps one kind of resource.
``/questions/search``, the canned question that scanned every label, is retired: it redirects here.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request

from kosru_kg import formats
from kosru_kg.formats import Kind
from kosru_kg.query import budget
from kosru_kg.service import protocol
from kosru_kg.service.search import SEARCH_KINDS, Results, check
from kosru_kg.web import negotiation
from kosru_kg.web.cache import SHARED_WORK_SECONDS
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.render.terms import local_path
from kosru_kg.web.state import state

blueprint = Blueprint("search", __name__)

PAGE, JSON = formats.named("html", Kind.PAGE), formats.named("json", Kind.DOCUMENT)
OFFERS = protocol.Offers((PAGE, JSON))


@blueprint.get("/search")
@whole_answers.reads("q", "kind", *negotiation.PARAMETERS)
def search() -> Response:
    text, kind = check(request.args.get("q"), request.args.get("kind"))
    fmt = negotiation.choose(OFFERS)
    app_state = state()
    # Opening the index may make it (a version published before there were indexes): shared work.
    with budget.scope(budget.Budget.starting_now(SHARED_WORK_SECONDS)):
        app_state.search.index()
    results = app_state.search.search(text, kind)
    if fmt is JSON:
        response = jsonify(_json(results))
    else:
        response = Response(render_template("search/results.html", results=results, kinds=SEARCH_KINDS,
                                            rows=[(hit, _href(hit.iri)) for hit in results.hits]),
                            mimetype="text/html")
    return negotiation.negotiated(response)


@blueprint.get("/questions/search", defaults={"suffix": None})
@blueprint.get("/questions/search.<suffix>")
@whole_answers.reads("text", "kind")
def retired_question(suffix: str | None) -> Response:
    """The canned question ``search`` was answered by scanning every label; the index answers it now."""
    query = {"q": request.args.get("text", "")}
    kind = request.args.get("kind", "")
    if kind and kind.lower() != "any":
        query["kind"] = kind.lower()
    if suffix == "json":
        query["format"] = "json"
    return redirect(f"{request.script_root}/search?{urlencode(query)}", code=301)


def _href(iri: str) -> str:
    path = local_path(iri, state().settings.base_iri)
    return request.script_root + path if path else iri


def _json(results: Results) -> dict:
    return {
        "query": results.text, "kind": results.kind, "version": results.version,
        "results": [{"iri": hit.iri, "href": _href(hit.iri), "label": hit.label, "kind": hit.kind,
                     "matched": hit.matched, "summary": hit.summary} for hit in results.hits],
    }
