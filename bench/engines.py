"""The canned questions on three engines in one run: the embedded store, ``oxigraph serve`` and Virtuoso.

Builds the graph into a temporary store, starts ``oxigraph serve`` (PyPI ``oxigraph``) and Debian's
Virtuoso 7.2 (``tests/engines/virtuoso/start``), publishes the graph to both as ``kosru-kg publish``
does, then:

- answers every canned question at its default parameters on each engine and says whether the
  answers agree with the embedded store's (rows compared as sets where the query has no ORDER BY;
  booleans by value, as Virtuoso writes xsd:boolean as 1 or 0), or what the engine answered instead;
- times ``--timed`` questions on each engine: ``--repeat`` runs each, every text made new by a
  trailing comment so no answer cache answers; the median and the ratio to the embedded store.

Run: ``python bench/engines.py`` (needs ``virtuoso-opensource``; .ci/run installs it).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

from pyoxigraph import Literal, QuerySolutions, Store, Variable

from kosru_kg.config import Settings
from kosru_kg.errors import HttpError
from kosru_kg.graph.build import build
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.backend import Backend
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.query.remote import RemoteBackend
from kosru_kg.query.upload import upload
from kosru_kg.service import questions

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "engines")]
from oxigraph_server import start_oxigraph  # noqa: E402 - the tests' helpers: one way to start each engine
from virtuoso_server import start_virtuoso, stop_virtuoso  # noqa: E402

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
TIMED = ("recognising-states", "data-quality", "timeline")


def comparable(term):
    """A term as compared across engines: a boolean by its value (Virtuoso writes "1"), anything else as it is."""
    if isinstance(term, Literal) and term.datatype is not None and term.datatype.value == XSD_BOOLEAN:
        return ("boolean", term.value in ("1", "true"))
    return term


def answer(backend: Backend, question: questions.Question, base_iri: str, comment: str = "") -> list | bool:
    """The question's answer at its default parameters: its rows as tuples (in order), or its truth value."""
    bindings = {Variable(p.name): p.term(p.default, base_iri) for p in question.params}
    result = backend.query(question.sparql + comment, substitutions=bindings)
    if not isinstance(result, QuerySolutions):
        return bool(result)
    names = [v.value for v in result.variables]
    return [tuple(comparable(row[name]) for name in names) for row in result]


def agreement(question: questions.Question, expected, backend: Backend, base_iri: str) -> str:
    try:
        got = answer(backend, question, base_iri)
    except HttpError as error:
        return f"error {error.status}: {error.message[:90]}"
    ordered = "ORDER BY" in question.sparql.upper()
    if got == expected or (not ordered and isinstance(got, list) and sorted(map(repr, got)) == sorted(map(repr, expected))):
        return "same"
    if isinstance(got, list):
        return f"differs: {len(got)} rows, embedded {len(expected)}"
    return f"differs: {got} (embedded {expected})"


def median_ms(backend: Backend, question: questions.Question, base_iri: str, repeat: int, unique: count) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer(backend, question, base_iri, f"\n# run {next(unique)}")
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each timed question on each engine")
    parser.add_argument("--timed", nargs="+", default=list(TIMED), help="the questions to time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().replace(store=str(Path(tmp) / "store"))
        manifest = build(settings)
        layout = StoreLayout(settings.store)
        published = Store.read_only(str(layout.versions / manifest.version))
        oxigraph = start_oxigraph(Path(tmp) / "oxigraph")
        virtuoso = start_virtuoso(Path(tmp) / "virtuoso")
        try:
            upload(published, manifest.version, settings.base_iri, oxigraph.query)
            upload(published, manifest.version, settings.base_iri, virtuoso.sparql, virtuoso.graph_store)
            engines = {"embedded": EmbeddedBackend(layout, settings),
                       "oxigraph serve": RemoteBackend(oxigraph.query, settings),
                       "virtuoso": RemoteBackend(virtuoso.sparql, settings)}
            canned = questions.load(settings.queries_dir, settings.base_iri)
            rows = []
            for name, question in canned.items():
                expected = answer(engines["embedded"], question, settings.base_iri)
                rows.append((name, *(agreement(question, expected, engines[e], settings.base_iri)
                                     for e in ("oxigraph serve", "virtuoso"))))
            unique = count()
            timings = {name: {engine: median_ms(backend, canned[name], settings.base_iri, args.repeat, unique)
                              for engine, backend in engines.items()} for name in args.timed}
            for backend in engines.values():
                backend.close()
        finally:
            oxigraph.stop()
            stop_virtuoso(virtuoso)

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{manifest.triples} triples")
    print("\n| question | oxigraph serve vs embedded | Virtuoso vs embedded |\n|---|---|---|")
    for name, oxigraph_said, virtuoso_said in rows:
        print(f"| `{name}` | {oxigraph_said} | {virtuoso_said} |")
    print(f"\nmedian of {args.repeat} uncached runs (ms), and the ratio to the embedded store:\n")
    print("| question | embedded | oxigraph serve | Virtuoso |\n|---|---:|---:|---:|")
    for name, by_engine in timings.items():
        base = by_engine["embedded"]
        cells = [f"{by_engine['embedded']:.1f}"] + [f"{by_engine[e]:.1f} ({by_engine[e] / base:.2f}x)"
                                                    for e in ("oxigraph serve", "virtuoso")]
        print(f"| `{name}` | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
