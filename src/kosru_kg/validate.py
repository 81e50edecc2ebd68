"""SHACL validation with pySHACL, and a report a person can act on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import rdflib
from pyoxigraph import RdfFormat, Triple, serialize

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


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


def validate(
    triples: Iterable[Triple],
    ontology_dir: Path,
    origins: Mapping[str, str] | None = None,
) -> Report:
    """Validate data triples against ``shapes.ttl``, with ``kosru.ttl`` as the ontology."""
    shapes = rdflib.Graph().parse(Path(ontology_dir) / "shapes.ttl")
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
    for result in report.subjects(SH.resultSeverity, SH.Violation):
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
