"""Publishing: built aside, swapped in atomically, deterministic."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from conftest import BASE
from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph, Literal, NamedNode, Quad

from kosru_kg import formats
from kosru_kg.graph.build import ValidationFailed, build
from kosru_kg.graph.store import StoreLayout, StoreMissing, StoreStage


def canonical(layout: StoreLayout) -> Dataset:
    """The published dataset with blank nodes canonically renamed, so equality is isomorphism."""
    dataset = Dataset(layout.open().quads_for_pattern(None, None, None, None))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


@pytest.fixture(scope="module")
def quads(store) -> list:
    """The session store's quads: what the publishing tests below publish (their content does not matter)."""
    return list(store.quads_for_pattern(None, None, None, None))


def test_building_twice_gives_isomorphic_graphs(settings, rebuilt):
    """The session's store and a second build of the same data (``rebuilt``)."""
    first = StoreLayout(settings.store)
    second = StoreLayout(rebuilt.store)
    assert first.manifest().version == second.manifest().version
    assert canonical(first) == canonical(second)


def test_plain_queries_see_the_facts_without_graph_clauses(store):
    assert store.query(f'ASK {{ <{BASE}state/kosovo> ?p ?o }}')
    named = store.query(f'ASK {{ GRAPH <{BASE}graph/facts> {{ <{BASE}state/kosovo> ?p ?o }} }}')
    assert named


def test_ontology_is_in_its_own_named_graph(store):
    assert store.query(
        f'ASK {{ GRAPH <{BASE}graph/ontology> '
        '{ <https://w3id.org/kosru/ontology> a <http://www.w3.org/2002/07/owl#Ontology> } }'
    )


def test_a_shape_violation_publishes_nothing(settings, tmp_path, store_copy, data_slice):
    """Over a copy of the session's store, a build of the small slice of data/ (checking it takes a second,
    the whole data's ten) that a shape added to the ontology finds at fault."""
    layout = StoreLayout(store_copy)
    before = layout.manifest()
    ontology = tmp_path / "ontology"
    shutil.copytree(settings.ontology_dir, ontology)
    shapes = ontology / "shapes.ttl"
    # A shape no real fact satisfies: every position claim must have an impossible property.
    shapes.write_text(shapes.read_text(encoding="utf-8") + """
<https://w3id.org/kosru/shapes#ImpossibleShape> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> <https://w3id.org/kosru/ontology#PositionClaim> ;
    <http://www.w3.org/ns/shacl#property> [
        <http://www.w3.org/ns/shacl#path> <https://w3id.org/kosru/ontology#noSuchProperty> ;
        <http://www.w3.org/ns/shacl#minCount> 1 ;
        <http://www.w3.org/ns/shacl#message> "test: impossible" ] .
""", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        build(settings.replace(store=str(layout.root), ontology_dir=str(ontology), data_dir=str(data_slice)))
    assert "test: impossible" in str(caught.value)
    assert "positions.csv:" in str(caught.value)  # violations name the data row
    assert layout.manifest() == before


def test_an_unbuilt_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreMissing, match="kosru-kg build"):
        StoreLayout(tmp_path / "nothing").open()


def archive_named(n: int):
    def write(folder: Path) -> None:
        (folder / "kosru.nt").write_text(f"# version test{n}\n", encoding="utf-8")
    return write


def test_old_stores_are_pruned_but_current_stays_and_every_archive_is_kept(store_copy, quads):
    layout = StoreLayout(store_copy)  # a build: the session's, copied
    first = layout.manifest()
    for n in range(3):
        layout.make_current(quads, f"test{n}", triples=0, archive=archive_named(n))
    names = sorted(p.name for p in layout.versions.iterdir() if p.is_dir())
    assert names == ["test1", "test2"]
    assert layout.manifest().version == "test2"
    assert [r.version for r in layout.releases()] == [first.version, "test0", "test1", "test2"]
    assert sorted(p.name for p in layout.dumps.iterdir()) == sorted([first.version, "test0", "test1", "test2"])
    assert layout.dump_path("test0", "kosru.nt").read_text(encoding="utf-8") == "# version test0\n"
    assert sorted(p.name for p in layout.dumps.joinpath(first.version).iterdir()) == sorted(f.file_name for f in formats.DUMPS)


def test_a_version_is_recorded_once_with_the_date_it_was_first_published(tmp_path, quads):
    layout = StoreLayout(tmp_path / "store")
    for version in ("a", "b", "a"):
        layout.make_current(quads, version, triples=7)
    releases = layout.releases()
    assert [r.version for r in releases] == ["a", "b"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", releases[0].published)
    assert releases[0].triples == 7 and releases[0].quads > 0
    assert layout.manifest().version == "a"


def test_a_version_switched_to_but_not_recorded_is_recorded_by_the_next_build(tmp_path, quads):
    layout = StoreLayout(tmp_path / "store")

    def die_after_switching(stage, detail):
        if stage is StoreStage.SWITCHED:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        layout.make_current(quads, "a", triples=7, progress=die_after_switching)
    assert layout.manifest().version == "a" and layout.releases() == []
    layout.make_current(quads, "b", triples=7)
    assert [r.version for r in layout.releases()] == ["a", "b"]


@pytest.mark.parametrize("version", ["", "../x", "a/b", "a.b", "x" * 65])
def test_a_version_name_that_could_reach_outside_the_store_is_refused(tmp_path, version):
    layout = StoreLayout(tmp_path / "store")
    with pytest.raises(ValueError, match="a version is named"):
        layout.make_current([], version, triples=0)
    with pytest.raises(ValueError, match="no such dump"):
        layout.dump_path(version, "kosru.nt")
    assert not layout.root.exists()


def test_what_publishing_writes_is_readable_by_all_whatever_the_umask(tmp_path):
    """A server may run as a user of its own: files 0644, folders 0755, even under a umask of 077."""
    layout = StoreLayout(tmp_path / "store")
    quads = [Quad(NamedNode("https://example.org/kosovo"), NamedNode("https://example.org/name"), Literal("Kosovo"),
                  DefaultGraph())]
    previous = os.umask(0o077)
    try:
        layout.make_current(quads, "v1", triples=1, archive=archive_named(1), inputs="digest")
    finally:
        os.umask(previous)
    modes = {path.relative_to(layout.root).as_posix(): stat.S_IMODE(path.stat().st_mode)
             for path in layout.root.rglob("*") if not path.is_symlink() and path.name != "lock"}
    assert {"versions/v1/search.sqlite", "dumps/v1/kosru.nt", "versions.json", "built-from.json"} <= set(modes)
    assert {name: mode for name, mode in modes.items() if mode != (0o755 if (layout.root / name).is_dir() else 0o644)} == {}
