"""The kosru-kg command as a user runs it: a real process, real files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import BASE


def kosru(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kosru_kg", *args], capture_output=True, text=True, env=env)


def test_query_answers_from_the_published_store(settings):
    result = kosru("query", "--store", str(settings.store), "--format", "csv",
                   f"SELECT ?l WHERE {{ <{BASE}state/kosovo> "
                   "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = 'en') }")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["l", "Kosovo"]


def test_query_ask_prints_true_or_false(settings):
    result = kosru("query", "--store", str(settings.store), "ASK { ?s ?p ?o }")
    assert result.stdout.strip() == "true"


def test_a_malformed_query_names_the_position(settings):
    result = kosru("query", "--store", str(settings.store), "SELECT ?x WHERE { ?x }")
    assert result.returncode == 1
    assert "malformed query" in result.stderr and "1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_goes_through_the_backend_and_refuses_service(settings):
    result = kosru("query", "--store", str(settings.store), "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert result.returncode == 1 and "SERVICE" in result.stderr and "403" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_keeps_the_query_time_limit(settings):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    result = kosru("query", "--store", str(settings.store), slow, env={**os.environ, "KOSRU_QUERY_TIMEOUT": "1"})
    assert result.returncode == 1 and "time limit of 1 s" in result.stderr


def test_query_and_export_use_the_remote_backend_when_set(published_oxigraph, tmp_path):
    remote = {**os.environ, "KOSRU_BACKEND": published_oxigraph.query}
    nowhere = str(tmp_path / "no-store")  # no local store: the answers can only come from the remote engine
    result = kosru("query", "--store", nowhere, "--format", "csv",
                   f"SELECT ?l WHERE {{ <{BASE}state/kosovo> "
                   "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = 'en') }", env=remote)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["l", "Kosovo"]
    exported = kosru("export", "--store", nowhere, "--format", "ntriples", env=remote)
    assert exported.returncode == 0, exported.stderr
    assert f"<{BASE}state/kosovo>" in exported.stdout


def test_a_format_that_cannot_carry_the_answer_is_a_usage_error(settings):
    result = kosru("query", "--store", str(settings.store), "--format", "turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.returncode == 2 and "turtle cannot carry" in result.stderr


def test_a_graph_answer_comes_as_n_triples_by_default(settings):
    result = kosru("query", "--store", str(settings.store), "CONSTRUCT WHERE { ?s a ?c } LIMIT 2")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2 and all(line.endswith(" .") for line in result.stdout.splitlines())


def test_query_without_a_store_says_how_to_build_one(tmp_path):
    result = kosru("query", "--store", str(tmp_path / "none"), "ASK {}")
    assert result.returncode == 1
    assert "kosru-kg build" in result.stderr


def test_validate_passes_on_the_project_data():
    result = kosru("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout


def test_validate_exits_1_and_prints_the_report_on_a_violation(tmp_path, settings, data_slice):
    """On the small slice of data/ (conftest.data_slice): checking it takes a second, the whole data's ten."""
    ontology = tmp_path / "ontology"
    shutil.copytree(settings.ontology_dir, ontology)
    shapes = ontology / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + f"""
<https://w3id.org/kosru/shapes#TestShape> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetNode> <{BASE}state/kosovo> ;
    <http://www.w3.org/ns/shacl#property> [
        <http://www.w3.org/ns/shacl#path> <http://www.w3.org/2000/01/rdf-schema#label> ;
        <http://www.w3.org/ns/shacl#maxCount> 0 ;
        <http://www.w3.org/ns/shacl#message> "test: Kosovo may not have a label" ] .
""", encoding="utf-8")
    result = kosru("validate", env={**os.environ, "KOSRU_ONTOLOGY_DIR": str(ontology), "KOSRU_DATA_DIR": str(data_slice)})
    assert result.returncode == 1
    assert "1 violation(s)" in result.stderr
    assert "entities.csv:" in result.stderr and "test: Kosovo may not have a label" in result.stderr


def test_build_reports_bad_data_and_keeps_the_store(tmp_path, settings, store_copy):
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    with (data / "entities.csv").open("a", encoding="utf-8") as handle:
        handle.write("kosovo,State,Kosovo again,,,,,,,article,,\n")
    store = store_copy  # a built store: the session's, copied
    version = (store / "current").resolve()
    result = kosru("build", "--store", str(store), env={**os.environ, "KOSRU_DATA_DIR": str(data)})
    assert result.returncode == 1
    assert "entities.csv:" in result.stderr and "duplicate identifier 'kosovo'" in result.stderr
    assert "the published store is unchanged" in result.stderr
    assert (store / "current").resolve() == version


def test_diff_prints_the_changes_between_two_built_versions(tmp_path, data_slice):
    """Two builds of the small slice of data/ (conftest.data_slice), a few seconds each, not a minute."""
    data = tmp_path / "data"
    shutil.copytree(data_slice, data)
    store = tmp_path / "store"
    env = {**os.environ, "KOSRU_DATA_DIR": str(data)}
    first = kosru("build", "--store", str(store), env=env)
    assert first.returncode == 0, first.stderr
    entities = data / "entities.csv"
    header, costa_rica, *rest = entities.read_text(encoding="utf-8").split("\n")
    assert costa_rica.startswith("costa-rica,")
    columns = header.split(",")
    cells = costa_rica.split(",")
    assert cells[columns.index("alt_labels")] == ""
    cells[columns.index("alt_labels")] = "Republic of Costa Rica"
    entities.write_text("\n".join([header, ",".join(cells), *rest]), encoding="utf-8")
    second = kosru("build", "--store", str(store), env=env)
    assert second.returncode == 0, second.stderr
    old, new = (line.split()[2].rstrip(":") for line in (first.stdout, second.stdout))
    assert old != new
    # The build archived every dump of each version, beside the published store.
    for version in (old, new):
        assert sorted(p.name for p in (store / "dumps" / version).iterdir()) == sorted(
            f"kosru.{suffix}" for suffix in ("ttl", "nt", "jsonld", "rdf", "nq", "trig"))

    added = f'<{BASE}state/costa-rica> <http://www.w3.org/2004/02/skos/core#altLabel> ' \
            '"Republic of Costa Rica"@en .'
    patch = kosru("diff", "--store", str(store), old, new)
    assert patch.returncode == 0, patch.stderr
    assert patch.stdout.splitlines()[1:] == ["TX .", f"A {added}", "TC ."]
    assert "1 triple(s) added, 0 removed" in patch.stderr
    backwards = kosru("diff", "--store", str(store), new, old)
    assert backwards.stdout.splitlines()[1:] == ["TX .", f"D {added}", "TC ."]
    trig = kosru("diff", "--store", str(store), "--format", "trig", old, new)
    assert trig.returncode == 0 and ":added> {" in trig.stdout and "Republic of Costa Rica" in trig.stdout

    unknown = kosru("diff", "--store", str(store), old, "0000000000000000")
    assert unknown.returncode == 1
    assert f"the versions are {old}, {new}" in unknown.stderr and "Traceback" not in unknown.stderr
