"""The canned questions as pages: ``/questions`` lists them, ``/questions/<name>`` answers one.

An answer is an HTML table (resources by label, linked to their pages), the sources behind it,
the SPARQL text, and the same result as SPARQL JSON, CSV, TSV or XML at ``/questions/<name>.<format>``.
Parameters come from the query string and are bound by ``kosru_kg.service.questions``, never pasted.
A resource is chosen by its name: the form offers names (a list, or suggestions for a text box when
there are hundreds), and a name in a request, the form's or one typed, is resolved here (``named``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import islice
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for
from pyoxigraph import Literal, NamedNode, QuerySolutions

from kosru_kg.errors import NotFound
from kosru_kg.graph.search_index import fold
from kosru_kg.service import protocol, questions, roster
from kosru_kg.vocab import prologue
from kosru_kg.web import cache, language, negotiation
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.render import pictures, quality
from kosru_kg.web.render import roster as roster_drawing
from kosru_kg.web.render.terms import Names, TermView, labels, view, view_date
from kosru_kg.web.state import state

blueprint = Blueprint("questions", __name__)


@blueprint.app_template_filter("standing_text")
def standing_text(standing: roster.Standing) -> str:
    """A state and its standing in words: "Chad (recognised, no date found)"."""
    return f"{standing.label} ({roster_drawing.detail(standing)})"

# The result formats offered beside the page, by suffix: the solutions media type of each name.
FORMATS = {f.name: f.media_type for f in questions.ANSWER_FORMATS}
ANSWER_OFFERS = protocol.Offers.suffixed(questions.ANSWER_FORMATS, key=lambda f: f.name)
SOURCES_QUERY = prologue("prov", "dct", "schema", "kosru") + """SELECT DISTINCT ?source ?title ?url ?class WHERE {
  VALUES ?resource { %s }
  ?resource prov:wasDerivedFrom ?source .
  ?source dct:title ?title .
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source kosru:sourceClass ?class }
} ORDER BY ?title ?source"""
ROSTER_MAP = pictures.ANSWER_PICTURES[0]  # the picture drawn from the roster question's own answer
_WORD = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[A-Z]|\d+")


@dataclass(frozen=True)
class Column:
    variable: str
    heading: str


@dataclass(frozen=True)
class Source:
    title: str
    href: str
    source_class: str | None = None  # what a page calls its class (a msgid of render.quality)


def catalogue() -> dict[str, questions.Question]:
    """The app's questions by name (the editor offers them as examples)."""
    return state().questions


@blueprint.get("/questions")
def index() -> str:
    return render_template("questions/index.html", questions=list(catalogue().values()))


def _parameters(name: str, **_values) -> list[str]:
    """The parameters of question ``name`` (none for a question there is not)."""
    question = catalogue().get(name)
    return [param.name for param in question.params] if question else []


@blueprint.get("/questions/<name>")
@whole_answers.reads(_parameters)
def page(name: str) -> Response:
    question, values, solutions = _answer(name)
    settings, backend = state().settings, state().backend
    root = request.script_root
    roster_view = None
    if question.picture == ROSTER_MAP:  # drawn from this answer, so the map and the table agree
        solutions = Listed(solutions.variables, list(solutions))
        roster_view = roster_page(question, solutions.rows, values)
    # The parameters' columns repeat the values chosen in the form above the table.
    columns, rows, truncated = results_table(solutions, backend, settings.base_iri, root, settings.max_html_rows,
                                             hide=values.keys())
    if roster_view:
        rows = [[_roster_cell(column.variable, cell) for column, cell in zip(columns, row)] for row in rows]
    alternates = _alternates(name, values)
    form = [(param, choices(param, backend, settings.base_iri)) for param in question.params]
    body = render_template(
        "questions/question.html", question=question, values=values, columns=columns, rows=rows, truncated=truncated,
        form=form, named={param.name: _named_value(param, offered, values[param.name])
                          for param, offered in form if param.takes_resource},
        sources=_sources(rows, backend, settings.base_iri, root), alternates=alternates,
        picture=roster_view.picture if roster_view else pictures.picture(question.picture) if question.picture else None,
        roster=roster_view,
        source_classes={f"{settings.base_iri}concept/{name}": words for name, words in quality.SOURCE_CLASSES.items()},
        edit_href=f"{root}/query?{urlencode({'query': question.sparql})}",
    )
    response = Response(body, mimetype="text/html")
    response.headers["Link"] = ", ".join(f'<{href}>; rel="alternate"; type="{media_type}"'
                                         for media_type, href in alternates.values())
    return response


