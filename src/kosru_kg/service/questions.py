"""The canned questions in ``queries/*.rq``: their headers, their parameters, and safe binding.

A question is a file of plain SPARQL (a SELECT query) whose leading comment lines are its header::

    # title: Which states recognised Kosovo in a given year?
    # description: The states whose recognition of Kosovo is dated in the chosen year,
    #   continued on comment lines indented by two or more spaces.
    # param: year | year | 2008 | 2008-2025 | Year of recognition
    # picture: recognitions-per-year

``param`` is ``name | type | default | allowed values | label``. The name is a variable of the
query, which pyoxigraph requires to be projected; the type is ``year`` (allowed: a range
``LOW-HIGH``, bound as an xsd:integer), ``enum`` (allowed: a comma-separated list, bound as a
string), ``string`` (any short text), ``iri`` (any resource of the graph, given by IRI or by
path such as ``veto/article-claim-veto-cast``; allowed: empty, or a property such as
``prov:wasDerivedFrom`` whose named subjects a form suggests), or a kind of resource, the first
segment of its IRI path (``state``, ``concept``…; allowed: a list of ids, or empty for any
resource of the kind). A parameter that takes a resource also takes its name, where the caller
of ``Question.bind`` says how names are found: readers choose resources by name, not by id.
A request's values are checked against the parameter and bound with pyoxigraph's
``substitutions``: the query text is never edited, so no value can change what a query asks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from kosru_kg import clock, formats
from kosru_kg.errors import BadParameter, BadRequest
from kosru_kg.query.backend import Backend
from kosru_kg.vocab import KINDS, NAMING_PATH, PREFIXES, SLUG, term

XSD_INTEGER = term("xsd:integer")
XSD_DATE = term("xsd:date")
TODAY = "today"  # a date parameter's value for the day of the request (UTC)
FREE_TYPES = ("year", "date", "enum", "string", "iri")
MAX_TEXT = 200  # characters of a string parameter: enough for any name, too short for abuse
HEADER_KEYS = ("title", "description", "param", "picture")
# The formats an answer is offered in beside its page, at /questions/<name>.<format name>: the
# named SPARQL results rows of the format table (the plain-JSON alias has no name of its own).
ANSWER_FORMATS = tuple(f for f in formats.of_kind(formats.Kind.SOLUTIONS) if f.names)

_FIELD = re.compile(r"#\s?(?P<key>[a-z]+):\s*(?P<value>.*)")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YEARS = re.compile(r"(?P<low>\d{4})\s*-\s*(?P<high>\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)  # a date parameter's range: no year 0, no year 10000
_PATH = re.compile(r"[a-z0-9-]+(?:/[a-z0-9-]+)*")

_LABEL = NAMING_PATH
_ENGLISH = 'FILTER(LANG(?label) IN ("", "en"))'  # a resource has names in several languages: the English one
# The labelled resources whose IRI starts with ?prefix: the resources of a kind, for a form.
_OF_KIND = f"""SELECT ?prefix ?resource ?label WHERE {{
  ?resource {_LABEL} ?label .
  FILTER(STRSTARTS(STR(?resource), ?prefix)) {_ENGLISH}
}} ORDER BY LCASE(STR(?label)) ?resource"""
# The labelled resources of the dataset (their IRI starts with ?prefix) that have ?property: what a form
# suggests for an ``iri`` parameter. (A substituted variable must be projected.)
_HAVING = f"""SELECT DISTINCT ?prefix ?property ?resource ?label WHERE {{
  ?resource ?property ?value ; {_LABEL} ?label .
  FILTER(STRSTARTS(STR(?resource), ?prefix)) {_ENGLISH}
}} ORDER BY LCASE(STR(?label)) ?resource"""
# Whether ?resource is in the graph: a kind's resources have labels; any resource has statements.
_LABELLED = f"SELECT ?resource WHERE {{ ?resource {_LABEL} ?label }} LIMIT 1"
_DESCRIBED = "SELECT ?resource WHERE { ?resource ?property ?value } LIMIT 1"


class QuestionError(ValueError):
    """A question file is malformed; the message names the file and, where it can, the line."""


@dataclass(frozen=True)
class Choice:
    """One value a form may offer for a parameter, with the text to show for it."""

    value: str
    label: str


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str
    allowed: tuple[str, ...]  # the values of an enum, the years of a range, the ids of a kind; () for any
    label: str
    value_labels: tuple[tuple[str, str], ...] = ()  # (value, name): what a form shows for an enum's values
    suggest: str = ""  # an iri parameter's property: a form suggests the named resources that have it

    def value_label(self, value: str) -> str:
        """The name of an enum's value as a reader sees it (in English: pages translate it)."""
        return dict(self.value_labels).get(value, value)

    @property
    def bounds(self) -> tuple[str, str] | None:
        """The first and last day a date parameter takes (a form's ``min`` and ``max``); None for other types."""
        return (MIN_DATE.isoformat(), MAX_DATE.isoformat()) if self.type == "date" else None

    @property
    def is_kind(self) -> bool:
        return self.type not in FREE_TYPES

    @property
    def takes_resource(self) -> bool:
        return self.is_kind or self.type == "iri"

    def choices(self, backend: Backend, base_iri: str) -> list[Choice]:
        """What a form offers: the allowed values, with labels for resources; [] for free text."""
        if not self.takes_resource:
            return [Choice(value, self.value_label(value)) for value in self.allowed]
        if self.type == "iri" and not self.suggest:
            return []
        if self.type == "iri":
            query, given = _HAVING, {Variable("prefix"): Literal(base_iri), Variable("property"): NamedNode(self.suggest)}
        else:
            query, given = _OF_KIND, {Variable("prefix"): Literal(f"{base_iri}{self.type}/")}
        found = {}
        for row in backend.query(query, substitutions=given):
            if (value := self.value_of(row["resource"].value, base_iri)) is not None:
                found.setdefault(value, row["label"].value)
        return [Choice(value, label) for value, label in found.items()]

    def value_of(self, iri: str, base_iri: str) -> str | None:
        """The value this parameter takes for the resource ``iri`` (an id, or a path for an iri), if any."""
        prefix = base_iri if self.type == "iri" else f"{base_iri}{self.type}/"
        value = iri.removeprefix(prefix)
        if not iri.startswith(prefix):
            return None
        if self.type == "iri":
            return value if _PATH.fullmatch(value) else None
        return value if SLUG.match(value) and (not self.allowed or value in self.allowed) else None

    def term(self, value: str, base_iri: str) -> Literal | NamedNode:
        """The RDF term ``value`` stands for, if it is of this parameter's type and allowed."""
        if self.type == "string":
            if not is_text(value):
                raise self.refused(value)
            return Literal(value)
        if self.type == "date":
            try:
                return Literal(_date(value).isoformat(), datatype=XSD_DATE)
            except ValueError:
                raise self.refused(value) from None
        if self.type in ("year", "enum"):
            if value not in self.allowed:
                raise self.refused(value)
            return Literal(value, datatype=XSD_INTEGER) if self.type == "year" else Literal(value)
        prefix = base_iri if self.type == "iri" else f"{base_iri}{self.type}/"
        found = self.value_of(prefix + value.removeprefix(prefix), base_iri)
        if found is None:
            raise self.refused(value)
        return NamedNode(prefix + found)

    def text(self, term: Literal | NamedNode, base_iri: str) -> str:
        """How a form shows a bound value: a resource by its id (or its path, for an iri)."""
        if isinstance(term, Literal):
            return term.value
        return term.value.removeprefix(f"{base_iri}{self.type}/" if self.is_kind else base_iri)

    def describe_allowed(self) -> str:
        if self.type == "string":
            return f"a text of 1 to {MAX_TEXT} printable characters"
        if self.type == "year":
            return f"a year from {self.allowed[0]} to {self.allowed[-1]}"
        if self.type == "enum":
            return "one of " + ", ".join(self.allowed)
        if self.type == "date":
            return f"a date written YYYY-MM-DD, from {MIN_DATE} to {MAX_DATE}, or {TODAY}"
        if self.type == "iri":
            return "the IRI of a resource of this dataset, its path such as state/kosovo, or its name"
        if self.allowed:
            return f"the id of one of these {self.type} resources: " + ", ".join(self.allowed) + ", or its name"
        return f"the id of a {self.type} resource of this dataset (such as {self.default}), its IRI or its name"

    def refused(self, value: str) -> BadParameter:
        """The error for a value this parameter does not accept, naming it and what it accepts."""
        return BadParameter(self.name, f"parameter '{self.name}' ({self.label}) cannot be {value!r}: "
                            f"it must be {self.describe_allowed()}")

    def ambiguous(self, name: str, found: Sequence[Choice]) -> BadParameter:
        """The error for a name that several resources bear, naming each (by name and value) to choose from."""
        named = "; ".join(f"{choice.label} ({choice.value})" for choice in found)
        return BadParameter(self.name, f"parameter '{self.name}' ({self.label}) cannot be {name!r}: {len(found)} "
                            f"resources have that name ({named}); give one of them by its "
                            f"{'path' if self.type == 'iri' else 'id'}")


