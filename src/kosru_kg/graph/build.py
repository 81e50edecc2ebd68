"""The loader pipeline: data/ → records → triples → SHACL → published store."""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Quad,
    RdfFormat,
    Store,
    Triple,
    parse,
    serialize,
)

from kosru_kg import catalogs, formats
from kosru_kg.config import Settings
from kosru_kg.graph.canonical import canonical
from kosru_kg.graph.facts import Facts, file_name, read_facts
from kosru_kg.graph.mapping import Mapper
from kosru_kg.graph.store import Manifest, Progress, StoreLayout, StoreMissing, StoreStage, quiet
from kosru_kg.vocab import KOSRU, PREFIXES, Minter

if TYPE_CHECKING:  # rdflib, pyld and pySHACL load only where a build renders or validates: not to serve
    from kosru_kg.graph.validate import Report


class CompileStage(Enum):
    """The steps before publishing, reported as each starts; none of them changes the store."""

    READING = "reading facts"
    VALIDATING = "validating"
    RENDERING = "rendering dumps"  # while the shapes are checked, in a process of their own


STAGES: tuple[Enum, ...] = (*CompileStage, *StoreStage)  # every stage build() reports, in order


class ValidationFailed(Exception):
    """The mapped graph breaks the shapes; nothing was published."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(str(report))


@dataclass(frozen=True)
class Graph:
    """The compiled knowledge graph: facts and ontology, as triples."""

    facts: tuple[Triple, ...]
    ontology: tuple[Triple, ...]
    origins: dict[str, str]  # resource IRI → "file:row" it was made from

    def quads(self, minter: Minter):
        """Each triple in its named graph, and every triple in the default graph too."""
        for name, triples in (("facts", self.facts), ("ontology", self.ontology)):
            graph = minter.graph(name)
            for t in triples:
                yield Quad(t.subject, t.predicate, t.object, graph)
        for t in self.default_triples:
            yield Quad(t.subject, t.predicate, t.object, DefaultGraph())

    @functools.cached_property
    def default_triples(self) -> list[Triple]:
        """Facts and ontology together, sorted once (publishing, hashing and counting all use it)."""
        return sorted(set(self.facts) | set(self.ontology), key=str)

    def dumps(self, minter: Minter) -> dict[str, bytes]:
        """Every dump by file name, exactly as ``/download`` serves it (N-Triples, Turtle, JSON-LD,
        RDF/XML: the default graph; N-Quads, TriG: the named graphs)."""
        statements = {
            formats.Kind.GRAPH: canonical(self.default_triples),
            formats.Kind.DATASET: canonical(q for q in self.quads(minter) if not isinstance(q.graph_name, DefaultGraph)),
        }
        from kosru_kg.graph import serialization  # noqa: PLC0415 - rdflib and pyld: builds only

        return {fmt.file_name: serialization.render(statements[fmt.kind], fmt, minter.base) for fmt in formats.DUMPS}

    def version(self) -> str:
        """A content hash: the same data always gives the same version."""
        canonical = "\n".join(str(t) for t in self.default_triples)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def read_ontology(ontology_dir: Path) -> tuple[Triple, ...]:
    """The ontology's triples, blank nodes canonically named so every build is identical."""
    dataset = Dataset(parse(path=str(Path(ontology_dir) / "kosru.ttl"), format=RdfFormat.TURTLE))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return tuple(sorted((q.triple for q in dataset), key=str))


def kosru_superclasses(ontology: tuple[Triple, ...]) -> dict[str, frozenset[str]]:
    """Each class's kosru: superclasses, transitively (materialised so queries stay simple)."""
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in ontology)
    result: dict[str, set[str]] = {}
    query = f"""SELECT ?c ?s WHERE {{
        ?c <{PREFIXES["rdfs"]}subClassOf>+ ?s .
        FILTER(isIRI(?c) && STRSTARTS(STR(?s), "{KOSRU}"))
    }}"""
    for row in store.query(query):
        result.setdefault(row["c"].value, set()).add(row["s"].value)
    return {c: frozenset(s) for c, s in result.items()}


