"""The roster of positions on Kosovo as pages need it: who stands where as of a date, under a viewpoint.

The rules are not here: they are the plain SPARQL of ``queries/recognitions-as-of.rq``
(documented in ``docs/data-model.md``), so that a page, the question's JSON and a user of
``/sparql`` get the same answer. This module runs that question, sets its counts beside the
dated counts the sources give (differences shown, never hidden), and lists one state's
claims for the timeline strip of its page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Variable

from kosru_kg.graph.facts import Date
from kosru_kg.graph.mapping import latest_day
from kosru_kg.query.backend import Backend
from kosru_kg.service.questions import Question
from kosru_kg.vocab import SUMMARY, Minter, in_language, prologue, truth

QUESTION = "recognitions-as-of"  # the question whose answer the map draws
TODAY = {"asOf": "today", "viewpoint": "kosovo-government"}  # the home page's map
VIEWPOINTS = ("every-withdrawal", "kosovo-government", "source-dates")  # the values of ?viewpoint

# Exact counts of recognising states with a date (?recognising and ?exact: the concepts, bound).
DATED_COUNTS = prologue("kosru", "rdfs", "prov", "dct", "schema") + """
SELECT ?recognising ?exact ?count ?label ?value ?asOf ?scope ?source ?title ?url ?class WHERE {
  ?count kosru:measure ?recognising ; kosru:valueQualifier ?exact ; kosru:value ?value ; kosru:asOf ?asOf ;
    rdfs:label ?label ; prov:wasDerivedFrom ?source .
  ?source dct:title ?title .
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source kosru:sourceClass ?class }
  OPTIONAL { ?count kosru:scope ?scope }
} ORDER BY STR(?asOf) ?count ?title"""
# The states each source says recognise Kosovo: a source that lists them (a ministry's list, a
# dated list page) names the states behind its count.
LISTED = prologue("kosru", "prov") + """
SELECT DISTINCT ?source ?state ?kosovo ?recognised ?reaffirmed WHERE {  # (bound terms projected, as pyoxigraph requires)
  ?claim kosru:positionOf ?state ; kosru:recognitionOf ?kosovo ; kosru:claimedPosition ?position ;
    prov:wasDerivedFrom ?source .
  FILTER(?position IN (?recognised, ?reaffirmed))
}"""
# The parties' own figures: the counts a party put forward about Kosovo (all states, no scope).
PARTY_COUNTS = prologue("kosru", "prov", "dct") + """
SELECT ?count ?party ?measure ?value ?asOf ?verification ?source ?publisher ?kosovo ?exact WHERE {  # (bound terms projected)
  ?count kosru:claimedBy ?party ; kosru:countSubject ?kosovo ; kosru:measure ?measure ; kosru:value ?value ;
    kosru:valueQualifier ?exact ; kosru:asOf ?asOf ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?source dct:publisher ?publisher }
  OPTIONAL { ?count kosru:verification ?verification }
  FILTER NOT EXISTS { ?count kosru:scope ?scope }
} ORDER BY ?count ?source"""
# A claim's label and summary in ?language where the build wrote them in it, else in English (the label
# service's rule); ?position stays the concept's English label, which the code compares.
CLAIMS = prologue("kosru", "rdfs", "skos") + f"""
SELECT ?state ?claim ?position ?label ?date ?latest ?summary ?verification ?language WHERE {{  # (bound terms projected)
  ?claim kosru:positionOf ?state ; kosru:claimedPosition ?concept .
  ?concept skos:prefLabel ?position . FILTER(LANGMATCHES(LANG(?position), "en"))
  {in_language("?claim", "rdfs:label", "label")}
  OPTIONAL {{ ?claim kosru:date ?date ; kosru:latestDate ?latest }}
  OPTIONAL {{ ?claim kosru:verification ?verification }}
  {in_language("?claim", str(SUMMARY), "summary")}
}} ORDER BY STR(?latest) ?claim"""


@dataclass(frozen=True)
class Standing:
    """One state's standing as of the question's date, under its viewpoint."""

    state: str  # IRI
    label: str
    code: str | None  # ISO 3166-1 alpha-2
    standing: str  # the question's ?standing (recognises, withdrawn, …: the map's legend lists them all)
    counted: bool
    un_member: bool
    recognised_on: str | None  # the earliest recognition counting as of the date (xsd:date text)


@dataclass(frozen=True)
class Tally:
    """How many recognise, in all and among UN members, from a list of standings."""

    recognising: int
    un_recognising: int
    un_members: int

    @classmethod
    def of(cls, standings: list[Standing]) -> Tally:
        return cls(sum(s.counted for s in standings), sum(s.counted and s.un_member for s in standings),
                   sum(s.un_member for s in standings))


@dataclass(frozen=True)
class CountCheck:
    """A count a source gives for a date, beside what the roster gives for that date and scope."""

    count: str  # the count's IRI
    label: str
    as_of: str  # the count's date as written (day, month or year)
    stated: int
    un_only: bool
    roster: int
    sources: tuple[tuple[str, str | None], ...]  # (title, address)
    source_classes: tuple[str | None, ...] = ()  # each source's class concept (IRI), in the same order
    named: int = 0  # how many states of the count's scope its sources name as recognising (in the data)
    # Where the sources name at least as many states as they count, the states that make the difference:
    counted_not_listed: tuple[Standing, ...] = ()  # the roster counts them; the sources do not name them
    listed_not_counted: tuple[Standing, ...] = ()  # the sources name them; the roster does not count them (why: .standing)

    @property
    def traced(self) -> bool:
        """Whether the difference is traced to states: only a list as long as the count can be."""
        return self.named >= self.stated

    @property
    def difference(self) -> int:
        return self.roster - self.stated

    @property
    def day(self) -> dt.date:
        """The last day the count's date can denote: from then on it can be compared."""
        return _day(self.as_of)


