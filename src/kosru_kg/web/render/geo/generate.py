"""Build countries.json, the world map's geometry, from the npm package world-atlas (Natural Earth).

Run once when the source changes, never by the server (README.md beside this file says how):

    python generate.py PACKAGE_DIR [OUTPUT]

It decodes the TopoJSON, drops Antarctica, projects to Equal Earth with PROJ (pyproj) and rounds
to whole units of a map about WIDTH wide, so the server only joins ready-made path strings.
Shapes come from the 1:110m file (small enough for the page budget); each state the 1:110m file
leaves out gets a point, the centroid of its largest polygon at 1:10m, to be drawn as a circle.
Keys are ISO 3166-1 alpha-2 codes (pycountry, from the numeric ids), "XK" for Kosovo.
Needs the optional dependencies: ``pip install -e '.[geo]'``.
"""

from __future__ import annotations

import json
import sys
from itertools import accumulate
from pathlib import Path

import pycountry
from pyproj import Transformer

WIDTH = 2000  # map units across the whole Equal Earth world; coordinates are rounded to whole units (about 17 km)
FINE = 1000
ANTARCTICA = "010"
NAMED = {"Kosovo": "XK"}  # Natural Earth places without a numeric id that have a code of their own
PROJECTION = Transformer.from_crs("EPSG:4326", "+proj=eqearth +lon_0=0 +datum=WGS84", always_xy=True)


def main(package: Path, output: Path) -> None:
    version = json.loads((package / "package.json").read_text())["version"]
    east, _ = PROJECTION.transform(180, 0)
    scale = WIDTH / (2 * east)
    shapes, unkeyed, points = {}, [], {}
    for code, polygons in places(json.loads((package / "countries-110m.json").read_text()), scale):
        rings = [ring for polygon in polygons for ring in polygon if len(ring) >= 3]  # others are too small to see
        if rings and code is None:
            unkeyed.append(path(rings))
        elif rings:
            shapes[code] = path(rings)
    # Points at 1:10m, projected finer (FINE times) so that the smallest states keep a polygon.
    for code, polygons in places(json.loads((package / "countries-10m.json").read_text()), scale * FINE):
        if code is not None:
            x, y = centroid(polygons)
            points[code] = [round(x / FINE, 1), round(y / FINE, 1)]
    if missing := sorted(set(shapes) - set(points)):
        raise SystemExit(f"no point at 1:10m for {missing}")
    every = [xy for d in (*shapes.values(), *unkeyed) for xy in absolute(d)]
    left, top = min(x for x, _ in every) - 2, min(y for _, y in every) - 2
    right, bottom = max(x for x, _ in every) + 2, max(y for _, y in every) + 2
    data = {
        "source": f"world-atlas {version} (Natural Earth), countries-110m.json and countries-10m.json",
        "projection": "+proj=eqearth +lon_0=0 +datum=WGS84",
        "viewBox": [left, top, right - left, bottom - top],
        "shapes": dict(sorted(shapes.items())),
        "unkeyed": unkeyed,
        "points": dict(sorted(points.items())),
    }
    output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def places(topology: dict, scale: float):
    """(alpha-2 code or None, polygons as lists of rounded, projected rings) for each country but Antarctica.

    A ring can come out with fewer than three points when the place is small for the scale.
    """
    arcs = decode_arcs(topology)
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        if numeric == ANTARCTICA or geometry["type"] is None:
            continue
        country = pycountry.countries.get(numeric=numeric) if numeric else None
        code = country.alpha_2 if country else NAMED.get(geometry["properties"]["name"])
        shells = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        yield code, [[project(piece, scale) for indices in shell for piece in cut(ring(arcs, indices))]
                     for shell in shells]


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs in degrees: quantized positions are deltas from the previous one, then scaled and translated."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        xs = accumulate(x for x, _ in arc)
        ys = accumulate(y for _, y in arc)
        decoded.append([(x * sx + tx, y * sy + ty) for x, y in zip(xs, ys)])
    return decoded


