"""Versions, their archived dumps and the changes between two, over small graphs published in a tmp store."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from kosru_kg import formats
from kosru_kg.errors import BadRequest, NotFound
from kosru_kg.formats import Kind
from kosru_kg.graph import serialization
from kosru_kg.graph.canonical import canonical, line_based
from kosru_kg.graph.store import StoreLayout
from kosru_kg.service.versions import Versions

LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
KOSOVO, SERBIA, CHINA = (NamedNode(f"{BASE}state/{name}") for name in ("kosovo", "serbia", "china"))


def label(subject: NamedNode, text: str) -> Triple:
    return Triple(subject, LABEL, Literal(text, language="en"))


def build_version(layout: StoreLayout, version: str, triples: list[Triple]) -> None:
    """Make ``triples`` the current version as a build does: in the default graph and a named graph, archived."""
    quads = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
    quads += [Quad(t.subject, t.predicate, t.object, NamedNode(f"{BASE}graph/facts")) for t in triples]

    def archive(folder: Path) -> None:
        for fmt in formats.DUMPS:
            statements = canonical(quads[len(triples):] if fmt.kind is Kind.DATASET else triples)
            (folder / fmt.file_name).write_bytes(serialization.render(statements, fmt, BASE))

    layout.make_current(quads, version, triples=len(triples), archive=archive)


V1 = [label(KOSOVO, "Kosovo"), label(SERBIA, "Serbia")]
V2 = [label(KOSOVO, "Kosova"), label(SERBIA, "Serbia"), label(CHINA, "China")]


@pytest.fixture()
def published(tmp_path) -> Versions:
    layout = StoreLayout(tmp_path / "store")
    build_version(layout, "v1", V1)
    build_version(layout, "v2", V2)
    return Versions(layout.root)


def test_changes_are_the_set_differences_of_the_default_graphs(published):
    changes = published.changes("v1", "v2")
    assert set(changes.added) == {label(KOSOVO, "Kosova"), label(CHINA, "China")}
    assert changes.removed == [label(KOSOVO, "Kosovo")]
    assert published.changes("v2", "v2").added == published.changes("v2", "v2").removed == []


def test_changes_are_grouped_by_subject(published):
    groups = published.changes("v1", "v2").by_subject()
    assert groups == [(f"<{CHINA.value}>", [label(CHINA, "China")], []),
                      (f"<{KOSOVO.value}>", [label(KOSOVO, "Kosova")], [label(KOSOVO, "Kosovo")])]


def test_the_rdf_patch_deletes_then_adds_in_one_transaction(published):
    lines = published.changes("v1", "v2").patch().decode("utf-8").splitlines()
    assert lines[0].startswith("H id <") and lines[0].endswith("> .")
    assert lines[1] == "TX ." and lines[-1] == "TC ."
    rows = lines[2:-1]
    assert rows[0] == f'D <{KOSOVO.value}> <{LABEL.value}> "Kosovo"@en .'
    assert sorted(rows[1:]) == sorted([f'A <{CHINA.value}> <{LABEL.value}> "China"@en .',
                                       f'A <{KOSOVO.value}> <{LABEL.value}> "Kosova"@en .'])
    # Each row's statement is N-Triples: applying the patch to v1 gives v2.
    applied = set(V1)
    for row in rows:
        triple = next(iter(parse(row[2:].encode(), format=RdfFormat.N_TRIPLES))).triple
        (applied.discard if row[0] == "D" else applied.add)(triple)
    assert applied == set(V2)


def test_the_trig_holds_an_added_and_a_removed_graph(published):
    changes = published.changes("v1", "v2")
    quads = list(parse(changes.trig(BASE), format=RdfFormat.TRIG))
    graphs = {name: {q.triple for q in quads if q.graph_name == NamedNode(changes.iri(name))}
              for name in ("added", "removed")}
    assert graphs == {"added": {label(KOSOVO, "Kosova"), label(CHINA, "China")}, "removed": {label(KOSOVO, "Kosovo")}}
    assert len(quads) == 3


@pytest.mark.parametrize("name", ["v3", "", "../v1", "v1/../v2", "x" * 100])
def test_an_unknown_version_is_not_found_naming_the_known_ones(published, name):
    with pytest.raises(NotFound, match="the versions are v1, v2"):
        published.release(name)
    with pytest.raises(NotFound, match="the versions are v1, v2"):
        published.changes("v1", name)


def test_the_version_compared_with_by_default_is_the_one_before(published):
    assert published.from_version("v2", None) == "v1"
    assert published.from_version("v1", "v2") == "v2"
    with pytest.raises(NotFound, match="first one published"):
        published.from_version("v1", None)
    with pytest.raises(BadRequest, match="the versions are v1, v2"):
        published.from_version("v2", "")


def test_a_store_never_built_has_no_versions(tmp_path):
    empty = Versions(tmp_path / "nothing")
    assert empty.releases() == []
    with pytest.raises(NotFound, match="no version has been published"):
        empty.release("v1")


def test_a_dump_is_read_from_the_archive_and_never_rendered(published, monkeypatch):
    def no_rendering(*args):
        raise AssertionError("a published dump is never rendered again")

    monkeypatch.setattr(serialization, "render", no_rendering)
    body = published.dump("v1", formats.dump("turtle"))
    assert {q.triple for q in parse(body, format=RdfFormat.TURTLE)} == set(V1)
    assert body == published.layout.dump_path("v1", "kosru.ttl").read_bytes()


def test_a_dump_missing_from_an_archive_is_a_404_not_a_rendering(published):
    published.layout.dump_path("v1", "kosru.ttl").unlink()
    with pytest.raises(NotFound, match="without its dumps"):
        published.dump("v1", formats.dump("turtle"))


def test_the_archived_line_based_dumps_are_served_as_they_are(published):
    assert published.dump("v2", formats.dump("ntriples")) == line_based(canonical(V2), dataset=False)
    trig = published.dump("v2", formats.dump("trig"))
    assert {q.graph_name for q in parse(trig, format=RdfFormat.TRIG)} == {NamedNode(f"{BASE}graph/facts")}


def test_a_version_published_without_an_archive_has_no_dumps(tmp_path):
    layout = StoreLayout(tmp_path / "store")
    layout.make_current([Quad(KOSOVO, LABEL, Literal("Kosovo"), DefaultGraph())], "synthetic", triples=1)
    versions = Versions(layout.root)
    assert [r.version for r in versions.releases()] == ["synthetic"]
    with pytest.raises(NotFound, match="without its dumps"):
        versions.dump("synthetic", formats.dump("turtle"))


def test_the_citation_file_agrees_with_the_site(project_root):
    """CITATION.cff (validated against CFF 1.2.0 with cffconvert) names the data set as the site does."""
    from kosru_kg.service import void  # noqa: PLC0415
    from kosru_kg.vocab import DEFAULT_BASE  # noqa: PLC0415

    lines = (project_root / "CITATION.cff").read_text(encoding="utf-8").splitlines()
    fields = {key: value.strip().strip('"') for key, _, value in (line.partition(":") for line in lines)
              if key and not key.startswith((" ", "-"))}
    assert fields["cff-version"] == "1.2.0"
    assert fields["title"] == void.TITLE
    assert fields["license"] == "CC-BY-SA-4.0"
    assert fields["url"] == DEFAULT_BASE  # the public data set's persistent address, whatever this run's base
    assert "  - name: kosru-kg contributors" in lines
