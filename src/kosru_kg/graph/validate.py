"""SHACL validation with pySHACL, and a report a person can act on.

Run as ``python -m kosru_kg.graph.validate JOB PARENT``, it validates the pickled job (N-Triples, ontology
folder, base IRI, origins) and writes the pickled Report to standard output: a build runs it beside the
rendering of its dumps.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import signal
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import rdflib
from pyoxigraph import RdfFormat, Triple, parse, serialize

from kosru_kg.vocab import DEFAULT_BASE, PREFIXES

SH = rdflib.Namespace(PREFIXES["sh"])


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str
    value: str
    origin: str  # "file:row" of the data row the focus node came from, if known

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        detail = f" (value {self.value})" if self.value else ""
        return f"{where}<{self.focus}> {self.path}: {self.message}{detail} [{self.shape}]"


@dataclass(frozen=True)
class Report:
    violations: tuple[Violation, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def __str__(self) -> str:
        if self.conforms:
            return "SHACL validation: the graph conforms to every shape."
        lines = [f"SHACL validation: {len(self.violations)} violation(s)"]
        lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)


def to_rdflib(triples: Iterable[Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def read_shapes(ontology_dir: Path, base_iri: str) -> rdflib.Graph:
    """The shapes, with their concept and scheme prefixes moved to the configured base."""
    text = (Path(ontology_dir) / "shapes.ttl").read_text(encoding="utf-8")
    for path in ("concept/", "scheme/"):
        text = text.replace(f"<{DEFAULT_BASE}{path}>", f"<{base_iri}{path}>")
    return rdflib.Graph().parse(data=text, format="turtle")


def validate(
    triples: Iterable[Triple],
    ontology_dir: Path,
    base_iri: str = DEFAULT_BASE,
    origins: Mapping[str, str] | None = None,
) -> Report:
    """Validate data triples against ``shapes.ttl``, with ``kosru.ttl`` as the ontology.

    The ontology is given as ``ont_graph`` so that sh:class and sh:targetClass follow
    rdfs:subClassOf; no inference is run, since RDFS ranges would hide typing errors.
    """
    shapes = read_shapes(ontology_dir, base_iri)
    ontology = rdflib.Graph().parse(Path(ontology_dir) / "kosru.ttl")
    _, report, _ = pyshacl.validate(
        to_rdflib(triples),
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        inplace=True,  # the graph is this call's own: pySHACL need not copy it before mixing in the ontology
    )
    return Report(tuple(sorted(_violations(report, origins or {}), key=str)))


def _violations(report: rdflib.Graph, origins: Mapping[str, str]) -> Iterable[Violation]:
    """The report's top-level results (nested sh:detail results would repeat them)."""
    for result in report.objects(None, SH.result):
        focus = str(report.value(result, SH.focusNode) or "")
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        yield Violation(
            focus=focus,
            path=path.n3(report.namespace_manager) if path is not None else "",
            message=str(report.value(result, SH.resultMessage) or "constraint violated"),
            shape=str(report.value(result, SH.sourceShape) or ""),
            value=str(value) if value is not None else "",
            origin=origins.get(focus, ""),
        )


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process is sent when its parent dies


def _die_with(parent: int) -> None:
    """Have Linux kill this process when its parent (a build) dies, rather than validate for nobody."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # elsewhere, it ends once it has validated
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def main(job: str, parent: str) -> None:
    _die_with(int(parent))
    with open(job, "rb") as pickled:
        ntriples, ontology_dir, base_iri, origins = pickle.load(pickled)
    report = validate(parse(ntriples, format=RdfFormat.N_TRIPLES), ontology_dir, base_iri, origins)
    sys.stdout.buffer.write(pickle.dumps(report))


if __name__ == "__main__":
    from kosru_kg.graph import validate as module  # the Report it pickles is this module's, not __main__'s

    module.main(*sys.argv[1:])
