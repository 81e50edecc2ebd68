"""The pictures, drawn on the server as SVG so they need no script: a timeline and a chart.

Each picture is ``fn(backend, settings, root) -> Markup`` (``root`` prefixes local links);
``picture(name)`` gives the served version's picture, drawn once per version and language: its
titles, legends and dates are in the page's language; the events' names as the graph has them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from flask import request
from markupsafe import Markup
from pyoxigraph import Literal, NamedNode, Variable

from kosru_kg.config import Settings
from kosru_kg.query.backend import Backend
from kosru_kg.vocab import Minter, in_language, prologue
from kosru_kg.web import cache, language
from kosru_kg.web.i18n import N_
from kosru_kg.web.language import number as format_decimal
from kosru_kg.web.language import translate as gettext
from kosru_kg.web.language import translate_plural as ngettext
from kosru_kg.web.render import terms
from kosru_kg.web.render.svg import NAMESPACE, element
from kosru_kg.web.state import state

QUERY_PREFIXES = prologue("kosru", "rdfs", "dct")
# Every dated event (by its start or date, else by its end) and every dated statement.
TIMELINE_QUERY = QUERY_PREFIXES + f"""
SELECT DISTINCT ?item ?kind ?start ?end ?label ?speaker ?text ?language WHERE {{  # (bound terms projected)
  {{ ?item a/rdfs:subClassOf* kosru:Event .
    BIND(IF(EXISTS {{ ?item a/rdfs:subClassOf* kosru:SportingEvent }}, "sport",
         IF(EXISTS {{ ?item a/rdfs:subClassOf* kosru:CulturalEvent }}, "culture", "event")) AS ?kind) }}
  UNION {{ ?item a kosru:Statement . BIND("statement" AS ?kind) }}
  OPTIONAL {{ ?item kosru:startDate|kosru:date ?start }}
  OPTIONAL {{ ?item kosru:endDate ?end }}
  FILTER(BOUND(?start) || BOUND(?end))
  {in_language("?item", "rdfs:label", "label")}
  OPTIONAL {{ ?item kosru:speaker ?who {in_language("?who", "rdfs:label", "speaker")} }}
  OPTIONAL {{ ?item dct:description|kosru:paraphrase ?text }}
}}"""
# States counted in the year of their first dated claim of each position (as recognitions-per-year.rq).
PER_YEAR_QUERY = QUERY_PREFIXES + """
SELECT ?position ?year (COUNT(?state) AS ?count) WHERE {
  { SELECT ?state ?position (MIN(?date) AS ?first) WHERE {
      ?claim kosru:positionOf ?state ; kosru:claimedPosition ?position ; kosru:latestDate ?date .
    } GROUP BY ?state ?position }
} GROUP BY ?position (YEAR(?first) AS ?year)"""

KINDS = {  # timeline kinds in legend order: CSS class suffix → legend text (translated where shown)
    "event": N_("Political or diplomatic event"),
    "sport": N_("Sporting event"),
    "culture": N_("Cultural event"),
    "statement": N_("Statement"),
}
_DATE = re.compile(r"(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?")
FONT_WIDTH = 6.6  # rough width of a character at the pictures' font size, for layout only
MAX_LABEL = 72  # characters of a timeline label; the mark's title gives the whole label


# ---------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    iri: str
    name: str  # the graph's label, in the page's language where it has one; "" if it has none
    kind: str  # a key of KINDS
    start: Literal | None
    end: Literal | None
    description: str
    speaker: str = ""
    name_language: str = "en"  # the language the name (or the speaker's) is in

    @property
    def label(self) -> str:
        """What the timeline calls the entry, in the page's language around the graph's names."""
        if self.name:
            return self.name
        if self.speaker:
            return gettext("Statement by %(speaker)s", speaker=self.speaker)
        return self.iri

    @property
    def label_language(self) -> str | None:
        """The language of the graph's text in the label where it is not the page's (English), else None."""
        shown = (self.name or self.speaker) and self.name_language.lower() != language.language().lower()
        return self.name_language if shown else None

    @property
    def at(self) -> float:
        """Where the entry sits on the time axis, in years."""
        return decimal_year(self.start or self.end)

    @property
    def when(self) -> str:
        """The entry's dates as people write them."""
        if self.start and self.end:
            return f"{_date_text(self.start)} – {_date_text(self.end)}"
        if self.start:
            return _date_text(self.start)
        return gettext("ended %(date)s", date=_date_text(self.end))


def timeline_entries(backend: Backend, tag: str = "en") -> list[TimelineEntry]:
    """Every dated event and statement, in time order, named in the language ``tag`` where the graph can."""
    entries: dict[str, TimelineEntry] = {}
    for row in backend.query(TIMELINE_QUERY, substitutions={Variable("language"): Literal(tag)}):
        iri = row["item"].value
        named = row["label"] if row["label"] is not None else row["speaker"]
        entries.setdefault(iri, TimelineEntry(iri, _value(row["label"]), row["kind"].value, row["start"], row["end"],
                                              _value(row["text"]), _value(row["speaker"]),
                                              (named.language or "en") if named is not None else "en"))
    return sorted(entries.values(), key=lambda e: (e.at, e.name or e.speaker or e.iri))


