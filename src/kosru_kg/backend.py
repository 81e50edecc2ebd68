"""The narrow query interface the web tier uses, and its embedded implementation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from pyoxigraph import NamedNode, Quad, Store, Variable

from .outbound import refuse_remote_services
from .store import Manifest, StoreLayout


class Backend(Protocol):
    """Where queries are answered: an embedded store or (later) a remote endpoint."""

    version: str

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        substitutions: Mapping[Variable, object] | None = None,
        base_iri: str | None = None,
    ): ...


class EmbeddedBackend:
    """A pyoxigraph store held in memory: the graph is small and memory answers fastest."""

    def __init__(self, store: Store, version: str):
        self.store = store
        self.version = version

    @classmethod
    def from_layout(cls, layout: StoreLayout) -> "EmbeddedBackend":
        """Copy the published version into memory, so serving never touches the files."""
        manifest: Manifest = layout.manifest()
        on_disk = layout.open()
        memory = Store()
        memory.bulk_extend(on_disk.quads_for_pattern(None, None, None, None))
        return cls(memory, manifest.version)

    @classmethod
    def from_quads(cls, quads: Sequence[Quad], version: str) -> "EmbeddedBackend":
        store = Store()
        store.extend(quads)
        return cls(store, version)

    def query(self, sparql, *, default_graph=None, named_graphs=None, substitutions=None, base_iri=None):
        refuse_remote_services(sparql)
        kwargs = {"base_iri": base_iri}
        if default_graph is not None:
            kwargs["default_graph"] = list(default_graph)
        if named_graphs is not None:
            kwargs["named_graphs"] = list(named_graphs)
        if substitutions:
            kwargs["substitutions"] = dict(substitutions)
        return self.store.query(sparql, **kwargs)
