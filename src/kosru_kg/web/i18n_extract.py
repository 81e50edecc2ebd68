"""Babel extractors for the interface text that lives outside the code: ``pybabel extract -F babel.cfg``.

- ``questions``: a question file's title, description, parameter labels, enum values and the
  column headings its answer table shows (``views.questions.heading`` of each projected variable);
- ``openapi_texts``: the error descriptions the OpenAPI page shows (``service.openapi.ERRORS``);
- ``concept_labels``: the names of the project's concepts and concept schemes (``data/concepts.csv``),
  which the build writes in every language (``graph.mapping``).

The pages translate these strings where they show them (``_(question.title)``); the
completeness test extracts with the same configuration, so a new question fails it until
every catalog translates its header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Store

from kosru_kg.service import openapi, questions

_BASE = "http://example.org/"  # any base: the headers do not depend on it

Message = tuple[int, None, str, list[str]]


def questions_texts(fileobj, keywords, comment_tags, options) -> Iterator[Message]:
    path = Path(fileobj.name)
    question = questions.parse(path, _BASE)
    lines = fileobj.read().decode("utf-8").splitlines()

    def line_of(key: str) -> int:
        return next((i + 1 for i, line in enumerate(lines) if line.startswith(f"# {key}:")), 1)

    yield line_of("title"), None, question.title, ["The title of a canned question."]
    yield line_of("description"), None, question.description, ["The description of a canned question."]
    for param in question.params:
        yield line_of("param"), None, param.label, [f"The label of the question's parameter {param.name!r}."]
        if param.type == "enum":
            for value in param.allowed:
                yield (line_of("param"), None, param.value_label(value),
                       [f"A value of the parameter {param.name!r} ({value}), as the form shows it."])
    from kosru_kg.web.views.questions import heading  # the web view's own rule for headings

    variables = [v.value for v in Store().query(question.sparql).variables]
    for variable in variables:
        if not variable.endswith("Label") or variable.removesuffix("Label") not in variables:
            yield 1, None, heading(variable), [f"A column heading: the variable ?{variable}."]


def openapi_texts(fileobj, keywords, comment_tags, options) -> Iterator[Message]:
    for status, (_, text) in openapi.ERRORS.items():
        yield 1, None, text, [f"When the questions' API answers {status}."]


def concept_labels(fileobj, keywords, comment_tags, options) -> Iterator[Message]:
    rows = list(csv.DictReader(io.StringIO(fileobj.read().decode("utf-8"), newline="")))
    for line, row in enumerate(rows, start=2):
        yield line, None, row["label"], [f"The name of the concept {row['id']!r} ({row['scheme']})."]
    for scheme in sorted({row["scheme"] for row in rows}):
        yield 1, None, scheme.replace("-", " "), [f"The name of the concept scheme {scheme!r}."]