# How a caller finds the resources a parameter may take that bear a name: (parameter, name) → the choices.
Namer = Callable[[Parameter, str], Sequence[Choice]]


def is_text(value: str) -> bool:
    """Whether ``value`` is a short text (a string parameter's value, or a name): printable, not blank."""
    return bool(value.strip()) and len(value) <= MAX_TEXT and value.isprintable()


@dataclass(frozen=True)
class Question:
    name: str  # the file's stem, and the last segment of the question's URL
    title: str
    description: str
    params: tuple[Parameter, ...]
    picture: str | None
    sparql: str  # the whole file, header included, with this deployment's BASE: valid SPARQL on its own

    def bind(self, given: Mapping[str, Sequence[str]], backend: Backend, base_iri: str, named: Namer | None = None
             ) -> tuple[dict[str, str], dict[Variable, Literal | NamedNode]]:
        """The values to answer with (``given``, else the defaults) as text and as bound terms.

        A value of the wrong type, not allowed, or naming no resource of the graph is a
        BadRequest naming the parameter and what it accepts. With ``named``, a resource may be
        given by its name instead: a name several resources bear is a BadRequest naming them.
        """
        values, bindings = {}, {}
        for param in self.params:
            supplied = given.get(param.name) or [param.default]
            if len(supplied) > 1:
                raise BadRequest(f"parameter '{param.name}' is given {len(supplied)} times; give it once")
            term = (_resource(param, supplied[0], backend, base_iri, named) if param.takes_resource
                    else param.term(supplied[0], base_iri))
            values[param.name], bindings[Variable(param.name)] = param.text(term, base_iri), term
        return values, bindings

    def answer(self, backend: Backend, bindings: Mapping[Variable, Literal | NamedNode]) -> QuerySolutions:
        return backend.query(self.sparql, substitutions=bindings)


