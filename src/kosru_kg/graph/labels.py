"""Names of states in other languages, from the Unicode CLDR data that Babel ships: ``data/labels.csv``.

``write_cldr_labels(data_dir)`` (the ``kosru-kg cldr-labels`` command) writes, for every row
of ``entities.csv`` with an ISO 3166-1 alpha-2 code (and Kosovo, which CLDR names under the
user-assigned code ``XK``), the territory's name in Albanian, Serbian (Cyrillic and Latin) and
Russian, each citing the CLDR release as its source (a row of ``sources.csv`` it adds if
missing). English names stay those of ``entities.csv``. Rows of ``labels.csv`` from other
sources are kept as they are; the CLDR rows are rewritten, so the command can be run again
after states are added.

CLDR has both Serbian scripts. Where it gives only one, the other is derived by the standard
Serbian transliteration (``to_latin``/``to_cyrillic``) and the row says so in ``derived_from``;
no name is ever guessed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from babel import Locale
from babel.core import get_cldr_version

LANGUAGES = {"sq": "sq", "sr-Cyrl": "sr_Cyrl", "sr-Latn": "sr_Latn", "ru": "ru"}  # BCP 47 tag → Babel locale id
COLUMNS = ("entity", "language", "label", "source", "derived_from")
# Entities CLDR names though entities.csv gives them no ISO 3166-1 code: Kosovo is XK, a user-assigned code;
# CLDR's territory list also names the United Nations (UN) and the European Union (EU).
CLDR_CODES = {"kosovo": "XK", "united-nations": "UN", "european-union": "EU"}
CLDR_HOME = "https://cldr.unicode.org/"

_LATIN = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Ђ": "Đ", "Е": "E", "Ж": "Ž", "З": "Z", "И": "I",
    "Ј": "J", "К": "K", "Л": "L", "Љ": "Lj", "М": "M", "Н": "N", "Њ": "Nj", "О": "O", "П": "P", "Р": "R",
    "С": "S", "Т": "T", "Ћ": "Ć", "У": "U", "Ф": "F", "Х": "H", "Ц": "C", "Ч": "Č", "Џ": "Dž", "Ш": "Š",
}
_LATIN.update({k.lower(): v.lower() for k, v in list(_LATIN.items())})
_CYRILLIC_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
_CYRILLIC = {v: k for k, v in _LATIN.items() if len(v) == 1}


def to_latin(text: str) -> str:
    """Serbian Cyrillic to Latin script (the standard one-to-one correspondence; Љ Њ Џ → Lj Nj Dž).

    Only Serbian Cyrillic letters change: Latin text, digits, markup and placeholders are kept.
    A digraph is written all in capitals inside a word in capitals (ЉУБЉАНА → LJUBLJANA).
    """
    out = []
    for i, char in enumerate(text):
        latin = _LATIN.get(char)
        if latin is None:
            out.append(char)
            continue
        if len(latin) == 2 and char.isupper():
            neighbour = text[i + 1] if i + 1 < len(text) and text[i + 1].isalpha() else (text[i - 1] if i else "")
            if neighbour.isupper():
                latin = latin.upper()
        out.append(latin)
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Serbian Latin to Cyrillic script (lj, nj, dž as one letter each)."""
    out, i = [], 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair.lower() in _CYRILLIC_DIGRAPHS:
            letter = _CYRILLIC_DIGRAPHS[pair.lower()]
            out.append(letter.upper() if pair[0].isupper() else letter)
            i += 2
            continue
        out.append(_CYRILLIC.get(text[i], text[i]))
        i += 1
    return "".join(out)


def cldr_source() -> dict[str, str]:
    """The sources.csv row citing the CLDR release Babel ships."""
    version = get_cldr_version()
    return {
        "id": f"cldr-{version}", "kind": "reference-compilation", "title": f"Unicode CLDR {version}",
        "url": f"https://cldr.unicode.org/downloads/cldr-{version}", "part_of": "", "publisher": "Unicode Consortium",
        "published": "", "license": "https://www.unicode.org/license.txt", "source_class": "reference-source",
        "note": f"Common Locale Data Repository release {version} ({CLDR_HOME}), as shipped by the Babel library: "
                "the names of territories in each language.",
    }


def cldr_rows(entities: list[dict[str, str]]) -> list[dict[str, str]]:
    """labels.csv rows for the entities with a territory code, in every language of LANGUAGES."""
    source = cldr_source()["id"]
    locales = {tag: Locale.parse(locale_id) for tag, locale_id in LANGUAGES.items()}
    rows = []
    for entity in entities:
        code = (entity.get("iso3166") or "").strip() or CLDR_CODES.get(entity["id"])
        if not code:
            continue
        names = {tag: locale.territories.get(code) for tag, locale in locales.items()}
        derived = {}
        if names["sr-Latn"] is None and names["sr-Cyrl"]:
            names["sr-Latn"], derived["sr-Latn"] = to_latin(names["sr-Cyrl"]), "sr-Cyrl"
        if names["sr-Cyrl"] is None and names["sr-Latn"]:
            names["sr-Cyrl"], derived["sr-Cyrl"] = to_cyrillic(names["sr-Latn"]), "sr-Latn"
        rows.extend({"entity": entity["id"], "language": tag, "label": name, "source": source,
                     "derived_from": derived.get(tag, "")}
                    for tag, name in names.items() if name)
    return rows


def write_cldr_labels(data_dir: Path) -> tuple[int, str]:
    """Rewrite the CLDR rows of ``data_dir/labels.csv`` (keeping the others); returns (rows written, source id)."""
    data_dir = Path(data_dir)
    with (data_dir / "entities.csv").open(encoding="utf-8", newline="") as handle:
        entities = list(csv.DictReader(handle))
    source = cldr_source()
    labels_path = data_dir / "labels.csv"
    kept = []
    if labels_path.exists():
        with labels_path.open(encoding="utf-8", newline="") as handle:
            kept = [row for row in csv.DictReader(handle) if not row.get("source", "").startswith("cldr-")]
    rows = kept + cldr_rows(entities)
    rows.sort(key=lambda row: (row["entity"], list(LANGUAGES).index(row["language"])
                               if row["language"] in LANGUAGES else len(LANGUAGES), row["language"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in COLUMNS} for row in rows)
    labels_path.write_text(out.getvalue(), encoding="utf-8")
    _ensure_source(data_dir / "sources.csv", source)
    return len(rows) - len(kept), source["id"]


def _ensure_source(path: Path, source: dict[str, str]) -> None:
    """Append the CLDR release's row to sources.csv unless a row has its id (other rows are left byte for byte)."""
    text = path.read_text(encoding="utf-8")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if any(row.get("id") == source["id"] for row in reader):
            return
    line = io.StringIO()
    csv.DictWriter(line, fieldnames=header, lineterminator="\n").writerow({k: source.get(k, "") for k in header})
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line.getvalue(), encoding="utf-8")
