"""SHACL validation with pySHACL, and a report a person can act on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import rdflib
from pyoxigraph import RdfFormat, Triple, serialize

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
