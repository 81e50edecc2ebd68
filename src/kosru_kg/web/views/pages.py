"""The home page (what the data set is, what it holds, where to go) and the timeline page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup
from pyoxigraph import Literal, NamedNode, Variable

from kosru_kg import clock, formats
from kosru_kg.config import Settings
from kosru_kg.query.backend import Backend
from kosru_kg.service import roster, void
from kosru_kg.vocab import ONTOLOGY_IRI, Minter, prologue
from kosru_kg.web import cache, language
from kosru_kg.web.middleware import whole_answers
from kosru_kg.web.render import pictures, terms
from kosru_kg.web.render import roster as roster_drawing
from kosru_kg.web.render.terms import TermView
from kosru_kg.web.state import state

blueprint = Blueprint("pages", __name__)

# Resources of the data set: IRIs under the base, but not the ontology's terms. ?base and
# ?ontology are bound by substitution, which pyoxigraph allows only for projected variables:
# hence they are projected and grouped by, though each has one value.
_OURS = "FILTER(STRSTARTS(STR(?s), ?base) && !STRSTARTS(STR(?s), ?ontology))"
TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS_QUERY = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
ENTITIES_QUERY = f"""SELECT ?base ?ontology (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class {_OURS} }}
GROUP BY ?base ?ontology"""
CLASSES_QUERY = f"""SELECT ?base ?ontology ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class {_OURS} }}
GROUP BY ?base ?ontology ?class ORDER BY DESC(?n) ?class"""
ARTICLES_QUERY = prologue("kosru", "dct", "schema") + """SELECT ?article ?title ?url WHERE {
  ?article a kosru:Article ; dct:title ?title .
  OPTIONAL { ?article schema:url ?url }
} ORDER BY ?article"""


@dataclass(frozen=True)
class Overview:
    """What the home page says about the graph."""

    triples: int
    graphs: list[tuple[str, int]]  # IRI of each named graph, and its triples
    entities: int
    classes: list[tuple[TermView, int]]
    articles: list[tuple[TermView, str | None]]  # the article's page here, and its address


def overview(backend: Backend, settings: Settings, root: str, tag: str = "en") -> Overview:
    ours = {Variable("base"): Literal(settings.base_iri), Variable("ontology"): Literal(ONTOLOGY_IRI)}
    graphs = [(row["graph"].value, int(row["n"].value)) for row in backend.query(GRAPHS_QUERY)]
    classes = [(row["class"], int(row["n"].value)) for row in backend.query(CLASSES_QUERY, substitutions=ours)]
    articles = list(backend.query(ARTICLES_QUERY))
    names = terms.labels(backend, [c for c, _ in classes], tag)
    names.update((row["article"].value, row["title"].value) for row in articles)

    def shown(term) -> TermView:
        return terms.view(term, names, settings.base_iri, root)

    return Overview(
        triples=_count(backend.query(TRIPLES_QUERY)),
        graphs=graphs,
        entities=_count(backend.query(ENTITIES_QUERY, substitutions=ours)),
        classes=[(shown(c), n) for c, n in classes],
        articles=[(shown(row["article"]), row["url"].value if row["url"] else None) for row in articles],
    )


@dataclass(frozen=True)
class Citation:
    """How to cite the served version: who, title, version, date, and the address of its dumps."""

    title: str
    version: str
    published: str | None  # the day it was first published (UTC), if the store recorded it
    address: str  # the version's Turtle dump, which never changes
    dataset: str  # the data set's IRI

    def text(self) -> str:
        year = f" ({self.published[:4]})" if self.published else ""
        date = f", {self.published}" if self.published else ""
        return f"kosru-kg contributors{year}. {self.title}, version {self.version}{date}. {self.address}"


def citation(settings: Settings, version: str) -> Citation:
    release = state().versions.find(version)
    dataset = Minter(settings.base_iri).dataset().value
    if release is None:  # served from elsewhere (a remote store) with no archive here: cite the data set
        return Citation(void.TITLE, version, None, dataset, dataset)
    whole_answers.names_the_host(request.environ)
    address = url_for("versions.download", version=version, name=formats.dump("turtle").file_name, _external=True)
    return Citation(void.TITLE, version, release.published[:10], address, dataset)


@blueprint.get("/")
def home():
    app_state = state()
    root = request.script_root
    tag = language.language()
    facts = cache.cached(("overview", root, tag), lambda: overview(app_state.backend, app_state.settings, root, tag))
    return render_template("pages/home.html", overview=facts, downloads=formats.DUMPS,
                           cite=citation(app_state.settings, app_state.backend.version),
                           timeline=pictures.picture("timeline"),
                           chart=pictures.picture("recognitions-per-year"), positions=todays_positions(),
                           parties=party_figures())


@dataclass(frozen=True)
class Positions:
    """Today's standings, withdrawals Kosovo's government denied not counted: the home page's map and its table."""

    map: Markup
    tally: roster.Tally
    rows: list[tuple[TermView, roster.Standing, str]]  # the state linked, its standing, its standing in words
    question: str  # where to choose another date or viewpoint


def todays_positions() -> Positions:
    """Drawn once a day per version: "today" moves, the standings only with a new claim's date."""
    app_state, root = state(), request.script_root
    settings = app_state.settings
    today = clock.today().isoformat()  # read here, not in compute: this answer is kept per day too

    def compute() -> Positions:
        question = app_state.questions[roster.QUESTION]
        values = {**roster.TODAY, "asOf": today}
        standings, names = roster_drawing.in_page_language(
            roster.standings(question, app_state.backend, settings.base_iri, values), app_state.backend)
        rows = [(terms.view(NamedNode(s.state), names, settings.base_iri, root), s, roster_drawing.detail(s))
                for s in standings]
        viewpoint = roster.viewpoint_name(question, values["viewpoint"])
        return Positions(roster_drawing.standing_map(standings, today, viewpoint, root, settings.base_iri),
                         roster.Tally.of(standings), rows, url_for("questions.page", name=roster.QUESTION, **values))

    return cache.cached(("todays-positions", today, root, language.language()), compute)


def party_figures() -> dict[str, roster.PartyFigure]:
    """The parties' own latest figures, by party and measure ("kosovo recognising", "serbia withdrawals")."""
    app_state = state()
    figures = cache.cached(("party-figures",), lambda: roster.party_figures(app_state.backend,
                                                                           app_state.settings.base_iri))
    return {f"{figure.party.rsplit('/', 1)[1]} {figure.measure.rsplit('/', 1)[1]}": figure for figure in figures}


@blueprint.get("/timeline")
def timeline():
    app_state = state()
    rows = [(entry, pictures.local_href(entry.iri, app_state.settings, request.script_root))
            for entry in pictures.served_timeline()]
    return render_template("pages/timeline.html", rows=rows, kinds=pictures.KINDS,
                           picture=pictures.picture("timeline"))


def _count(solutions) -> int:
    """The one count a query answers; a grouped count over nothing answers no row."""
    row = next(iter(solutions), None)
    return int(row["n"].value) if row else 0