def timeline_svg(backend: Backend, settings: Settings, root: str) -> Markup:
    """A vertical time axis with a mark per entry; labels are spread apart so none overlap."""
    entries = timeline_entries(backend, language.language())
    axis_x, label_x, top, per_year, line = 64, 96, 48, 34, 17
    shown = [e.label if len(e.label) <= MAX_LABEL else e.label[:MAX_LABEL - 1] + "…" for e in entries]
    longest = max((len(f"{e.when} {text}") for e, text in zip(entries, shown)), default=0)
    width = max(760, math.ceil(label_x + longest * FONT_WIDTH + 16))
    first = math.floor(min((e.at for e in entries), default=2008))
    last = math.floor(max((e.at for e in entries), default=first)) + 1

    def y(at: float) -> float:
        return top + (at - first) * per_year

    label_ys = spread([y(e.at) for e in entries], line, top)
    height = max([y(last), *label_ys]) + 24
    step = nice_step(last - first, 30)
    ticks = [element("g", element("line", x1=axis_x - 5, x2=axis_x, y1=y(year), y2=y(year)),
                     element("text", str(year), x=axis_x - 9, y=y(year) + 4, text_anchor="end"), class_="tick")
             for year in range(first, last + 1) if year % step == 0]
    marks = []
    for entry, text, label_y in zip(entries, shown, label_ys):
        marks.append(element(
            "a",
            element("title", f"{entry.label}, {entry.when}"),
            element("line", x1=axis_x, y1=y(entry.at), x2=label_x - 6, y2=label_y, class_="leader"),
            element("circle", cx=axis_x, cy=y(entry.at), r=5),
            element("text", element("tspan", entry.when, class_="when"), " ",
                    element("tspan", text, lang=entry.label_language), x=label_x, y=label_y + 4),
            href=local_href(entry.iri, settings, root), class_=f"mark kind-{entry.kind}"))
    kinds = [kind for kind in KINDS if any(e.kind == kind for e in entries)]
    return element(
        "svg",
        element("title", gettext("Timeline of Kosovo–Russia relations"), id="timeline-title"),
        element("desc", ngettext("%(num)d dated event or statement from %(first)s to %(last)s; each mark links to "
                                 "its page.", "%(num)d dated events and statements from %(first)s to %(last)s; "
                                 "each mark links to its page.", len(entries), first=first, last=last - 1),
                id="timeline-desc"),
        legend([(gettext(KINDS[k]), f"kind-{k}") for k in kinds], "circle"),
        element("line", x1=axis_x, x2=axis_x, y1=y(first), y2=y(last), class_="axis"),
        *ticks, *marks,
        xmlns=NAMESPACE, viewBox=f"0 0 {width} {height:.0f}", width=width, height=f"{height:.0f}",
        class_="picture timeline", aria_labelledby="timeline-title timeline-desc")


def decimal_year(date: Literal) -> float:
    """A date, month or year as a point in years, at the middle of the period it names."""
    year, month, day = _DATE.match(date.value).groups()
    if day:
        when = dt.date(int(year), int(month), int(day))
        days = (dt.date(int(year) + 1, 1, 1) - dt.date(int(year), 1, 1)).days
        return int(year) + (when.timetuple().tm_yday - 0.5) / days
    if month:
        return int(year) + (int(month) - 0.5) / 12
    return int(year) + 0.5


def spread(ideal: list[float], gap: float, top: float) -> list[float]:
    """Positions for labels wanted at ``ideal`` (ascending): at least ``gap`` apart, none above ``top``.

    Labels that would collide form a block centred on their wanted positions; blocks merge until none overlap.
    """
    blocks: list[list[float]] = []
    starts: list[float] = []
    for wanted in ideal:
        blocks.append([wanted])
        starts.append(max(top, wanted))
        while len(blocks) > 1 and starts[-2] + len(blocks[-2]) * gap > starts[-1]:
            merged = blocks[-2] + blocks.pop()
            starts.pop()
            blocks[-1] = merged
            starts[-1] = max(top, sum(merged) / len(merged) - (len(merged) - 1) * gap / 2)
    return [start + i * gap for start, block in zip(starts, blocks) for i in range(len(block))]


# ---------------------------------------------------------------------------
# Recognitions per year
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    position: str  # id of a concept of the kosovo-position scheme
    label: str  # translated where shown
    css_class: str

    def count(self, n: int) -> str:
        """``n`` of this series in words: "3 recognitions"."""
        if self.position == "recognised":
            return ngettext("%(num)d recognition", "%(num)d recognitions", n)
        return ngettext("%(num)d reported withdrawal", "%(num)d reported withdrawals", n)


SERIES = (
    Series("recognised", N_("Recognitions"), "bar-recognitions"),
    Series("withdrawal-reported", N_("Reported withdrawals"), "bar-withdrawals"),
)


