"""The server-drawn world map: valid, linked, marked, explained by its legend, small and escaped."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from kosru_kg.web.render.worldmap import LegendItem, MapEntry, geometry, unplaced, world_map

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "src" / "kosru_kg" / "web" / "render" / "geo"
LEGEND = [LegendItem("yes", "Recognises Kosovo", "#1f5fa8"), LegendItem("no", "Does not recognise", "#c0392b"),
          LegendItem("none", "No position found", "#e0b040")]


def drawn(entries, legend=LEGEND, **kwargs) -> tuple[ET.Element, ET.Element]:
    """The map's <svg> and, after it, its legend's <ul> (both XML-valid markup)."""
    svg, key = ET.fromstring(f"<figure>{world_map(entries, legend, 'Positions on Kosovo', 'Each state.', **kwargs)}</figure>")
    return svg, key


def draw(entries, **kwargs) -> ET.Element:
    return drawn(entries, **kwargs)[0]


def legend_texts(key: ET.Element) -> list[str]:
    return ["".join(item.itertext()).strip() for item in key.iter("li")]


def every_code_entries() -> list[MapEntry]:
    """An entry for every place the map knows (about 240), categories taken in turn."""
    codes = sorted(set(geometry().shapes) | set(geometry().points))
    return [MapEntry(code, f"State {code}", f"/id/state/{code.lower()}", LEGEND[i % 3].category,
                     "recognised on 17 February 2008" if i % 3 == 0 else "")
            for i, code in enumerate(codes)]


def links(svg: ET.Element) -> dict[str, ET.Element]:
    return {a.get("href"): a for a in svg.iter(f"{SVG}a")}


def test_the_map_is_an_accessible_image_with_title_and_description():
    svg = draw([MapEntry("FR", "France", "/id/state/france", "yes")])
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Positions on Kosovo"
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}desc").text.startswith("Each state.")
    assert not list(svg.iter(f"{SVG}script"))


def test_every_entry_is_a_link_titled_with_its_name_and_detail_and_filled_by_its_category():
    entries = every_code_entries()
    svg = draw(entries)
    found = links(svg)
    colours = {item.category: item.colour for item in LEGEND}
    for entry in entries:
        a = found[entry.href]
        title = a.find(f"{SVG}title").text
        assert entry.name in title and entry.detail in title
        shape = a.find(f"{SVG}path") if entry.alpha2 in geometry().shapes else a.find(f"{SVG}circle")
        assert shape.get("fill") == colours[entry.category]
    assert found["/id/state/fr"].find(f"{SVG}title").text == "State FR: recognised on 17 February 2008"


def test_states_missing_from_the_small_scale_shapes_are_drawn_as_circles():
    svg = draw([MapEntry("TV", "Tuvalu", "/id/state/tuvalu", "no"),
                MapEntry("VA", "Holy See", "/id/state/holy-see", "none")])
    for href in ("/id/state/tuvalu", "/id/state/holy-see"):
        assert links(svg)[href].find(f"{SVG}circle") is not None


def test_shapes_without_an_entry_are_grey_and_not_linked():
    svg = draw([MapEntry("FR", "France", "/id/state/france", "yes")])
    assert list(links(svg)) == ["/id/state/france"]
    countries = svg.find(f"{SVG}g[@class='countries']")
    grey = countries.findall(f"{SVG}path")  # linked shapes sit inside <a>
    assert len(grey) == len(geometry().shapes) + len(geometry().unkeyed) - 1
    assert {p.get("fill") for p in grey} == {"#d4d4d4"}


def test_unknown_codes_are_left_off_the_map_and_named_in_the_description():
    entries = [MapEntry("FR", "France", "/id/state/france", "yes"),
               MapEntry("", "Sovereign Military Order of Malta", "/id/state/smom", "yes", "recognised in 2009"),
               MapEntry("QQ", "Nowhere", "/id/state/nowhere", "no")]
    assert unplaced(entries) == entries[1:]
    svg = draw(entries)
    assert set(links(svg)) == {"/id/state/france"}
    assert svg.find(f"{SVG}desc").text.endswith(
        "Not on the map: Nowhere, Sovereign Military Order of Malta: recognised in 2009.")


def test_kosovo_is_outlined_ringed_labelled_and_named_in_the_description():
    svg = draw([MapEntry("XK", "Kosovo", "/id/state/kosovo", "yes"),
                MapEntry("RS", "Serbia", "/id/state/serbia", "no")])
    kosovo = links(svg)["/id/state/kosovo"].find(f"{SVG}path")
    assert kosovo.get("class") == "marked" and float(kosovo.get("stroke-width")) > 1
    assert svg.find(f".//{SVG}circle[@class='marker']") is not None
    assert svg.find(f"{SVG}text[@class='marker-label']").text == "Kosovo"
    assert "Kosovo is outlined and ringed." in svg.find(f"{SVG}desc").text


def test_another_state_can_be_marked():
    svg = draw([MapEntry("RS", "Serbia", "/id/state/serbia", "no")], marked="RS")
    assert links(svg)["/id/state/serbia"].find(f"{SVG}path").get("class") == "marked"
    assert "Serbia is outlined and ringed." in svg.find(f"{SVG}desc").text


def test_the_legend_lists_each_category_with_its_count_in_html_after_the_map():
    """HTML, not text in the picture: the picture is scaled down to a phone's width, the legend is not."""
    entries = every_code_entries()
    counts = Counter(e.category for e in entries)
    svg, key = drawn(entries)
    assert key.tag == "ul" and key.get("class") == "map-legend"
    assert legend_texts(key) == [f"{item.label} ({counts[item.category]})" for item in LEGEND] + ["Not listed", "State XK"]
    swatches = [r.get("fill") for r in key.iter(f"{SVG}rect")]
    assert swatches[:3] == [item.colour for item in LEGEND]
    assert not [t.text for t in svg.iter(f"{SVG}text") if t.get("class") != "marker-label"]


