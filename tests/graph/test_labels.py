"""Names of states in other languages: CLDR's, each with its source; bad rows fail with file, row and reason."""

from __future__ import annotations

import csv
import shutil

import pytest
from babel.core import get_cldr_version
from conftest import BASE
from test_bad_data import failing_build

from kosru_kg.graph.labels import CLDR_CODES, COLUMNS, cldr_rows, to_cyrillic, to_latin, write_cldr_labels

SKOSXL = "http://www.w3.org/2008/05/skos-xl#"


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("Србија", "Srbija"), ("Љубљана", "Ljubljana"), ("ЉУБЉАНА", "LJUBLJANA"), ("Њујорк", "Njujork"),
    ("Џибути", "Džibuti"), ("Ђурђевдан", "Đurđevdan"), ("Чачак, Ћуприја, Шабац, Жабаљ", "Čačak, Ćuprija, Šabac, Žabalj"),
    ('<a href="%(href)s">Питања</a>', '<a href="%(href)s">Pitanja</a>'),  # markup and placeholders untouched
])
def test_transliteration(cyrillic, latin):
    assert to_latin(cyrillic) == latin
    if "<" not in latin and not latin.isupper():
        assert to_cyrillic(latin) == cyrillic


def test_every_state_with_a_code_gets_a_name_in_each_language(settings):
    entities = read(settings.data_dir / "entities.csv")
    rows = cldr_rows(entities)
    coded = {e["id"] for e in entities if e["iso3166"]} | set(CLDR_CODES)
    assert {r["entity"] for r in rows} == coded
    assert len(rows) == 4 * len(coded)
    by = {(r["entity"], r["language"]): r["label"] for r in rows}
    assert by["kosovo", "sq"] == "Kosovë"  # CLDR's XK
    assert by["united-nations", "ru"] == "Организация Объединенных Наций"  # CLDR's UN
    assert by["russia", "ru"] == "Россия" and by["serbia", "sr-Cyrl"] == "Србија" and by["serbia", "sr-Latn"] == "Srbija"
    assert {r["source"] for r in rows} == {f"cldr-{get_cldr_version()}"}
    assert not any(r["derived_from"] for r in rows)  # CLDR has both Serbian scripts


def test_the_data_holds_what_the_generator_writes(settings):
    """data/labels.csv is current: rerun `kosru-kg cldr-labels` after adding states."""
    cldr = [r for r in read(settings.data_dir / "labels.csv") if r["source"].startswith("cldr-")]
    expected = cldr_rows(read(settings.data_dir / "entities.csv"))
    assert sorted(cldr, key=lambda r: (r["entity"], r["language"])) == sorted(
        expected, key=lambda r: (r["entity"], r["language"]))


def test_generator_is_rerunnable_and_keeps_other_sources(tmp_path, settings):
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    with (data / "labels.csv").open("a", encoding="utf-8") as handle:
        handle.write("vladimir-putin,ru,Владимир Путин,tass-724180,\n")
    with (data / "entities.csv").open("a", encoding="utf-8") as handle:
        handle.write("new-zealand,State,New Zealand,,,,NZ,,,rigour-territories,,\n")
    sources_before = (data / "sources.csv").read_text(encoding="utf-8")
    write_cldr_labels(data)
    first = (data / "labels.csv").read_bytes()
    write_cldr_labels(data)
    assert (data / "labels.csv").read_bytes() == first
    assert (data / "sources.csv").read_text(encoding="utf-8") == sources_before  # its CLDR row already there
    rows = read(data / "labels.csv")
    assert {"entity": "vladimir-putin", "language": "ru", "label": "Владимир Путин", "source": "tass-724180",
            "derived_from": ""} in rows
    assert {(r["language"], r["label"]) for r in rows if r["entity"] == "new-zealand"} == {
        ("sq", "Zelandë e Re"), ("sr-Cyrl", "Нови Зеланд"), ("sr-Latn", "Novi Zeland"), ("ru", "Новая Зеландия")}
    assert list(rows[0]) == list(COLUMNS)


def test_labels_in_the_graph_carry_their_source(store):
    rows = list(store.query(f"""
        PREFIX skosxl: <{SKOSXL}> PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?form ?title WHERE {{
          <{BASE}state/russia> skosxl:prefLabel ?label .
          ?label a skosxl:Label ; skosxl:literalForm ?form ; prov:wasDerivedFrom/dct:title ?title }}"""))
    forms = {(row["form"].value, row["form"].language) for row in rows}
    assert forms == {("Rusi", "sq"), ("Русија", "sr-cyrl"), ("Rusija", "sr-latn"), ("Россия", "ru")} or forms == {
        ("Rusi", "sq"), ("Русија", "sr-Cyrl"), ("Rusija", "sr-Latn"), ("Россия", "ru")}
    assert {row["title"].value for row in rows} == {f"Unicode CLDR {get_cldr_version()}"}
    labels = store.query(f"SELECT ?l WHERE {{ <{BASE}state/russia> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")
    # rdfs:label too, one per language: what a SPARQL user asking for a name in Russian looks for
    assert {((row["l"].language or "").lower(), row["l"].value) for row in labels} == {
        ("en", "Russia"), ("sq", "Rusi"), ("sr-cyrl", "Русија"), ("sr-latn", "Rusija"), ("ru", "Россия")}


def _append(path, line):
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)


@pytest.fixture()
def data_copy(tmp_path, settings):
    target = tmp_path / "data"
    shutil.copytree(settings.data_dir, target)
    return target


@pytest.mark.parametrize(("line", "field", "reason"), [
    ("russia,de,Russland,cldr-49,", "language", "unknown value 'de'"),
    ("russia,ru,Россия,cldr-49,", "language", "a second ru label of 'russia'"),
    ("no-such-state,ru,Нет,cldr-49,", "entity", "unknown reference 'no-such-state'"),
    ("vladimir-putin,ru,Vladimir Putin,tass-724180,", "label", "not in the cyrillic script"),
    ("vladimir-putin,sr-Latn,Владимир Путин,tass-724180,", "label", "not in the latin script"),
    ("vladimir-putin,sr-Latn,Vladimir Putin,no-such-source,", "source", "unknown reference 'no-such-source'"),
    ("vladimir-putin,sr-Latn,Vladimir Putin,tass-724180,sr-Cyrl", "derived_from", "no sr-Cyrl label of 'vladimir-putin'"),
    ("vladimir-putin,ru,,tass-724180,", "label", "required field is empty"),
])
def test_bad_label_row_fails_with_file_row_and_reason(settings, data_copy, line, field, reason):
    row = _append(data_copy / "labels.csv", line)
    message = failing_build(settings, data_copy)
    assert f"labels.csv:{row}: {field}: " in message and reason in message, message
