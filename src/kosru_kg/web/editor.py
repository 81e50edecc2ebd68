"""The query editor at /query: a GET form, so it works without script and every answer has a link.

The answer is an HTML table here; any other format is the endpoint's, so the editor redirects there.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from flask import Blueprint, redirect, render_template, request, url_for
from pyoxigraph import QueryBoolean, QuerySolutions

from ..backend import Backend
from ..config import Settings
from ..errors import BadRequest
from ..questions import Question
from . import state, terms, whole_answers
from .questions import catalogue, results_table
from .terms import TermView

blueprint = Blueprint("editor", __name__)

DEFAULT_QUERY = """PREFIX kosru: <https://w3id.org/kosru/ontology#>

# Which states recognised Kosovo first?
SELECT ?state ?date WHERE {
  ?recognition a kosru:Recognition ;
    kosru:recognisingState ?state ;
    kosru:date ?date .
}
ORDER BY ?date
LIMIT 20
"""
FORMATS = {  # the format selector: name → label; names other than "table" are the endpoint's
    "table": "Table (HTML)", "json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV",
    "turtle": "Turtle", "jsonld": "JSON-LD",
}
ALTERNATES = {  # formats linked under an answer, by the kind of answer
    "solutions": ("json", "xml", "csv", "tsv"),
    "boolean": ("json", "xml"),
    "graph": ("turtle", "jsonld"),
}


@dataclass(frozen=True)
class Answer:
    """A query's answer ready for the page: a table, or the truth value of an ASK."""

    kind: str  # a key of ALTERNATES
    head: list[str]
    rows: list[list[TermView]]
    truncated: bool = False  # more rows than the page shows (settings.max_html_rows)
    boolean: bool | None = None


def tabulate(result, backend: Backend, settings: Settings, root: str) -> Answer:
    """Solutions as on a question's page, a graph as rows of triples; resources by label, linked."""
    if isinstance(result, QueryBoolean):
        return Answer("boolean", [], [], boolean=bool(result))
    if isinstance(result, QuerySolutions):
        columns, rows, truncated = results_table(result, backend, settings.base_iri, root, settings.max_html_rows)
        return Answer("solutions", [c.variable for c in columns], rows, truncated)
    limit = settings.max_html_rows
    triples = [[t.subject, t.predicate, t.object] for t in islice(result, limit + 1)]
    names = terms.labels(backend, (value for row in triples[:limit] for value in row))
    rows = [[terms.view(value, names, settings.base_iri, root) for value in row] for row in triples[:limit]]
    return Answer("graph", ["subject", "predicate", "object"], rows, len(triples) > limit)


@blueprint.get("/query")
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
                           chosen=args.get("example"), answer=answer, error=error, alternates=ALTERNATES)
    return page, 400 if error else 200


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
