"""A world map drawn on the server as one inline SVG: each state filled by its category, no script.

Its legend is an HTML list after the picture, not text inside it: the picture is scaled down to a
phone's width (a third of its size), its legend's text is not.

The geometry is ready-made (``geo/countries.json``, built by ``geo/generate.py`` from Natural
Earth, see ``geo/README.md``): Equal Earth paths keyed by ISO 3166-1 alpha-2, and a point for
every state, so states too small for the 1:110m shapes are drawn as circles.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from markupsafe import Markup, escape

from kosru_kg.web.i18n import N_
from kosru_kg.web.language import translate as gettext
from kosru_kg.web.render.svg import NAMESPACE, element

SCALE = 0.5  # picture pixels per map unit: the 1966-unit-wide map fills a picture about 1000 pixels wide
MARGIN = 8
NEUTRAL = "#d4d4d4"  # shapes with no entry
NEUTRAL_LABEL = N_("Not listed")
SWATCH = 14  # CSS pixels: a legend entry's colour sample
BORDER = "#ffffff"
MARK = "#111111"
DOT_RADIUS = 6  # map units: a state drawn as a circle
RING_RADIUS = 18  # map units: the ring around the marked state
_PATH_DATA = re.compile(r"[Mlz0-9 -]*")


@dataclass(frozen=True)
class MapEntry:
    alpha2: str          # ISO 3166-1 alpha-2, "XK" for Kosovo
    name: str            # label shown in the country's <title>
    href: str            # link to the country's page
    category: str        # key into the legend
    detail: str = ""     # one-line text alternative, e.g. "recognised on 17 February 2008"


@dataclass(frozen=True)
class LegendItem:
    category: str
    label: str
    colour: str   # CSS colour


@dataclass(frozen=True)
class Geometry:
    view_box: tuple[float, float, float, float]  # min x, min y, width, height in map units
    shapes: dict[str, Markup]  # alpha-2 → path data
    unkeyed: tuple[Markup, ...]  # shapes without a code of their own (e.g. Somaliland), always neutral
    points: dict[str, tuple[float, float]]  # alpha-2 → where a circle or the marker stands


@functools.cache
def geometry() -> Geometry:
    """The vendored geometry, read once per process; path data is checked to be digits and commands only,
    so it can go into the SVG unescaped."""
    text = resources.files("kosru_kg.web.render").joinpath("geo", "countries.json").read_text("utf-8")
    data = json.loads(text)

    def checked(d: str) -> Markup:
        if not _PATH_DATA.fullmatch(d):
            raise ValueError(f"unexpected path data in countries.json: {d[:40]!r}")
        return Markup(d)

    return Geometry(
        view_box=tuple(data["viewBox"]),
        shapes={code: checked(d) for code, d in data["shapes"].items()},
        unkeyed=tuple(checked(d) for d in data["unkeyed"]),
        points={code: (x, y) for code, (x, y) in data["points"].items()},
    )


def unplaced(entries: Sequence[MapEntry]) -> list[MapEntry]:
    """The entries the map cannot draw (no shape and no point for their code); world_map names them in its
    description, and a page may want to list them too."""
    known = geometry()
    return [e for e in entries if e.alpha2 not in known.shapes and e.alpha2 not in known.points]


def world_map(entries: Sequence[MapEntry], legend: Sequence[LegendItem], title: str, description: str,
              marked: str = "XK", marked_name: str = "Kosovo") -> str:
    """An inline <svg> world map: a linked shape (or circle) per entry filled by its category's colour,
    every other state grey, ``marked`` outlined and ringed; after it a legend (``<ul class="map-legend">``)
    with a count per category.

    Entries whose code the map does not know are left off the map and named in the description
    (``unplaced`` lists them); the legend counts every entry given. The result is Markup, so a
    template does not escape it again. A category missing from ``legend`` or a code given twice
    raises ValueError: either would make the map say something the data does not.
    """
    colours = {item.category: item.colour for item in legend}
    by_code: dict[str, MapEntry] = {}
    for entry in entries:
        if entry.category not in colours:
            raise ValueError(f"{entry.alpha2}: category {entry.category!r} is not in the legend")
        if entry.alpha2 in by_code:
            raise ValueError(f"{entry.alpha2} is given twice")
        by_code[entry.alpha2] = entry
    known = geometry()
    min_x, min_y, map_w, map_h = known.view_box
    dx, dy = MARGIN - min_x * SCALE, MARGIN - min_y * SCALE
    width = math.ceil(map_w * SCALE + 2 * MARGIN)

    def shape(code: str, d: Markup, extra: str = "") -> Markup:
        entry = by_code.get(code)
        if entry is None:
            return Markup(f'<path d="{d}" fill="{NEUTRAL}"{extra}/>')
        return _linked(entry, Markup(f'<path d="{d}" fill="{escape(colours[entry.category])}"{extra}/>'))

    drawn = [Markup(f'<path d="{d}" fill="{NEUTRAL}"/>') for d in known.unkeyed]
    drawn += [shape(code, d) for code, d in known.shapes.items() if code != marked]
    if marked in known.shapes:
        drawn.append(shape(marked, known.shapes[marked], f' stroke="{MARK}" stroke-width="2" class="marked"'))
    for code, entry in sorted(by_code.items()):
        if code not in known.shapes and code in known.points:
            x, y = known.points[code]
            drawn.append(_linked(entry, Markup(
                f'<circle cx="{x:g}" cy="{y:g}" r="{DOT_RADIUS}" fill="{escape(colours[entry.category])}"'
                f' stroke="{MARK}" stroke-width=".5"/>')))
    ringed = ""  # the marked state's name, once it has a ring: by its entry, else its code
    marker = Markup("")
    if marked in known.points:
        ringed = by_code[marked].name if marked in by_code else marked_name
        x, y = known.points[marked]
        drawn.append(element("circle", cx=x, cy=y, r=RING_RADIUS, fill="none", stroke=MARK, stroke_width=3,
                             class_="marker"))
        marker = element("text", ringed, x=dx + (x + RING_RADIUS) * SCALE + 3, y=dy + (y - RING_RADIUS) * SCALE,
                         font_size=12, font_weight="bold", stroke=BORDER, stroke_width=3, paint_order="stroke",
                         class_="marker-label")
    counts = Counter(entry.category for entry in entries)
    keys = [(item.colour, f"{item.label} ({counts[item.category]})") for item in legend]
    keys.append((NEUTRAL, gettext(NEUTRAL_LABEL)))
    height = math.ceil(map_h * SCALE + 2 * MARGIN)
    return element(
        "svg",
        element("title", title, id="worldmap-title"),
        element("desc", _description(description, ringed, unplaced(entries)), id="worldmap-desc"),
        element("g", *drawn, transform=f"translate({dx:g} {dy:g}) scale({SCALE:g})", stroke=BORDER,
                stroke_width=1, stroke_linejoin="round", fill_rule="evenodd", class_="countries"),
        marker,
        xmlns=NAMESPACE, viewBox=f"0 0 {width} {height}", width=width, height=height,
        font_family="system-ui, sans-serif", class_="picture worldmap", role="img",
        aria_labelledby="worldmap-title worldmap-desc") + _legend(keys, ringed)


def _linked(entry: MapEntry, shape: Markup) -> Markup:
    """``<a>`` with the entry's title around its shape. The per-state markup is written with escape() rather
    than element(): a full map has some 240 states, and element()'s Markup.format made most of the render time."""
    return Markup(f'<a href="{escape(entry.href)}"><title>{escape(_text(entry))}</title>{shape}</a>')


