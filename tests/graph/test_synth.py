"""The synthetic graph: the real graph's shapes at a chosen size, deterministic, published and queryable."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import BASE
from pyoxigraph import NamedNode

from kosru_kg.cli import main
from kosru_kg.graph import synth
from kosru_kg.graph.facts import Ref
from kosru_kg.graph.store import StoreLayout, quiet
from kosru_kg.graph.validate import validate
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.service import questions

SYNTHETIC = 12_000  # triples added to the real graph: a few synthetic states, with every kind of fact
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KOSRU = "https://w3id.org/kosru/ontology#"
FACT_CLASSES = {"PositionClaim", "Stance", "Statement", "Event", "SportingEvent", "Match", "Result", "Veto",
                "RecognitionCount", "BilateralRelation", "Membership", "Role", "PartiallyRecognisedState",
                "State", "Person", "Team", "Venue", "City", "NewsMedium", "Source"}


def kosru(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kosru_kg", *args], capture_output=True, text=True)


@pytest.fixture(scope="module", autouse=True)
def real_graph_compiled_once(settings):
    """Every synthesiser made in this process starts from the real graph, read, mapped and validated once
    (it is the same every time; a synthesiser compiles it again, some ten seconds, each time it is made)."""
    compiled = synth.compile_graph(settings)
    real = (settings.data_dir, settings.ontology_dir, settings.base_iri)

    def compile_graph(asked, facts=None, progress=quiet):
        assert (asked.data_dir, asked.ontology_dir, asked.base_iri) == real
        return compiled

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(synth, "compile_graph", compile_graph)
        yield


@pytest.fixture(scope="module")
def size(settings) -> int:
    """The size asked for: the real graph's triples, as its build counted them, and some synthetic ones."""
    return StoreLayout(settings.store).manifest().triples + SYNTHETIC


@pytest.fixture(scope="module")
def synthesiser(settings, size) -> synth.Synthesiser:
    return synth.Synthesiser(settings, size, seed=0)


@pytest.fixture(scope="module")
def synthetic_triples(synthesiser) -> list:
    return [t for chunk in synthesiser.fact_triples() for t in chunk]


def nquads(synthesiser: synth.Synthesiser) -> bytes:
    out = io.BytesIO()
    synthesiser.write_nquads(out)
    return out.getvalue()


def test_the_synthetic_graph_conforms_to_the_shapes(settings, synthesiser, synthetic_triples):
    report = validate([*synthesiser.graph.facts, *synthetic_triples], settings.ontology_dir, settings.base_iri)
    assert report.conforms, str(report)


def test_it_has_every_kind_of_fact_and_entity_of_the_real_graph(synthetic_triples):
    classes = {t.object.value.removeprefix(KOSRU) for t in synthetic_triples if t.predicate.value == RDF_TYPE}
    assert classes >= FACT_CLASSES


def test_every_synthetic_triple_is_about_a_synthetic_resource(synthesiser, synthetic_triples):
    assert all("/syn-" in t.subject.value for t in synthetic_triples)
    assert {t.subject.value for t in synthetic_triples}.isdisjoint({t.subject.value for t in synthesiser.graph.facts})


def test_it_reaches_the_size_asked_for_and_overshoots_by_less_than_one_chunk(synthesiser, synthetic_triples, size):
    total = synthesiser.real_triples + len(synthetic_triples)
    assert size <= total < size + synth.CHUNK_MAX
    assert len(set(synthetic_triples)) == len(synthetic_triples)


def test_the_same_size_and_seed_give_the_same_graph_and_another_seed_another(settings, synthesiser, size):
    again = synth.Synthesiser(settings, size, seed=0)
    other = synth.Synthesiser(settings, size, seed=1)
    assert nquads(again) == nquads(synthesiser)
    assert again.version() == synthesiser.version()
    assert nquads(other) != nquads(synthesiser)
    assert other.version() != synthesiser.version()


def test_a_larger_graph_begins_with_the_smaller_one(settings, synthetic_triples, size):
    larger = synth.Synthesiser(settings, size * 2, seed=0)
    assert [t for chunk in larger.fact_triples() for t in chunk][:len(synthetic_triples)] == synthetic_triples


def test_a_size_below_the_real_graph_is_refused(settings, synthesiser):
    with pytest.raises(synth.SynthError, match=f"{synthesiser.real_triples} triples"):
        synth.Synthesiser(settings, 100)


def test_every_canned_question_answers_on_the_published_synthetic_graph(settings, tmp_path, size):
    settings = settings.replace(store=str(tmp_path / "store"))
    manifest = synth.build_store(settings, size)
    layout = StoreLayout(settings.store)
    assert layout.manifest() == manifest and size <= manifest.triples < size + synth.CHUNK_MAX
    store = layout.open()
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == manifest.triples
    backend = EmbeddedBackend(layout, settings)
    try:
        for name, question in questions.load(settings.queries_dir, settings.base_iri).items():
            _, bindings = question.bind({}, backend, settings.base_iri)
            assert list(question.answer(backend, bindings)), f"{name} has no answer on the synthetic graph"
    finally:
        backend.close()


def test_the_synth_command_publishes_a_store_that_query_reads(tmp_path, size):
    """The commands in this process (Click's runner): what they print and exit with is the same as a
    process's; the exit status a user sees from a process is the next test's."""
    store = str(tmp_path / "store")
    made = CliRunner().invoke(main, ["synth", "--triples", str(size), "--seed", "3", "--store", store])
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("published version synth-")
    triples = int(made.stdout.split(": ")[1].split()[0])
    counted = CliRunner().invoke(main, ["query", "--store", store, "--format", "csv",
                                        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
    assert counted.stdout.splitlines() == ["n", str(triples)]
    label = CliRunner().invoke(main, ["query", "--store", store, "--format", "csv",
                                      f"SELECT ?l WHERE {{ <{BASE}state/syn-state-1> "
                                      "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"])
    assert label.stdout.splitlines() == ["l", "Synthetic State 1"]


def test_the_synth_command_names_the_smallest_size_it_accepts(tmp_path, synthesiser):
    result = kosru("synth", "--triples", "10", "--store", str(tmp_path / "store"))
    assert result.returncode == 2
    assert "--triples" in result.stderr and f"{synthesiser.real_triples} triples" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "store" / "current").exists()


def test_references_resolve_from_synthetic_ids_alone(settings, synthesiser):
    mapper, world = synthesiser.mapper, synthesiser.world
    record = world.lookup(Ref(("entities",), "syn-team-7-women"))
    assert mapper.iri(record) == NamedNode(f"{settings.base_iri}team/syn-team-7-women")
    assert mapper.iri(world.lookup(Ref(("entities",), "kosovo"))) == NamedNode(f"{settings.base_iri}state/kosovo")