@blueprint.get("/questions/<name>.<suffix>")
@whole_answers.reads(_parameters)
def formatted(name: str, suffix: str) -> Response:
    _, _, solutions = _answer(name)
    fmt = negotiation.choose(ANSWER_OFFERS, suffix)  # an unknown suffix is a 406 listing the others
    return Response(solutions.serialize(format=fmt.engine), content_type=protocol.content_type(fmt.media_type))


@dataclass(frozen=True)
class Listed:
    """An answer read into a list, for a page that uses its rows twice."""

    variables: list
    rows: list

    def __iter__(self):
        return iter(self.rows)


@dataclass(frozen=True)
class RosterView:
    """What the roster question's page shows beside its table: the map, the tally, the rule, the checks."""

    picture: object
    tally: roster.Tally
    viewpoint: str
    checks: list[tuple[roster.CountCheck, str]]  # each with the local address of its count


def roster_page(question: questions.Question, rows: list, values: dict[str, str]) -> RosterView:
    settings, backend = state().settings, state().backend
    standings, _ = roster_drawing.in_page_language(roster.from_rows(rows), backend)
    as_of = values["asOf"]  # the date bound: "today" is already the day of the request
    viewpoint = roster.viewpoint_name(question, values["viewpoint"])
    picture = roster_drawing.standing_map(standings, as_of, viewpoint, request.script_root, settings.base_iri)
    every = cache.cached(("roster-checks", values["viewpoint"]), lambda: roster.every_count_check(
        question, backend, settings.base_iri, values["viewpoint"]))
    day = dt.date.fromisoformat(as_of)
    shown = [check for check in every if check.day <= day]
    listed, _ = roster_drawing.in_page_language([s for check in shown for s in check.listed_not_counted], backend)
    names = {s.state: s.label for s in listed}  # the states a source names, in the page's language
    linked = [(replace(check, listed_not_counted=tuple(replace(s, label=names[s.state]) for s in check.listed_not_counted)),
               view(NamedNode(check.count), {}, settings.base_iri, request.script_root).href) for check in shown]
    return RosterView(picture, roster.Tally.of(standings), viewpoint, linked)


def _roster_cell(variable: str, cell: TermView) -> TermView:
    """A cell of the roster's table as the map words it: a standing as the legend has it, not as the query's
    code (does-not-recognise), and the date of recognition (a text: its precision varies) as people write dates."""
    if variable == "standing" and (words := roster_drawing.STANDING_TEXT.get(cell.text)):
        return replace(cell, text=language.translate(words))
    if variable == "recognisedOn" and cell.text:
        return replace(cell, text=view_date(cell.text))
    return cell


def _answer(name: str) -> tuple[questions.Question, dict[str, str], QuerySolutions]:
    question = catalogue().get(name)
    if question is None:
        raise NotFound(f"there is no question {name!r}; the questions are listed at /questions")
    backend = state().backend
    given = {param.name: request.args.getlist(param.name) for param in question.params}
    values, bindings = question.bind(given, backend, state().settings.base_iri, named)
    return question, values, question.answer(backend, bindings)


