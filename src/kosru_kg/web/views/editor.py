"""The query editor at /query: a GET form, so it works without script and every answer has a link.

The answer is an HTML table here; any other format is the endpoint's, so the editor redirects there.
With script, YASGUI (vendored in static/yasgui/, docs/editor.md) takes the form's place: the page
gives it the endpoint and the project's prefixes, and /query/terms the ontology's terms to complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from pyoxigraph import QueryBoolean, QuerySolutions

from kosru_kg import formats
from kosru_kg.config import Settings
from kosru_kg.errors import BadRequest
from kosru_kg.formats import Kind
from kosru_kg.query.backend import Backend
from kosru_kg.service.questions import Question
from kosru_kg.vocab import PREFIXES, prologue
from kosru_kg.web import language
from kosru_kg.web.middleware import headers, whole_answers
from kosru_kg.web.render import terms
from kosru_kg.web.render.terms import TermView
from kosru_kg.web.state import state
from kosru_kg.web.views.questions import catalogue, results_table

blueprint = Blueprint("editor", __name__)

DEFAULT_QUERY = prologue("kosru", "skos") + """
# Which states recognised Kosovo first?
SELECT ?state ?date WHERE {
  ?claim a kosru:PositionClaim ;
    kosru:positionOf ?state ;
    kosru:claimedPosition/skos:prefLabel "recognised"@en ;
    kosru:latestDate ?date .  # the last day its date can denote: dates of every precision compare
}
ORDER BY ?date
LIMIT 20
"""
# YASGUI's result table resizes its columns with column-resizer, which adds <style> elements of fixed
# text: its table layout, and a cursor while a column is dragged. The editor's page allows those two
# stylesheets by their SHA-256 (of yasgui.min.js 4.6.2; docs/editor.md says how to renew them), and
# still no other inline style: no 'unsafe-inline'.
COLUMN_RESIZER_STYLES = ("'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
                         "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='")
CONTENT_SECURITY_POLICY = headers.CONTENT_SECURITY_POLICY.replace(
    "style-src 'self';", f"style-src 'self' {' '.join(COLUMN_RESIZER_STYLES)};")
# Formats linked under an answer, by its kind (the kind's value, as the template sees it).
ALTERNATES = {kind.value: names for kind, names in (
    (Kind.SOLUTIONS, ("json", "xml", "csv", "tsv")), (Kind.BOOLEAN, ("json", "xml")), (Kind.GRAPH, ("turtle", "jsonld")))}
# The format selector: name → label; "table" is this page, the others are the endpoint's.
FORMATS = {"table": "Table (HTML)", **{name: formats.named(name, Kind(kind)).label
                                       for kind, names in ALTERNATES.items() for name in names}}


@dataclass(frozen=True)
class Answer:
    """A query's answer ready for the page: a table, or the truth value of an ASK."""

    kind: str  # a Kind's value: a key of ALTERNATES
    head: list[str]
    rows: list[list[TermView]]
    truncated: bool = False  # more rows than the page shows (settings.max_html_rows)
    boolean: bool | None = None


def tabulate(result, backend: Backend, settings: Settings, root: str) -> Answer:
    """Solutions as on a question's page, a graph as rows of triples; resources by label, linked."""
    if isinstance(result, QueryBoolean):
        return Answer(Kind.BOOLEAN.value, [], [], boolean=bool(result))
    if isinstance(result, QuerySolutions):
        columns, rows, truncated = results_table(result, backend, settings.base_iri, root, settings.max_html_rows)
        return Answer(Kind.SOLUTIONS.value, [c.variable for c in columns], rows, truncated)
    limit = settings.max_html_rows
    triples = [[t.subject, t.predicate, t.object] for t in islice(result, limit + 1)]
    names = terms.labels(backend, (value for row in triples[:limit] for value in row), language.language())
    rows = [[terms.view(value, names, settings.base_iri, root) for value in row] for row in triples[:limit]]
    return Answer(Kind.GRAPH.value, ["subject", "predicate", "object"], rows, len(triples) > limit)


@blueprint.get("/query")
@whole_answers.reads("query", "format", "example")
def query_editor():
    app_state = state()
    canned = catalogue()
    args = request.args
    text, fmt, answer, error = args.get("query"), args.get("format", "table"), None, None
    try:
        if fmt not in FORMATS:
            raise BadRequest(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if "example" in args:  # loading an example fills the box; running it is the reader's choice
            text = _example(canned, args["example"]).sparql
        elif text is not None and fmt != "table":
            return redirect(url_for("endpoint.sparql", query=text, format=fmt), code=303)
        elif text is not None:
            answer = run(text, app_state.backend, app_state.settings, request.script_root)
    except BadRequest as exc:
        error = exc.message
    page = render_template("editor/query.html", text=DEFAULT_QUERY if text is None else text,
                           fmt=fmt if fmt in FORMATS else "table", formats=FORMATS, examples=canned.values(),
                           chosen=args.get("example"), answer=answer, error=error, alternates=ALTERNATES,
                           prefixes=PREFIXES)
    return page, 400 if error else 200, {"Content-Security-Policy": CONTENT_SECURITY_POLICY}


@blueprint.get("/query/terms")
@whole_answers.reads()
def terms_to_complete():
    """The ontology's classes and properties, and those it reuses, as full IRIs: what the editor completes."""
    ontology = state().ontology
    declared = ontology.terms + ontology.reused
    return jsonify(classes=[t.iri.value for t in declared if t.kind == "class"],
                   properties=[t.iri.value for t in declared if t.kind.endswith("property")])


def run(text: str, backend: Backend, settings: Settings, root: str) -> Answer:
    """The answer to ``text``; relative IRIs resolve against the endpoint, as they do there."""
    if not text.strip():
        raise BadRequest("the query is empty: write a SPARQL query in the box")
    whole_answers.names_the_host(request.environ)
    result = backend.query(text, base_iri=url_for("endpoint.sparql", _external=True))
    return tabulate(result, backend, settings, root)


def _example(canned: dict[str, Question], name: str) -> Question:
    if name not in canned:
        raise BadRequest(f"there is no example {name!r}; the examples are {', '.join(canned)}")
    return canned[name]