def _text(entry: MapEntry) -> str:
    """An entry's text alternative: its name, and its detail if any."""
    return f"{entry.name}: {entry.detail}" if entry.detail else entry.name


def _description(description: str, marked_name: str, missing: list[MapEntry]) -> str:
    """The caller's description, then what the marker shows and which entries are not drawn."""
    parts = [description.strip()]
    if marked_name:
        parts.append(gettext("%(name)s is outlined and ringed.", name=marked_name))
    if missing:
        parts.append(gettext("Not on the map: %(states)s.", states=", ".join(sorted(_text(e) for e in missing))))
    return " ".join(part for part in parts if part)


def _legend(keys: list[tuple[str, str]], marked_name: str) -> Markup:
    """Each colour's sample and text, and the ring's if a state is ringed, as a list that wraps like text."""
    def swatch(shape: Markup) -> Markup:
        return element("svg", shape, xmlns=NAMESPACE, width=SWATCH, height=SWATCH, viewBox="0 0 12 12",
                       aria_hidden="true")

    items = [element("li", swatch(element("rect", x=0.5, y=0.5, width=11, height=11, fill=colour, stroke="#666666")),
                     text) for colour, text in keys]
    if marked_name:
        items.append(element("li", swatch(element("circle", cx=6, cy=6, r=5, fill="none", stroke=MARK,
                                                  stroke_width=1.5)), marked_name))
    return element("ul", *items, class_="map-legend")