def _date(value: str) -> dt.date:
    """A date parameter's value as a date: ``today``, or an ISO date within the years a question covers."""
    if value == TODAY:
        return clock.today()
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(value)
    day = dt.date.fromisoformat(value)
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(value)
    return day


def _resource(param: Parameter, value: str, backend: Backend, base_iri: str, named: Namer | None) -> NamedNode:
    """The resource ``value`` gives: by its id, path or IRI if the graph holds one so given, else by its name."""
    try:
        node = param.term(value, base_iri)
    except BadRequest:
        node = None
    if node is not None and _exists(backend, node, param):
        return node
    found = named(param, value) if named is not None and is_text(value) else ()
    if len(found) > 1:
        raise param.ambiguous(value, found)
    if found:
        node = param.term(found[0].value, base_iri)
        if _exists(backend, node, param):
            return node
    raise param.refused(value)


def _exists(backend: Backend, node: NamedNode, param: Parameter) -> bool:
    """Whether the graph holds ``node``: as a labelled resource for a kind, with any statement for an IRI."""
    query = _LABELLED if param.is_kind else _DESCRIBED
    return any(True for _ in backend.query(query, substitutions={Variable("resource"): node}))


def load(directory: Path, base_iri: str) -> dict[str, Question]:
    """Every ``*.rq`` file of ``directory``, by name; a malformed file raises QuestionError."""
    return {path.stem: parse(path, base_iri) for path in sorted(Path(directory).glob("*.rq"))}


def parse(path: Path, base_iri: str) -> Question:
    """One question file, checked: its header is complete and its query runs with the defaults."""
    sparql = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {key: [] for key in HEADER_KEYS}
    key = None
    for number, line in enumerate(sparql.splitlines(), start=1):
        if not line.startswith("#"):
            break
        where = f"{path.name}, line {number}"
        if (continued := _CONTINUATION.fullmatch(line)) and key in ("title", "description"):
            fields[key][-1] += " " + continued["value"]
        elif field := _FIELD.fullmatch(line):
            key = field["key"]
            if key not in fields:
                raise QuestionError(f"{where}: unknown header field {key!r}; use {', '.join(HEADER_KEYS)}")
            if key != "param" and fields[key]:
                raise QuestionError(f"{where}: the header gives {key!r} twice")
            fields[key].append(field["value"].strip())
        elif line.strip() != "#":
            raise QuestionError(f"{where}: a header line is '# field: value' or its continuation, not {line!r}")
    for required in ("title", "description"):
        if not fields[required] or not fields[required][0]:
            raise QuestionError(f"{path.name}: the header has no {required!r}")
    params = tuple(_parameter(text, f"{path.name}, param {text!r}", base_iri) for text in fields["param"])
    if len({p.name for p in params}) != len(params):
        raise QuestionError(f"{path.name}: two parameters have the same name")
    sparql = _with_base(sparql, base_iri)
    _check_query(path.name, sparql, params, base_iri)
    return Question(name=path.stem, title=fields["title"][0], description=fields["description"][0],
                    params=params, picture=(fields["picture"] or [None])[0], sparql=sparql)


