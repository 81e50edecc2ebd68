"""Canonical statements: equal graphs give equal statements, in equal order, so equal bytes.

Here, below the service layer, so that publishing can archive a version's line-based dumps
(N-Triples, N-Quads) exactly as ``graph.serialization`` writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, RdfFormat, Triple, serialize

from kosru_kg.vocab import RDF_TYPE


def canonical(items: Iterable[Triple | Quad]) -> list[Quad]:
    """Sorted, with blank nodes labelled by RDF Dataset Canonicalization: equal graphs give equal bytes."""
    dataset = Dataset(i if isinstance(i, Quad) else Quad(i.subject, i.predicate, i.object) for i in items)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=lambda q: (str(q.graph_name), str(q.subject), q.predicate != RDF_TYPE,
                                          str(q.predicate), str(q.object)))


def line_based(quads: Sequence[Quad], dataset: bool) -> bytes:
    """Canonical statements as N-Quads (``dataset``) or, their graph names dropped, as N-Triples."""
    if dataset:
        return serialize(quads, format=RdfFormat.N_QUADS)
    return serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES)