@dataclass(frozen=True)
class PartyFigure:
    """The latest figure a party put forward about Kosovo for one measure, as that party counts."""

    party: str  # the party's IRI
    measure: str  # the measure's IRI (recognising, withdrawals)
    value: int
    as_of: str  # as written (day, month or year)
    unverified: bool
    publishers: tuple[str, ...]  # who reported it


@dataclass(frozen=True)
class Claim:
    """One claim of a state's position, for its timeline strip."""

    iri: str
    position: str  # the concept's English label
    label: str
    date: str | None  # as written
    latest: dt.date | None
    summary: str
    unverified: bool = False  # marked unverified (always so when its only sources are weak)


def viewpoint_name(question: Question, viewpoint: str) -> str:
    """A viewpoint's name as the question's file gives it (English), never its slug."""
    return next(p for p in question.params if p.name == "viewpoint").value_label(viewpoint)


def standings(question: Question, backend: Backend, base_iri: str, values: Mapping[str, str]) -> list[Standing]:
    """The question's answer for ``values`` (``asOf``, ``viewpoint``), one Standing per state."""
    _, bindings = question.bind({name: [value] for name, value in values.items()}, backend, base_iri)
    return from_rows(question.answer(backend, bindings))


def from_rows(rows) -> list[Standing]:
    """Standings from the solutions of the roster question."""
    def text(row, name):
        return row[name].value if row[name] is not None else None
    return [Standing(row["state"].value, row["stateLabel"].value, text(row, "code"), row["standing"].value,
                     truth(row["counted"]), truth(row["inUN"]), text(row, "recognisedOn"))
            for row in rows]


def count_checks(question: Question, backend: Backend, base_iri: str, viewpoint: str, as_of: dt.date
                 ) -> list[CountCheck]:
    """Each dated count of recognising states up to ``as_of`` (all states, or UN members only),
    beside the roster's count for the same date, scope and viewpoint."""
    return [check for check in every_count_check(question, backend, base_iri, viewpoint) if check.day <= as_of]


