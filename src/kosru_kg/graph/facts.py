"""Reading ``data/``: CSV rows into typed records, every error naming file, row and field.

The tables below are the schema of the source facts (documented for editors in
``docs/data-model.md``). Reading happens in two passes: each row is typed on its
own, then every reference is resolved against the whole data set, so an error
report lists every problem at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from kosru_kg.vocab import SLUG

QID = re.compile(r"^Q[1-9][0-9]*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ISO_CODES = {
    "iso3166": (r"^[A-Z]{2}$", "a two-letter ISO 3166 code"),
    "iso3166-alpha3": (r"^[A-Z]{3}$", "a three-letter ISO 3166 code"),
    "iso3166-numeric": (r"^[0-9]{3}$", "a three-digit ISO 3166 numeric code"),
}
DATE_FORMS = {4: "year", 7: "month", 10: "day"}
ENTITIES = ("entities",)
EVENTS = ("events", "sporting_events", "matches")
SPORT = ("sporting_events", "matches")


@dataclass(frozen=True)
class Field:
    """One column: its kind, whether it is required, and what it may refer to."""

    name: str
    kind: str = "text"
    required: bool = False
    targets: tuple[str, ...] = ()  # tables a ref may point to
    scheme: str | None = None  # concept scheme for concept refs
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Ref:
    """A reference to the row ``ident`` of one of ``tables``; resolved in pass two."""

    tables: tuple[str, ...]
    ident: str


@dataclass(frozen=True)
class Date:
    """An ISO date of year, month or day precision, as written."""

    text: str

    @property
    def precision(self) -> str:
        return DATE_FORMS[len(self.text)]


@dataclass
class Record:
    table: str
    row: int
    values: dict[str, object]

    @property
    def id(self) -> str:
        return self.values["id"]

    def get(self, name: str, default=None):
        return self.values.get(name, default)


@dataclass(frozen=True)
class DataError:
    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class FactsError(Exception):
    """The data set has errors; each names its file, row and field."""

    def __init__(self, errors: list[DataError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _ref(name, *targets, required=False, many=False):
    return Field(name, "refs" if many else "ref", required, targets=targets or ENTITIES)


def _concept(name, scheme, required=False, many=False):
    return Field(name, "concepts" if many else "concept", required, targets=("concepts",), scheme=scheme)


def _fact_table(name, *columns):
    """A table of facts: an id, a source, an optional note and verification."""
    common = (
        Field("id", "id", True),
        Field("sources", "sources", True),
        Field("note"),
        _concept("verification", "verification"),
    )
    return Table(name, common + columns)


ENTITY_TYPES = (
    "State", "PartiallyRecognisedState", "InternationalOrganization", "Organ", "Mission",
    "SportsFederation", "NewsMedium", "Person", "City", "Region", "Venue", "Team",
    "CompetitionSeries", "MusicalWork", "Document", "SovereignEntity",
)
EVENT_TYPES = (
    "War", "MilitaryIntervention", "InternationalAdministration", "DeclarationOfIndependence",
    "Agreement", "RecognitionOfIndependence", "DraftResolution", "Decision", "Election",
    "Performance", "Ceremony",
)
LABEL_LANGUAGES = ("sq", "sr-Cyrl", "sr-Latn", "ru")  # English names are the entities' own labels
# Which script a label in each language must be written in (a name in the wrong script is an error).
SCRIPTS = {"sr-Cyrl": "cyrillic", "ru": "cyrillic", "sr-Latn": "latin", "sq": "latin"}
SOURCE_KINDS = ("article", "article-section", "web-page", "repository-file", "reference-compilation")

TABLES: tuple[Table, ...] = (
    Table("sources", (
        Field("id", "id", True),
        Field("kind", "choice", True, choices=SOURCE_KINDS),
        Field("title", "text", True),
        Field("url", "iri"),
        Field("part_of", "ref", targets=("sources",)),
        Field("publisher"),
        Field("published", "date"),
        Field("license", "iri"),
        Field("oldid", "int"),
        Field("language", "language"),
        Field("as_of", "date"),
        _concept("source_class", "source-class", required=True),  # official, news, reference or weak
        Field("note"),
    )),
    Table("concepts", (
        Field("id", "id", True),
        Field("scheme", "slug", True),
        Field("label", "text", True),
        Field("definition", "text", True),
        Field("exact_match", "iri"),
    )),
    Table("wikidata", (
        Field("label", "text", True),
        Field("wikidata", "qidlist", True),
        Field("source", "text", True),
    )),
    _fact_table(
        "entities",
        Field("type", "choice", True, choices=ENTITY_TYPES),
        Field("label", "text", True),
        Field("alt_labels", "texts"),
        Field("description"),
        Field("wikidata", "qid"),
        Field("iso3166", "iso3166"),
        Field("iso_alpha3", "iso3166-alpha3"),
        Field("iso_numeric", "iso3166-numeric"),
        _concept("iso_status", "iso-code-status"),
        _ref("country"),
        _ref("part_of"),
    ),
    _fact_table(
        "roles",
        Field("label", "text", True),
        _ref("person", required=True),
        _concept("role", "role", required=True),
        _ref("on_behalf_of"),
        _ref("posted_to"),
        Field("start", "date"),
        Field("end", "date"),
    ),
    _fact_table(
        "memberships",
        _ref("member", required=True),
        _ref("organization", required=True),
        _concept("status", "membership-status", required=True),
        Field("veto_power", "bool"),
        Field("since", "date"),
    ),
    _fact_table(
        "positions",
        _ref("state", required=True),
        _ref("recognition_of", required=True),  # the state whose recognition the claim is about (Kosovo)
        _concept("position", "kosovo-position", required=True),
        Field("date", "date"),
        _ref("by"),
    ),
    _fact_table(
        "counts",
        _concept("measure", "count-measure", required=True),
        _ref("subject", required=True),
        Field("value", "int", True),
        _concept("qualifier", "count-qualifier", required=True),
        Field("out_of", "int"),
        _ref("scope"),
        Field("as_of", "date"),
        _ref("claimed_by"),
    ),
    _fact_table(
        "events",
        Field("type", "choice", True, choices=EVENT_TYPES),
        Field("label", "text", True),
        Field("description", "text", True),
        Field("start", "date"),
        Field("end", "date"),
        _ref("place", many=True),
        _ref("agents", many=True),
        _ref("participants", many=True),
        _ref("broker", many=True),
        _ref("subject", "entities", *EVENTS, many=True),
        _ref("cites", *EVENTS),
        _ref("performer", many=True),
        _ref("work"),
        _ref("part_of", *EVENTS),
        Field("outcome"),
    ),
    _fact_table(
        "sporting_events",
        Field("label", "text", True),
        _ref("competition", required=True),
        Field("edition"),
        _ref("organizer"),
        _ref("host_city"),
        _ref("host_country"),
        Field("start", "date"),
        Field("end", "date"),
        Field("description", "text", True),
    ),
    _fact_table(
        "matches",
        Field("label", "text", True),
        _ref("part_of", *SPORT, required=True),
        _ref("home", required=True),
        _ref("away", required=True),
        Field("home_score", "int"),
        Field("away_score", "int"),
        _concept("status", "match-status", required=True),
        Field("date", "date"),
        _ref("venue"),
        _ref("venue_country"),
        Field("neutral_venue", "bool"),
        Field("description", "text", True),
    ),
    _fact_table(
        "results",
        _ref("event", *SPORT, required=True),
        _ref("competitor", required=True),
        _ref("represents"),
        _ref("flag"),
        Field("category"),
        _concept("medal", "medal"),
        _ref("final_opponent"),
        Field("description", "text", True),
    ),
    _fact_table(
        "stances",
        _ref("holder", required=True),
        _concept("position", "position", required=True),
        _ref("subject", "entities", *EVENTS, required=True),
        _concept("reasons", "reason", many=True),
        _concept("support_kinds", "support-kind", many=True),
        Field("start", "date"),
        Field("end", "date"),
        Field("description", "text", True),
    ),
    _fact_table(
        "statements",
        _ref("speaker", required=True),
        _ref("speaker_role", "roles"),
        Field("date", "date"),
        _ref("medium"),
        _ref("about", "entities", *EVENTS, many=True),
        Field("content", "text", True),
    ),
    _fact_table(
        "vetoes",
        _ref("actor", required=True, many=True),
        _ref("body", required=True),
        _concept("mode", "veto-mode", required=True),
        _ref("subject", "entities", *EVENTS, many=True),
        _ref("against", *EVENTS),
        Field("date", "date"),
        Field("description", "text", True),
    ),
    _fact_table(
        "relations",
        _ref("parties", required=True, many=True),
        _concept("status", "relation-status", required=True),
        Field("start", "date"),
        Field("end", "date"),
        Field("description", "text", True),
    ),
    # Names of entities in other languages, each from a source (graph/labels.py writes the CLDR ones).
    Table("labels", (
        _ref("entity", required=True),
        Field("language", "choice", True, choices=LABEL_LANGUAGES),
        Field("label", "text", True),
        Field("source", "ref", True, targets=("sources",)),
        Field("derived_from", "choice", choices=LABEL_LANGUAGES),  # transliterated from the label in that language
    )),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}
FILE_NAMES = {"wikidata": "reference/wikidata.csv"}


def file_name(table: str) -> str:
    return FILE_NAMES.get(table, f"{table}.csv")


@dataclass
class Facts:
    """Every record of the data set, by table, with references resolved."""

    tables: dict[str, list[Record]] = field(default_factory=dict)
    _by_id: dict[str, dict[str, Record]] = field(default_factory=dict, repr=False)

    def add(self, table: str, records: list[Record]) -> None:
        self.tables[table] = records
        self._by_id[table] = {r.id: r for r in records if "id" in r.values}

    def records(self, table: str) -> list[Record]:
        return self.tables.get(table, [])

    def matches(self, ref: Ref) -> list[Record]:
        """Every row that ``ref`` could name (one when the data is valid)."""
        return [self._by_id[t][ref.ident] for t in ref.tables if ref.ident in self._by_id.get(t, {})]

    def lookup(self, ref: Ref) -> Record:
        return self.matches(ref)[0]


def _parse_value(f: Field, raw: str):
    """Type one non-empty cell, or raise ValueError with the reason."""
    kind = f.kind
    if kind in ("text", "choice", "slug", "id", "iri", "qid", "language", *ISO_CODES):
        value = raw.strip()
        if kind == "choice" and value not in f.choices:
            raise ValueError(f"unknown value {value!r} (expected one of {', '.join(f.choices)})")
        if kind in ("slug", "id") and not SLUG.match(value):
            raise ValueError(f"{value!r} is not a lower-case slug ([a-z0-9-])")
        if kind == "iri" and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value):
            raise ValueError(f"{value!r} is not an absolute http(s) IRI")
        if kind in ISO_CODES and not re.match(ISO_CODES[kind][0], value):
            raise ValueError(f"{value!r} is not {ISO_CODES[kind][1]}")
        if kind == "language" and not LANGUAGE.match(value):
            raise ValueError(f"{value!r} is not a language tag such as en or sr-Latn")
        if kind == "qid" and not QID.match(value):
            raise ValueError(f"{value!r} is not a Wikidata identifier (Q followed by digits)")
        return value
    if kind == "texts":
        return tuple(p.strip() for p in raw.split(";") if p.strip())
    if kind == "qidlist":
        values = tuple(p.strip() for p in raw.split(";") if p.strip())
        bad = [v for v in values if not QID.match(v)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a Wikidata identifier")
        return values
    if kind == "date":
        return _parse_date(raw.strip())
    if kind == "int":
        if not re.match(r"^-?[0-9]+$", raw.strip()):
            raise ValueError(f"{raw!r} is not a whole number")
        return int(raw)
    if kind == "bool":
        if raw.strip() not in ("true", "false"):
            raise ValueError(f"{raw!r} is not true or false")
        return raw.strip() == "true"
    if kind in ("ref", "concept"):
        return _parse_ref(f, raw.strip())
    if kind in ("refs", "concepts", "sources"):
        parts = [p.strip() for p in raw.split(";") if p.strip()]
        targets = ("sources",) if kind == "sources" else f.targets
        return tuple(_parse_ref(Field(f.name, targets=targets), p) for p in parts)
    raise AssertionError(f"unknown field kind {kind}")


def _parse_ref(f: Field, ident: str) -> Ref:
    if not SLUG.match(ident):
        raise ValueError(f"{ident!r} is not a valid identifier")
    return Ref(f.targets, ident)


def _parse_date(text: str) -> Date:
    if len(text) not in DATE_FORMS or not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", text):
        raise ValueError(f"malformed date {text!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    try:
        if len(text) == 10:
            dt.date.fromisoformat(text)
        elif len(text) == 7:
            dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise ValueError(f"impossible date {text!r}") from None
    return Date(text)


def _read_table(table: Table, path: Path, errors: list[DataError]) -> list[Record]:
    name = file_name(table.name)
    if not path.exists():
        errors.append(DataError(name, 0, "", "file is missing"))
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        known = {f.name for f in table.fields}
        for column in header:
            if column not in known:
                errors.append(DataError(name, 1, column, "unknown column"))
        for f in table.fields:
            if f.required and f.name not in header:
                errors.append(DataError(name, 1, f.name, "required column is missing"))
        records, seen = [], {}
        for row in reader:
            line = reader.line_num
            if None in row:
                errors.append(DataError(name, line, "", "more cells than header columns"))
            values = {}
            for f in table.fields:
                raw = row.get(f.name) or ""
                if not raw.strip():
                    if f.required:
                        errors.append(DataError(name, line, f.name, "required field is empty"))
                    continue
                try:
                    values[f.name] = _parse_value(f, raw)
                except ValueError as exc:
                    errors.append(DataError(name, line, f.name, str(exc)))
            ident = values.get("id")
            if ident is not None:
                if ident in seen:
                    errors.append(DataError(name, line, "id", f"duplicate identifier {ident!r} (first on row {seen[ident]})"))
                    continue
                seen[ident] = line
            records.append(Record(table.name, line, values))
        return records


def _check_references(facts: Facts, errors: list[DataError]) -> None:
    """Pass two: every ref names one existing row; concepts are in their scheme; QIDs are checked."""
    known_qids = {q for r in facts.records("wikidata") for q in r.get("wikidata", ())}
    for record in (r for rs in facts.tables.values() for r in rs):
        name = file_name(record.table)
        for f in TABLE_BY_NAME[record.table].fields:
            value = record.get(f.name)
            if f.kind == "qid" and value is not None and value not in known_qids:
                errors.append(DataError(name, record.row, f.name, f"Wikidata identifier {value} is not in reference/wikidata.csv"))
            refs = value if f.kind in ("refs", "concepts", "sources") else (value,)
            for ref in (r for r in refs or () if isinstance(r, Ref)):
                found = facts.matches(ref)
                if not found:
                    files = " or ".join(file_name(t) for t in ref.tables)
                    errors.append(DataError(name, record.row, f.name, f"unknown reference {ref.ident!r} (not an id in {files})"))
                elif len(found) > 1:
                    tables = ", ".join(file_name(r.table) for r in found)
                    errors.append(DataError(name, record.row, f.name, f"ambiguous reference {ref.ident!r} (an id in {tables})"))
                elif f.scheme and found[0].get("scheme") != f.scheme:
                    errors.append(DataError(name, record.row, f.name, f"concept {ref.ident!r} is not in scheme {f.scheme!r}"))


def _check_labels(facts: Facts, errors: list[DataError]) -> None:
    """One label per entity and language, in its language's script; a derived label's original exists."""
    name = file_name("labels")
    seen: dict[tuple[str, str], int] = {}
    for record in facts.records("labels"):
        entity, language, label = record.get("entity"), record.get("language"), record.get("label")
        if entity is None or language is None:
            continue
        key = (entity.ident, language)
        if key in seen:
            errors.append(DataError(name, record.row, "language",
                                    f"a second {language} label of {entity.ident!r} (the first is on row {seen[key]})"))
        seen.setdefault(key, record.row)
        if label is not None and not _in_script(label, SCRIPTS[language]):
            errors.append(DataError(name, record.row, "label", f"{label!r} is not in the {SCRIPTS[language]} script "
                                                               f"that {language} labels are written in"))
    for record in facts.records("labels"):
        original, entity = record.get("derived_from"), record.get("entity")
        if original is None or entity is None:
            continue
        if original == record.get("language"):
            errors.append(DataError(name, record.row, "derived_from", "a label cannot be derived from itself"))
        elif (entity.ident, original) not in seen:
            errors.append(DataError(name, record.row, "derived_from",
                                    f"no {original} label of {entity.ident!r} to derive this one from"))


def _in_script(text: str, script: str) -> bool:
    """Whether every letter of ``text`` is Cyrillic (U+0400–U+04FF) or, for Latin, none is."""
    letters = [c for c in text if c.isalpha()]
    cyrillic = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    return len(cyrillic) == len(letters) if script == "cyrillic" else not cyrillic


WEAK_SOURCE = "weak-source"  # the source class whose sources alone leave a claim unverified


def rests_on_weak_sources(facts: Facts, record: Record) -> bool:
    """Whether every source of a fact row is of the ``weak`` source class (a mirror, blog, draft, aggregator)."""
    sources = [facts.matches(ref) for ref in record.get("sources", ())]
    return bool(sources) and all(found and (cls := found[0].get("source_class")) is not None
                                 and cls.ident == WEAK_SOURCE for found in sources)


def _check_weak_claims(facts: Facts, errors: list[DataError]) -> None:
    """A position claim resting on weak sources only cannot be marked verified (the build marks it unverified)."""
    for record in facts.records("positions"):
        verification = record.get("verification")
        if verification is not None and verification.ident == "verified" and rests_on_weak_sources(facts, record):
            errors.append(DataError(file_name("positions"), record.row, "verification",
                                    "a claim whose every source is of the weak class cannot be verified"))


def read_facts(data_dir: Path) -> Facts:
    """Read and check every table of ``data_dir``; raise FactsError listing every problem."""
    errors: list[DataError] = []
    facts = Facts()
    for table in TABLES:
        facts.add(table.name, _read_table(table, Path(data_dir) / file_name(table.name), errors))
    _check_references(facts, errors)
    _check_labels(facts, errors)
    _check_weak_claims(facts, errors)
    if errors:
        raise FactsError(errors)
    return facts
