"""The roster drawn: the world map of standings as of a date, and a state's position over time.

Both pictures carry their text alternatives (a title per country or claim), and both stand
above a table of the same data on the page, so nothing is said by colour alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from markupsafe import Markup
from pyoxigraph import NamedNode

from kosru_kg.service.roster import Claim, Standing, Tally
from kosru_kg.web import language
from kosru_kg.web.i18n import N_
from kosru_kg.web.language import translate as gettext
from kosru_kg.web.language import translate_plural as ngettext
from kosru_kg.web.render import terms
from kosru_kg.web.render.svg import NAMESPACE, element
from kosru_kg.web.render.worldmap import LegendItem, MapEntry, world_map

# Each standing's legend text and colour (ColorBrewer-like, told apart without red/green).
LEGEND = (  # labels translated where shown
    LegendItem("recognises", N_("Recognises"), "#1f78b4"),
    LegendItem("recognises-withdrawal-disputed", N_("Recognises; a withdrawal was reported but does not count here"),
               "#a6cee3"),
    LegendItem("withdrawn", N_("Withdrawal reported and counted"), "#f4a259"),
    LegendItem("undated-recognition", N_("Recognised, no date found"), "#b2abd2"),
    LegendItem("does-not-recognise", N_("Does not recognise"), "#8c2d04"),
    LegendItem("no-position-found", N_("No position found"), "#f2f2f2"),
)
STANDING_TEXT = {item.category: item.label for item in LEGEND}
# The position strip: one colour per position concept (their English labels, as the data gives them).
POSITION_COLOURS = {
    "recognised": "#1f78b4", "recognition re-affirmed": "#1f78b4", "withdrawal reported": "#f4a259",
    "withdrawal denied": "#a6cee3", "does not recognise": "#8c2d04", "no position found": "#bbbbbb",
}
STRIP_START = 2008  # the year of the declaration: the strip's left edge
STRIP_WIDTH, STRIP_HEIGHT, STRIP_MARGIN = 720, 56, 12


def detail(standing: Standing) -> str:
    """A state's standing in words, for its title on the map and its row in the table."""
    text = gettext(STANDING_TEXT[standing.standing])
    if standing.recognised_on:
        text += " " + gettext("(recognition dated %(date)s)", date=terms.view_date(standing.recognised_on))
    return text


def in_page_language(standings: list[Standing], backend) -> tuple[list[Standing], terms.Names]:
    """The standings with each state named in the page's language where the graph names it so (the roster's
    query names them in English), in the query's order (counted first, then by name) by those names, and the
    names for ``terms.view``, which marks the English ones."""
    names = terms.labels(backend, [NamedNode(s.state) for s in standings], language.language())
    named = [replace(s, label=names[s.state]) if isinstance(names.get(s.state), str) else s for s in standings]
    return sorted(named, key=lambda s: (not s.counted, s.label.casefold())), names


def standing_map(standings: list[Standing], as_of: str, viewpoint: str, root: str, base_iri: str) -> Markup:
    """The world map of ``standings``: each state linked to its page, Kosovo ringed. ``viewpoint`` is the
    viewpoint's name (in English: translated here)."""
    tally = Tally.of(standings)
    entries = [MapEntry(s.code, s.label, terms.view(NamedNode(s.state), {}, base_iri, root).href, s.standing, detail(s))
               for s in standings if s.code]
    title = gettext("Recognition of Kosovo as of %(date)s", date=terms.view_date(as_of))
    description = gettext(
        "World map of each state's position on Kosovo as of %(date)s, under the viewpoint '%(viewpoint)s': "
        "%(all)s states and entities recognise Kosovo, %(un)s of them among the %(members)s UN members.",
        date=terms.view_date(as_of), viewpoint=gettext(viewpoint), all=tally.recognising,
        un=tally.un_recognising, members=tally.un_members)
    legend = [LegendItem(item.category, gettext(item.label), item.colour) for item in LEGEND]
    return world_map(entries, legend, title, description, marked_name=gettext("Kosovo"))


def position_strip(claims: list[Claim], state_label: str, root: str, base_iri: str, today: dt.date) -> Markup | None:
    """A state's dated claims as marks along the years since 2008, each titled by its summary and linked;
    None when no claim is dated, since an axis with no mark on it says nothing."""
    dated = [c for c in claims if c.latest is not None]
    if not dated:
        return None
    start = dt.date(min([STRIP_START, *(c.latest.year for c in dated)]), 1, 1)
    span = (dt.date(today.year + 1, 1, 1) - start).days
    inner = STRIP_WIDTH - 2 * STRIP_MARGIN

    def x(day: dt.date) -> float:
        return STRIP_MARGIN + inner * (day - start).days / span

    axis = [element("line", x1=STRIP_MARGIN, y1=30, x2=STRIP_WIDTH - STRIP_MARGIN, y2=30, stroke="#666666")]
    for year in range(start.year, today.year + 2, 2 if today.year - start.year < 30 else 5):
        tick = x(dt.date(year, 1, 1))
        axis += [element("line", x1=tick, y1=27, x2=tick, y2=33, stroke="#666666"),
                 element("text", str(year), x=tick, y=48, font_size=10, text_anchor="middle")]
    marks = []
    for row, claim in enumerate(dated):
        path = terms.local_path(claim.iri, base_iri)
        mark = element("circle", element("title", claim.summary), cx=x(claim.latest), cy=30 - 8 * (row % 3 - 1),
                       r=6, fill=POSITION_COLOURS.get(claim.position, "#bbbbbb"), stroke="#333333", stroke_width=0.8)
        marks.append(element("a", mark, href=root + path) if path else mark)
    undated = len(claims) - len(dated)
    description = ngettext("%(num)d dated claim about the position of %(state)s on Kosovo, from %(start)s to %(end)s.",
                           "%(num)d dated claims about the position of %(state)s on Kosovo, from %(start)s to %(end)s.",
                           len(dated), state=state_label, start=start.year, end=today.year)
    if undated:
        description += " " + ngettext("%(num)d undated claim is listed below.", "%(num)d undated claims are listed below.",
                                      undated)
    return element(
        "svg", element("title", gettext("The position of %(state)s on Kosovo over time", state=state_label),
                       id="strip-title"),
        element("desc", description, id="strip-desc"), *axis, *marks,
        xmlns=NAMESPACE, viewBox=f"0 0 {STRIP_WIDTH} {STRIP_HEIGHT}", width=STRIP_WIDTH, height=STRIP_HEIGHT,
        font_family="system-ui, sans-serif", class_="picture strip", role="img",
        aria_labelledby="strip-title strip-desc")
