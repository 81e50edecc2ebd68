"""Each kind of bad data row fails the build with file, row and reason; the published store is untouched."""

from __future__ import annotations

import csv
import shutil

import pytest

from kosru_kg.graph.build import build
from kosru_kg.graph.facts import FactsError
from kosru_kg.graph.store import StoreLayout


@pytest.fixture()
def data_copy(tmp_path, settings):
    """A private copy of data/ to break."""
    target = tmp_path / "data"
    shutil.copytree(settings.data_dir, target)
    return target


def _rewrite(path, change):
    """Read the CSV at ``path``, let ``change(rows)`` edit its rows, write it back."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def edit_row(path, index, **changes):
    """Change cells of data row ``index`` (0-based); return its line number in the file."""
    _rewrite(path, lambda rows: rows[index].update(changes))
    return index + 2


def append_copy_of_row(path, index):
    """Append a copy of data row ``index``; return the new row's line number."""
    rows = _rewrite(path, lambda rows: rows.append(dict(rows[index])))
    return len(rows) + 1


def first_row_with(path, column):
    with path.open(encoding="utf-8", newline="") as handle:
        return next(i for i, row in enumerate(csv.DictReader(handle)) if row.get(column))


def failing_build(settings, data_dir):
    """Build from ``data_dir`` into the session store; return the error, checking nothing changed."""
    layout = StoreLayout(settings.store)
    before = layout.manifest()
    with pytest.raises(FactsError) as caught:
        build(settings.replace(data_dir=str(data_dir)))
    assert layout.manifest() == before
    assert layout.open().query("ASK { ?s ?p ?o }")
    return str(caught.value)


def test_unknown_entity_reference(settings, data_copy):
    path = data_copy / "positions.csv"
    line = edit_row(path, 0, state="atlantis")
    message = failing_build(settings, data_copy)
    assert f"positions.csv:{line}: state: unknown reference 'atlantis'" in message


def test_a_claim_that_does_not_say_whose_recognition_it_is_about(settings, data_copy):
    path = data_copy / "positions.csv"
    line = edit_row(path, 0, recognition_of="")
    message = failing_build(settings, data_copy)
    assert f"positions.csv:{line}: recognition_of: required field is empty" in message


def test_malformed_date(settings, data_copy):
    path = data_copy / "positions.csv"
    index = first_row_with(path, "date")
    line = edit_row(path, index, date="2008-02-30")
    message = failing_build(settings, data_copy)
    assert f"positions.csv:{line}: date: impossible date '2008-02-30'" in message


def test_date_in_wrong_form(settings, data_copy):
    path = data_copy / "events.csv"
    index = first_row_with(path, "start")
    line = edit_row(path, index, start="17/02/2008")
    message = failing_build(settings, data_copy)
    assert f"events.csv:{line}: start: malformed date '17/02/2008'" in message


def test_missing_required_field(settings, data_copy):
    path = data_copy / "stances.csv"
    line = edit_row(path, 0, holder="")
    message = failing_build(settings, data_copy)
    assert f"stances.csv:{line}: holder: required field is empty" in message


def test_missing_source(settings, data_copy):
    path = data_copy / "statements.csv"
    line = edit_row(path, 0, sources="")
    message = failing_build(settings, data_copy)
    assert f"statements.csv:{line}: sources: required field is empty" in message


def test_duplicate_identifier(settings, data_copy):
    path = data_copy / "entities.csv"
    line = append_copy_of_row(path, 0)
    message = failing_build(settings, data_copy)
    assert f"entities.csv:{line}: id: duplicate identifier" in message


def test_wikidata_identifier_not_in_reference(settings, data_copy):
    path = data_copy / "entities.csv"
    index = first_row_with(path, "wikidata")
    line = edit_row(path, index, wikidata="Q99999999")
    message = failing_build(settings, data_copy)
    assert f"entities.csv:{line}: wikidata: Wikidata identifier Q99999999 is not in reference/wikidata.csv" in message


def test_concept_from_the_wrong_scheme(settings, data_copy):
    path = data_copy / "positions.csv"
    line = edit_row(path, 0, position="day")
    message = failing_build(settings, data_copy)
    assert f"positions.csv:{line}: position: concept 'day' is not in scheme 'kosovo-position'" in message


def test_every_error_is_reported_at_once(settings, data_copy):
    edit_row(data_copy / "positions.csv", 0, state="atlantis")
    edit_row(data_copy / "stances.csv", 0, holder="")
    message = failing_build(settings, data_copy)
    assert "positions.csv" in message and "stances.csv" in message


@pytest.mark.parametrize("cell", ["", "official"])
def test_a_source_without_a_class_of_its_scheme(settings, data_copy, cell):
    line = edit_row(data_copy / "sources.csv", 0, source_class=cell)
    message = failing_build(settings, data_copy)
    reason = "required field is empty" if not cell else "concept 'official' is not in scheme 'source-class'"
    assert f"sources.csv:{line}: source_class: {reason}" in message


def test_a_claim_on_weak_sources_only_cannot_be_verified(settings, data_copy):
    with (data_copy / "sources.csv").open(encoding="utf-8", newline="") as handle:
        weak = {r["id"] for r in csv.DictReader(handle) if r["source_class"] == "weak-source"}
    with (data_copy / "positions.csv").open(encoding="utf-8", newline="") as handle:
        index = next(i for i, r in enumerate(csv.DictReader(handle))
                     if set(r["sources"].split(";")) <= weak)
    line = edit_row(data_copy / "positions.csv", index, verification="verified")
    message = failing_build(settings, data_copy)
    assert (f"positions.csv:{line}: verification: a claim whose every source is of the weak class "
            "cannot be verified") in message