def map_graph(settings: Settings, facts: Facts | None = None, progress: Progress = quiet) -> Graph:
    """Read and map, unvalidated; raise FactsError on bad data."""
    if facts is None:
        progress(CompileStage.READING, str(settings.data_dir))
        facts = read_facts(settings.data_dir)
    ontology = read_ontology(settings.ontology_dir)
    mapper = Mapper(Minter(settings.base_iri), kosru_superclasses(ontology))
    triples = tuple(dict.fromkeys(mapper.triples(facts)))
    origins = {
        mapper.iri(r).value: f"{file_name(r.table)}:{r.row}"
        for rs in facts.tables.values() for r in rs if "id" in r.values
    }
    return Graph(triples, ontology, origins)


def compile_graph(settings: Settings, facts: Facts | None = None, progress: Progress = quiet) -> Graph:
    """Read, map and validate; raise FactsError or ValidationFailed on bad data."""
    graph = map_graph(settings, facts, progress)
    progress(CompileStage.VALIDATING, f"{len(graph.facts)} triples")
    from kosru_kg.graph.validate import validate  # noqa: PLC0415 - pySHACL: builds only

    _conforms(validate(graph.facts, settings.ontology_dir, settings.base_iri, graph.origins))
    return graph


def build(settings: Settings, progress: Progress = quiet) -> Manifest:
    """Compile the graph and publish it at ``settings.store``, atomically, telling ``progress`` each stage.

    The shapes are checked in a process of their own while this one renders the dumps (each takes
    a few seconds, and there are two cores); nothing is written before both are done."""
    graph = map_graph(settings, progress=progress)
    minter = Minter(settings.base_iri)
    progress(CompileStage.VALIDATING, f"{len(graph.facts)} triples")
    with _validating_aside(graph, settings) as report:
        progress(CompileStage.RENDERING, ", ".join(fmt.file_name for fmt in formats.DUMPS))
        dumps = graph.dumps(minter)
        _conforms(report())

    def archive(folder: Path) -> None:
        for name, body in dumps.items():
            path = folder / name
            try:
                path.write_bytes(body)
            except OSError as exc:  # a failed write() names no file: name it
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
            if path.read_bytes() != body:
                raise OSError(errno.EIO, "the dump read back differs from what was written", str(path))

    return StoreLayout(settings.store).make_current(
        graph.quads(minter), graph.version(), triples=len(graph.default_triples), progress=progress, archive=archive,
        inputs=inputs_digest(settings),
    )


def inputs_digest(settings: Settings) -> str:
    """A digest of everything a build reads: data/, the ontology, the catalogs that word the facts' labels
    and summaries, the code that maps, checks and writes them, and the base IRI. Equal digests make equal
    stores, so a store built from this digest is current."""
    digest = hashlib.sha256(settings.base_iri.encode("utf-8"))
    code = Path(__file__).resolve().parent
    read_whole = (settings.data_dir, settings.ontology_dir, catalogs.TRANSLATIONS)
    for root in (*read_whole, code, code.parent):
        files = root.rglob("*") if root in read_whole else root.glob("*.py")
        for path in sorted(p for p in files if p.is_file()):
            digest.update(f"\0{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def current_build(settings: Settings) -> Manifest | None:
    """The published version at ``settings.store`` if it was built from exactly these inputs, else None."""
    layout = StoreLayout(settings.store)
    try:
        return layout.manifest() if layout.built_from() == inputs_digest(settings) else None
    except (StoreMissing, OSError):
        return None


def _conforms(report: Report) -> None:
    if not report.conforms:
        raise ValidationFailed(report)


@contextmanager
def _validating_aside(graph: Graph, settings: Settings) -> Iterator[Callable[[], Report]]:
    """Validate ``graph`` in a process of its own (``python -m kosru_kg.graph.validate``, so no fork of a
    threaded process and no import of the caller's main module); the context's value waits for its report."""
    job = (serialize(graph.facts, format=RdfFormat.N_TRIPLES), settings.ontology_dir, settings.base_iri, graph.origins)
    with tempfile.NamedTemporaryFile(prefix="kosru-validate-", suffix=".pickle") as written:
        written.write(pickle.dumps(job))
        written.flush()
        process = subprocess.Popen([sys.executable, "-m", "kosru_kg.graph.validate", written.name, str(os.getpid())],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def report() -> Report:
            answer, errors = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"the validating process failed (exit status {process.returncode}): "
                                   f"{errors.decode('utf-8', 'replace').strip()[-2000:]}")
            return pickle.loads(answer)

        try:
            yield report
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate()
