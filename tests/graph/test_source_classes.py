"""Every source has a class, and a claim resting on weak sources only is unverified (issue 22, point 2).

The classes are read off data/sources.csv and compared with the built graph; the claims marked
unverified are recomputed from data/positions.csv row by row.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from pyoxigraph import NamedNode

from kosru_kg.vocab import KOSRU, prologue

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CLASSES = ("official-source", "news-source", "reference-source", "weak-source")


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


SOURCES = {r["id"]: r["source_class"] for r in rows("sources.csv")}


def sources_of(row: dict[str, str]) -> list[str]:
    return [s.strip() for s in row["sources"].split(";") if s.strip()]


def weak_only(row: dict[str, str]) -> bool:
    return all(SOURCES[s] == "weak-source" for s in sources_of(row))


def test_every_source_row_has_one_of_the_four_classes():
    assert set(SOURCES.values()) <= set(CLASSES)
    assert all(SOURCES.values())


def test_the_classes_are_concepts_of_their_own_scheme():
    concepts = {r["id"]: r for r in rows("concepts.csv")}
    assert {i for i, r in concepts.items() if r["scheme"] == "source-class"} == set(CLASSES)
    assert [concepts[c]["label"] for c in CLASSES] == ["official", "news", "reference", "weak"]


def test_each_source_in_the_graph_has_the_class_of_its_row(store, settings):
    query = prologue("kosru") + "SELECT ?source ?class WHERE { ?source a kosru:Source ; kosru:sourceClass ?class }"
    found = {row["source"].value: row["class"].value for row in store.query(query)}
    base = settings.base_iri
    assert found == {f"{base}source/{i}": f"{base}concept/{c}" for i, c in SOURCES.items()}


def test_some_classes_read_off_the_address():
    assert SOURCES["mfa-ks-recognitions"] == "official-source"  # Kosovo's foreign ministry
    assert SOURCES["un-research-members"] == "official-source"  # the UN's library
    assert SOURCES["reuters-2008-02-20-taiwan"] == "news-source"
    assert SOURCES["enwiki-jamaica-kosovo"] == "reference-source"
    assert SOURCES["article"] == "reference-source"
    assert SOURCES["pixius-sandbox"] == "weak-source"  # a user sandbox
    assert SOURCES["kihulane-talk-recognition"] == "weak-source"  # a talk page copy
    assert SOURCES["newspravda-niger-2025-04-13"] == "weak-source"  # an aggregator
    assert SOURCES["enwikipedia-net-recognition"] == "weak-source"  # a mirror


def test_claims_on_weak_sources_only_are_unverified(store, settings):
    query = prologue("kosru") + f"""SELECT ?claim WHERE {{
      ?claim a kosru:PositionClaim ; kosru:verification <{settings.base_iri}concept/unverified> }}"""
    found = {row["claim"].value.rsplit("/", 1)[1] for row in store.query(query)}
    positions = rows("positions.csv")
    # a row that states its own verification (disputed, inferred) keeps it
    expected = {r["id"] for r in positions if (weak_only(r) and not r["verification"]) or r["verification"] == "unverified"}
    assert found == expected
    assert len({r["id"] for r in positions if weak_only(r)}) == 110


def test_a_claim_with_one_source_that_is_not_weak_is_not_marked(store, settings):
    positions = {r["id"]: r for r in rows("positions.csv")}
    mixed = [i for i, r in positions.items()
             if not weak_only(r) and any(SOURCES[s] == "weak-source" for s in sources_of(r)) and not r["verification"]]
    assert mixed, "the data has claims citing a weak source beside a stronger one"
    for ident in mixed:
        claim = NamedNode(f"{settings.base_iri}position/{ident}")
        assert not list(store.quads_for_pattern(claim, NamedNode(KOSRU + "verification"), None)), ident


def test_the_roster_page_gives_the_counts_of_the_data():
    """docs/roster.md, "Source classes": the counts by class, of weak-only claims and of weak-only states."""
    doc = (ROOT / "docs" / "roster.md").read_text(encoding="utf-8")
    counts = Counter(SOURCES.values())
    assert (f"{counts['official-source']} official, {counts['news-source']} news, "
            f"{counts['reference-source']} reference and {counts['weak-source']} weak sources") in doc
    positions = rows("positions.csv")
    weak_claims = [r for r in positions if weak_only(r)]
    assert f"{len(weak_claims)} of the {len(positions)}\nclaims" in doc
    states = {r["state"] for r in positions}
    weak_states = {s for s in states if all(weak_only(r) for r in positions if r["state"] == s)}
    assert f"For {len(weak_states)} states every claim rests on weak sources" in doc


def test_the_json_ld_context_names_the_class():
    from kosru_kg.graph.serialization import CONTEXT
    context = CONTEXT.get("@context", CONTEXT)
    assert context["sourceClass"] == {"@id": "kosru:sourceClass", "@type": "@id"}