def _alternates(name: str, values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each format's media type and URL for the same answer, by format name."""
    return {fmt: (media_type, url_for("questions.formatted", name=name, suffix=fmt, **values))
            for fmt, media_type in FORMATS.items()}


def results_table(solutions: QuerySolutions, backend, base_iri: str, root: str, limit: int, hide: Iterable[str] = ()
                  ) -> tuple[list[Column], list[list[TermView]], bool]:
    """Columns and at most ``limit`` rows ready for a table, and whether rows were left out.

    A ``?x`` column shows its ``?xLabel`` column's text: the label columns fold into the
    columns they name (the Wikidata convention); other resources are shown by the label the
    graph gives them. Columns named in ``hide`` are left out.
    """
    variables = [v.value for v in solutions.variables]
    labelled = {v for v in variables if v + "Label" in variables}
    folded = {v + "Label" for v in labelled}
    shown = [v for v in variables if v not in folded and v not in hide]
    solutions = list(islice(solutions, limit + 1))
    truncated = len(solutions) > limit
    solutions = solutions[:limit]
    tag = language.language()
    # Resources of a ?x column with an ?xLabel column too: the query's label is English; the page's
    # language, where the graph has it, comes from the labels looked up here.
    names = labels(backend, (row[v] for row in solutions for v in shown), tag)
    rows = []
    for row in solutions:
        cells = []
        for v in shown:
            label = row[v + "Label"] if v in labelled else None
            own = names
            if label is not None and isinstance(row[v], NamedNode) and not isinstance(names.get(row[v].value), str):
                own = Names({row[v].value: _marked(label, tag)}, summaries=names.summaries)
            cells.append(view(row[v], own, base_iri, root))
        rows.append(cells)
    return [Column(v, heading(v)) for v in shown], rows, truncated


def _marked(label, tag: str):
    """A label column's text as ``view`` takes it: plain if in the page's language, else the Literal (marked)."""
    if tag == "en" or not isinstance(label, Literal) or (label.language or "en") == tag:
        return label.value
    return label if label.language else Literal(label.value, language="en")


def choices(param: questions.Parameter, backend, base_iri: str) -> list[questions.Choice]:
    """A form's choices: resources by their name in the page's language where the graph has one (else
    English), in the order of those names, each name told apart from the others (``_told_apart``)."""
    if not param.takes_resource:
        return param.choices(backend, base_iri)
    tag = language.language()
    return cache.cached(("question-choices", param, tag), lambda: _named_choices(param, backend, base_iri, tag))


def _named_choices(param: questions.Parameter, backend, base_iri: str, tag: str) -> list[questions.Choice]:
    found = param.choices(backend, base_iri)
    iris = {c.value: _iri(param, c.value, base_iri) for c in found}
    names = labels(backend, (NamedNode(iri) for iri in iris.values()), tag)
    named = [questions.Choice(c.value, _text(names.get(iris[c.value], c.label))) for c in found]
    named.sort(key=lambda c: (c.label.casefold(), c.value))
    return _told_apart(named, {c.value: names.summaries.get(iris[c.value]) for c in found})


def _told_apart(found: list[questions.Choice], summaries: dict[str, str | None]) -> list[questions.Choice]:
    """The choices with no name twice, so that a name picked from a list gives one resource: where several
    bear a name, each is shown by its one-line summary instead, and where even those agree, with a number."""
    def shared(texts: list[str]) -> set[str]:
        return {key for key, times in Counter(_name_key(text) for text in texts).items() if times > 1}

    twice = shared([c.label for c in found])
    texts = [summaries[c.value] if _name_key(c.label) in twice and summaries[c.value] else c.label for c in found]
    twice, seen = shared(texts), {}
    numbered = []
    for text in texts:
        key = _name_key(text)
        seen[key] = seen.get(key, 0) + 1
        numbered.append(f"{text} ({seen[key]})" if key in twice else text)
    return [questions.Choice(c.value, text) for c, text in zip(found, numbered, strict=True)]


def named(param: questions.Parameter, name: str) -> list[questions.Choice]:
    """The resources ``param`` may take that are named ``name`` (case, accents and script aside): the
    choice the form offers by that name, else those the search index knows by it, in any language (among
    several, those the form offers)."""
    app_state = state()
    base_iri, key = app_state.settings.base_iri, _name_key(name)
    offered = choices(param, app_state.backend, base_iri)
    if chosen := [c for c in offered if _name_key(c.label) == key]:
        return chosen
    hits = app_state.search.search(name, kind=param.type if param.is_kind else None).hits
    found = {}
    for hit in hits:
        if _name_key(hit.matched) == key and (value := param.value_of(hit.iri, base_iri)) is not None:
            found.setdefault(value, questions.Choice(value, hit.label))
    values = {c.value for c in offered}
    return [c for c in found.values() if c.value in values] or list(found.values())


def _named_value(param: questions.Parameter, offered: list[questions.Choice], value: str) -> str:
    """How the form shows a resource parameter's value: its name among the choices, else its label."""
    text = next((c.label for c in offered if c.value == value), None)
    if text is None:
        iri = _iri(param, value, state().settings.base_iri)
        text = _text(labels(state().backend, [NamedNode(iri)], language.language()).get(iri, value))
    return text


def _iri(param: questions.Parameter, value: str, base_iri: str) -> str:
    return param.term(value, base_iri).value


def _text(name: str | Literal) -> str:
    return name.value if isinstance(name, Literal) else name


def _name_key(text: str) -> str:
    """A name as names are compared: folded as search folds it, spaces collapsed."""
    return " ".join(fold(text).split())


def heading(variable: str) -> str:
    """A column heading from a variable name: ``withdrawalDate`` → "Withdrawal date", ``inEU`` → "In EU"."""
    words = [w if w.isupper() and len(w) > 1 else w.lower() for w in _WORD.findall(variable)]
    text = " ".join(words) or variable
    return text[0].upper() + text[1:]


def _sources(rows: list[list[TermView]], backend, base_iri: str, root: str) -> list[Source]:
    """The sources the shown resources were derived from, each linked to its address (else its page)."""
    iris = sorted({cell.iri for row in rows for cell in row if cell.iri})
    if not iris:
        return []
    values = " ".join(str(NamedNode(iri)) for iri in iris)  # IRIs from the answer, serialised, not user text
    return [Source(row["title"].value, row["url"].value if row["url"] else view(row["source"], {}, base_iri, root).href,
                   quality.source_class(row["class"].value if row["class"] is not None else None))
            for row in backend.query(SOURCES_QUERY % values)]