def _with_base(sparql: str, base_iri: str) -> str:
    """The query with a ``BASE`` of this deployment after its header: the files write the
    resources' IRIs relative (``PREFIX state: <state/>``), so that the same files serve any
    base, and the text shown, edited or sent elsewhere still names the deployment's IRIs."""
    lines = sparql.splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join([*lines[:header], f"BASE <{base_iri}>\n", *lines[header:]])


def _parameter(text: str, where: str, base_iri: str) -> Parameter:
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 5:
        raise QuestionError(f"{where}: give name | type | default | allowed values | label")
    name, kind, default, allowed, label = parts
    if not _VARIABLE.fullmatch(name):
        raise QuestionError(f"{where}: {name!r} is not a SPARQL variable name")
    if kind not in FREE_TYPES and kind not in KINDS:
        raise QuestionError(f"{where}: unknown type {kind!r}; use {', '.join(FREE_TYPES)} or a kind: "
                            + ", ".join(sorted(KINDS)))
    values, value_labels = _labelled(kind, allowed, where)
    suggest = _property(allowed, where) if kind == "iri" and allowed else ""
    param = Parameter(name, kind, default, _allowed(kind, "" if suggest else values, where), label or name,
                      value_labels, suggest)
    try:
        param.term(default, base_iri)
    except BadRequest as exc:
        raise QuestionError(f"{where}: the default is not allowed: {exc.message}") from None
    return param


def _labelled(kind: str, text: str, where: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An enum's values may carry the names a form shows: ``every-withdrawal=every reported withdrawal
    counts, …``. The text with the names taken out, and the names by value."""
    if kind != "enum" or "=" not in text:
        return text, ()
    labels = {}
    for item in text.split(","):
        value, equals, label = (part.strip() for part in item.partition("="))
        if not equals or not label:
            raise QuestionError(f"{where}: give every value of the enum a name, as value=name, or none")
        labels[value] = label
    return ",".join(labels), tuple(labels.items())


def _property(text: str, where: str) -> str:
    """An iri parameter's property, written as a prefixed name of ``vocab.PREFIXES`` (``prov:wasDerivedFrom``)."""
    prefix, colon, local = text.partition(":")
    if not colon or prefix not in PREFIXES or not _VARIABLE.fullmatch(local):
        raise QuestionError(f"{where}: an iri parameter's allowed field is empty or a property such as "
                            f"prov:wasDerivedFrom (prefixes: {', '.join(sorted(PREFIXES))})")
    return PREFIXES[prefix] + local


def _allowed(kind: str, text: str, where: str) -> tuple[str, ...]:
    if kind == "year":
        if not (years := _YEARS.fullmatch(text)) or int(years["low"]) > int(years["high"]):
            raise QuestionError(f"{where}: a year parameter allows a range such as 2008-2025")
        return tuple(str(year) for year in range(int(years["low"]), int(years["high"]) + 1))
    values = tuple(value.strip() for value in text.split(",") if value.strip())
    if kind == "enum" and not values:
        raise QuestionError(f"{where}: an enum parameter lists its allowed values")
    if kind in ("string", "iri", "date") and values:
        raise QuestionError(f"{where}: a {kind} parameter takes no list of allowed values")
    if kind in KINDS and not all(SLUG.match(value) for value in values):
        raise QuestionError(f"{where}: the allowed values of a {kind} parameter are ids such as russia")
    return values


def _check_query(file_name: str, sparql: str, params: tuple[Parameter, ...], base_iri: str) -> None:
    """The query parses, is a SELECT, and accepts its parameters' defaults (on an empty store)."""
    defaults = {Variable(p.name): p.term(p.default, base_iri) for p in params}
    try:
        result = Store().query(sparql, substitutions=defaults)
    except (SyntaxError, RuntimeError) as exc:  # RuntimeError: a parameter is not a projected variable
        raise QuestionError(f"{file_name}: the query does not run: {exc}") from None
    if not isinstance(result, QuerySolutions):
        raise QuestionError(f"{file_name}: a question is a SELECT query, whose answer is a table")