def every_count_check(question: Question, backend: Backend, base_iri: str, viewpoint: str) -> list[CountCheck]:
    """``count_checks`` for every date: one roster query per dated count, the same for any page of a version,
    so that a page computes them once per viewpoint, whatever its date."""
    minter = Minter(base_iri)
    concepts = {Variable("recognising"): minter.resource("concept", "recognising"),
                Variable("exact"): minter.resource("concept", "exact")}
    found: dict[str, dict] = {}
    for row in backend.query(DATED_COUNTS, substitutions=concepts):
        scope = row["scope"].value if row["scope"] is not None else None
        if scope is not None and not scope.endswith("/united-nations"):
            continue  # counts among EU, NATO… members: the roster keeps no such membership dates
        check = found.setdefault(row["count"].value, {
            "label": row["label"].value, "as_of": row["asOf"].value, "stated": int(row["value"].value),
            "un_only": scope is not None, "sources": [], "classes": [], "source_iris": []})
        check["sources"].append((row["title"].value, row["url"].value if row["url"] is not None else None))
        check["source_iris"].append(row["source"].value)
        check["classes"].append(row["class"].value if row["class"] is not None else None)
    listed = _listed(backend, minter)
    checks, standings_on = [], {}  # one roster query per date: counts in all and among UN members share one
    for iri, check in found.items():
        day = _day(check["as_of"])
        if day not in standings_on:
            standings_on[day] = standings(question, backend, base_iri, {"asOf": day.isoformat(), "viewpoint": viewpoint})
        scoped = [s for s in standings_on[day] if s.un_member or not check["un_only"]]
        roster = sum(s.counted for s in scoped)
        named = set().union(*(listed.get(source, set()) for source in check["source_iris"]))
        named_here = [s for s in scoped if s.state in named]
        traced = len(named_here) >= check["stated"]
        checks.append(CountCheck(
            iri, check["label"], check["as_of"], check["stated"], check["un_only"], roster,
            tuple(check["sources"]), tuple(check["classes"]), named=len(named_here),
            counted_not_listed=tuple(s for s in scoped if s.counted and s.state not in named) if traced else (),
            listed_not_counted=tuple(s for s in named_here if not s.counted) if traced else ()))
    return checks


def party_figures(backend: Backend, base_iri: str) -> list[PartyFigure]:
    """Each party's latest exact figure per measure (recognising states, withdrawals), newest date last."""
    minter = Minter(base_iri)
    bound = {Variable("kosovo"): minter.resource("state", "kosovo"), Variable("exact"): minter.resource("concept", "exact")}
    found: dict[str, dict] = {}
    for row in backend.query(PARTY_COUNTS, substitutions=bound):
        entry = found.setdefault(row["count"].value, {
            "party": row["party"].value, "measure": row["measure"].value,
            "value": int(row["value"].value), "as_of": row["asOf"].value,
            "unverified": row["verification"] is not None and row["verification"].value.endswith("/unverified"),
            "publishers": []})
        if row["publisher"] is not None and row["publisher"].value not in entry["publishers"]:
            entry["publishers"].append(row["publisher"].value)
    latest: dict[tuple[str, str], PartyFigure] = {}
    for entry in found.values():
        figure = PartyFigure(**{**entry, "publishers": tuple(entry["publishers"])})
        key = (figure.party, figure.measure)
        if key not in latest or _day(figure.as_of) > _day(latest[key].as_of):
            latest[key] = figure
    return sorted(latest.values(), key=lambda figure: (figure.party, figure.measure))


def _day(written: str) -> dt.date:
    """The last day a date of any precision can denote (2012 -> 2012-12-31)."""
    return dt.date.fromisoformat(latest_day(Date(written)))


def _listed(backend: Backend, minter: Minter) -> dict[str, set[str]]:
    """Each source's IRI → the states it says recognise Kosovo (by a recognition or a re-affirmation)."""
    bound = {Variable(name): minter.resource("concept", name) for name in ("recognised", "reaffirmed")}
    bound[Variable("kosovo")] = minter.resource("state", "kosovo")
    found: dict[str, set[str]] = {}
    for row in backend.query(LISTED, substitutions=bound):
        found.setdefault(row["source"].value, set()).add(row["state"].value)
    return found


def claims(backend: Backend, state: NamedNode, language: str = "en") -> list[Claim]:
    """Every claim of ``state``'s position on Kosovo, dated ones in date order, undated last; labels and
    summaries in ``language`` (a BCP 47 tag) where the graph has them, else in English."""
    rows = backend.query(CLAIMS, substitutions={Variable("state"): state, Variable("language"): Literal(language)})

    def latest(value: Literal | None) -> dt.date | None:
        return dt.date.fromisoformat(value.value) if value is not None else None

    found = [Claim(row["claim"].value, row["position"].value, row["label"].value,
                   row["date"].value if row["date"] is not None else None, latest(row["latest"]),
                   row["summary"].value if row["summary"] is not None else row["label"].value,
                   row["verification"] is not None and row["verification"].value.endswith("/unverified"))
             for row in rows]
    return sorted(found, key=lambda c: (c.latest is None, c.latest or dt.date.min, c.iri))