def per_year(backend: Backend, settings: Settings) -> list[dict[int, int]]:
    """For each of SERIES, how many states' first claim of its position falls in each year."""
    minter = Minter(settings.base_iri)
    wanted = {minter.resource("concept", s.position).value: {} for s in SERIES}
    for row in backend.query(PER_YEAR_QUERY):
        counts = wanted.get(row["position"].value)
        if counts is not None and row["year"] is not None:
            counts[int(row["year"].value)] = int(row["count"].value)
    return list(wanted.values())


def recognitions_chart_svg(backend: Backend, settings: Settings, root: str) -> Markup:
    """Grouped bars per year: recognitions of Kosovo and the reported withdrawals of recognition."""
    counts = per_year(backend, settings)
    known = sorted({year for series in counts for year in series})
    years = list(range(known[0], known[-1] + 1)) if known else []
    width, height, left, right, top, bottom = 760, 320, 52, 12, 44, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((n for series in counts for n in series.values()), default=0)
    step = nice_step(peak, 5)
    y_max = max(step, step * math.ceil(peak / step))

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    grid = [element("g", element("line", x1=left, x2=width - right, y1=y(v), y2=y(v)),
                    element("text", str(v), x=left - 6, y=y(v) + 4, text_anchor="end"), class_="grid")
            for v in range(0, y_max + 1, step)]
    slot = plot_w / max(len(years), 1)
    bar = min(slot * 0.4, 22)
    every = math.ceil(34 / slot)
    year_labels = [element("text", str(year), x=left + slot * (i + 0.5), y=height - bottom + 16,
                           text_anchor="middle", class_="tick")
                   for i, year in enumerate(years) if i % every == 0]
    bars = []
    for k, (series, by_year) in enumerate(zip(SERIES, counts)):
        for i, year in enumerate(years):
            n = by_year.get(year, 0)
            if not n:
                continue
            x = left + slot * (i + 0.5) + (k - len(SERIES) / 2) * bar
            bars.append(element(
                "g",
                element("rect", element("title", f"{year}: {series.count(n)}"),
                        x=x, y=y(n), width=bar, height=y(0) - y(n)),
                element("text", format_decimal(n), x=x + bar / 2, y=y(n) - 3, text_anchor="middle", class_="count"),
                class_=f"bar {series.css_class}"))
    totals = [sum(c.values()) for c in counts]
    summary = "; ".join(s.count(total) for s, total in zip(SERIES, totals))
    if years:
        desc = gettext("Bar chart by year from %(first)s to %(last)s: %(summary)s.", first=years[0], last=years[-1],
                       summary=summary)
    else:
        desc = gettext("Bar chart by year: %(summary)s.", summary=summary)
    return element(
        "svg",
        element("title", gettext("Recognitions of Kosovo per year, and reported withdrawals"), id="recognitions-title"),
        element("desc", desc, id="recognitions-desc"),
        legend([(gettext(s.label), s.css_class) for s in SERIES], "rect"),
        *grid,
        # Starts at the picture's edge, not ends at the axis: a longer word (Russian "Государства") still fits.
        element("text", gettext("States"), x=8, y=top - 10, class_="axis-title"),
        *year_labels, *bars,
        element("line", x1=left, x2=width - right, y1=y(0), y2=y(0), class_="axis"),
        xmlns=NAMESPACE, viewBox=f"0 0 {width} {height}", width=width, height=height,
        class_="picture chart", role="img", aria_labelledby="recognitions-title recognitions-desc")


# ---------------------------------------------------------------------------
# Shared drawing and the served pictures
# ---------------------------------------------------------------------------

def legend(items: list[tuple[str, str]], swatch: str) -> Markup:
    """One row of (text, CSS class) entries along the top of a picture."""
    entries, x = [], 8
    for text, css_class in items:
        shape = (element("circle", cx=x + 5, cy=16, r=5) if swatch == "circle"
                 else element("rect", x=x, y=10, width=12, height=12))
        entries.append(element("g", shape, element("text", text, x=x + 18, y=20), class_=css_class))
        x += 36 + len(text) * FONT_WIDTH
    return element("g", *entries, class_="legend")


def nice_step(span: float, max_ticks: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that cuts ``span`` into at most ``max_ticks`` steps."""
    step = 1
    while span / step > max_ticks:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


PICTURES = {"timeline": timeline_svg, "recognitions-per-year": recognitions_chart_svg}
ANSWER_PICTURES = ("roster-map",)  # drawn from a question's own answer (views/questions.py), not from the graph


def picture(name: str) -> Markup:
    """The served graph's picture ``name``, drawn once per version, URL root and language."""
    app_state = state()
    root = request.script_root
    return cache.cached(("picture", name, root, language.language()), lambda: PICTURES[name](app_state.backend, app_state.settings, root))


def served_timeline() -> list[TimelineEntry]:
    """The served graph's timeline entries, read once per version and language."""
    tag = language.language()
    return cache.cached(("timeline", tag), lambda: timeline_entries(state().backend, tag))


def local_href(iri: str, settings: Settings, root: str) -> str:
    """Where a browser finds ``iri``: its page on this server if it is ours."""
    return terms.view(NamedNode(iri), {}, settings.base_iri, root).href


def _date_text(date: Literal) -> str:
    return terms.view(date, {}, "").text


def _value(literal) -> str:
    return literal.value if literal is not None else ""