def ring(arcs: list, indices: list[int]) -> list[tuple[float, float]]:
    """One closed ring from its arcs; ``~i`` (a negative index) is arc i reversed; shared end points kept once."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def cut(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian (Russia, Fiji) as pieces on either side of it.

    The ring is made continuous in longitude (it then runs past ±180°), and it and its copies shifted
    by ±360° are each clipped to -180°..180° (Sutherland–Hodgman); otherwise a line would cross the map.
    """
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    if all(-180 <= lon <= 180 for lon, _ in unwrapped):
        return [points]
    pieces = []
    for shift in (-360, 0, 360):
        piece = [(lon + shift, lat) for lon, lat in unwrapped]
        piece = clip(clip(piece, -180, 1), 180, -1)
        if len(piece) >= 3:
            pieces.append(piece)
    return pieces


def clip(points: list[tuple[float, float]], edge: float, side: int) -> list[tuple[float, float]]:
    """The ring's part where ``side * (lon - edge) >= 0``, closed along the meridian ``edge``."""
    out = []
    for (lon0, lat0), (lon1, lat1) in zip(points[-1:] + points[:-1], points):
        inside0, inside1 = side * (lon0 - edge) >= 0, side * (lon1 - edge) >= 0
        if inside0 != inside1:
            out.append((edge, lat0 + (lat1 - lat0) * (edge - lon0) / (lon1 - lon0)))
        if inside1:
            out.append((lon1, lat1))
    return out


def project(lonlat: list[tuple[float, float]], scale: float) -> list[tuple[int, int]]:
    """Equal Earth, y downwards, rounded to whole units; repeated points (after rounding) dropped."""
    xs, ys = PROJECTION.transform([p[0] for p in lonlat], [p[1] for p in lonlat])
    out: list[tuple[int, int]] = []
    for x, y in zip(xs, ys):
        point = (round(x * scale), round(-y * scale))
        if not out or out[-1] != point:
            out.append(point)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def path(rings: list[list[tuple[int, int]]]) -> str:
    """SVG path data: each ring an absolute move, then relative lines, closed."""
    parts = []
    for points in rings:
        (x0, y0), steps = points[0], []
        previous = points[0]
        for x, y in points[1:]:
            steps += [x - previous[0], y - previous[1]]
            previous = (x, y)
        parts.append(f"M{numbers([x0, y0])}l{numbers(steps)}z")
    return "".join(parts)


def numbers(values: list[int]) -> str:
    """Numbers joined with a space only where no minus sign separates them."""
    text = ""
    for value in values:
        text += str(value) if not text or value < 0 else f" {value}"
    return text


def absolute(d: str):
    """The points of a path written by path(), back in absolute units (for the bounds)."""
    for part in d.split("M")[1:]:
        start, _, rest = part.rstrip("z").partition("l")
        x, y = map(int, start.replace("-", " -").split())
        yield x, y
        values = [int(v) for v in rest.replace("-", " -").split()]
        for dx, dy in zip(values[::2], values[1::2]):
            x, y = x + dx, y + dy
            yield x, y


def centroid(polygons: list[list[list[tuple[int, int]]]]) -> tuple[float, float]:
    """The area centroid of the largest outer ring: where a marker or circle stands for the place."""
    best, best_area = polygons[0][0], 0.0
    for polygon in polygons:
        area = abs(signed_area(polygon[0]))
        if area > best_area:
            best, best_area = polygon[0], area
    if not best_area:  # a place too small for an area at this scale: the middle of its points
        return sum(x for x, _ in best) / len(best), sum(y for _, y in best) / len(best)
    a = signed_area(best)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(best, best[1:] + best[:1]):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * a), cy / (6 * a)


def signed_area(points: list[tuple[int, int]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1])) / 2


if __name__ == "__main__":
    here = Path(__file__).parent
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else here / "countries.json")