def test_an_empty_category_is_counted_as_zero():
    _, key = drawn([MapEntry("FR", "France", "/id/state/france", "yes")])
    assert "Does not recognise (0)" in legend_texts(key)


def test_a_category_outside_the_legend_or_a_repeated_code_is_refused():
    with pytest.raises(ValueError, match="not in the legend"):
        draw([MapEntry("FR", "France", "/id/state/france", "maybe")])
    with pytest.raises(ValueError, match="twice"):
        draw([MapEntry("FR", "France", "/a", "yes"), MapEntry("FR", "France", "/b", "no")])


def test_text_is_escaped():
    name = 'A&B <x> "q"'
    output = world_map([MapEntry("FR", name, "/id/state/a&b?x=<1>", "yes", "detail & <more>")],
                       [LegendItem("yes", "<Yes> & co", "#123456")], "T & <t>", "D & <d>")
    svg, key = ET.fromstring(f"<figure>{output}</figure>")
    assert "<x>" not in output and "<Yes>" not in output
    a = links(svg)["/id/state/a&b?x=<1>"]
    assert a.find(f"{SVG}title").text == 'A&B <x> "q": detail & <more>'
    assert svg.find(f"{SVG}title").text == "T & <t>"
    assert svg.find(f"{SVG}desc").text.startswith("D & <d>")
    assert "<Yes> & co (1)" in legend_texts(key)


def test_a_full_map_is_small_fast_and_the_same_every_time():
    """Fast: the geometry is read once per process, not per render (counted, not timed: a busy machine
    would fail a time limit; a render takes about 2 ms once the geometry is read)."""
    entries = every_code_entries()
    assert len(entries) >= 200
    world_map(entries, LEGEND, "T", "D")
    reads = geometry.cache_info().misses
    first = world_map(entries, LEGEND, "T", "D")
    assert len(first.encode()) < 200_000
    assert world_map(list(reversed(entries)), LEGEND, "T", "D") == first
    assert geometry.cache_info().misses == reads == 1


def test_the_vendored_data_has_its_licence_and_provenance_and_ships_in_the_wheel():
    assert "Michael Bostock" in (GEO / "LICENSE").read_text()
    readme = (GEO / "README.md").read_text()
    assert "world-atlas" in readme and "Natural Earth" in readme and "public domain" in readme
    data = json.loads((GEO / "countries.json").read_text())
    assert {"XK", "RS", "FR", "US"} <= set(data["shapes"]) and "AQ" not in data["shapes"]
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for name in ("countries.json", "LICENSE", "README.md"):
        assert f"web/render/geo/{name}" in package_data["kosru_kg"]
