"""The roster's viewpoints: counts as of a date, checked against the dated counts the sources give."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import BASE

from kosru_kg.service import roster

DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


@pytest.fixture(scope="module")
def question(backend, settings):
    from kosru_kg.service import questions  # noqa: PLC0415
    return questions.load(settings.queries_dir, settings.base_iri)[roster.QUESTION]


def tally(question, backend, as_of: str, viewpoint: str) -> roster.Tally:
    return roster.Tally.of(roster.standings(question, backend, BASE, {"asOf": as_of, "viewpoint": viewpoint}))


def dated_count(store, as_of: str) -> int:
    """The graph's own count of UN members recognising Kosovo on ``as_of`` (counts.csv)."""
    rows = list(store.query(f"""SELECT ?n WHERE {{ ?c <https://w3id.org/kosru/ontology#asOf> "{as_of}"^^<http://www.w3.org/2001/XMLSchema#date> ;
        <https://w3id.org/kosru/ontology#scope> <{BASE}organization/united-nations> ;
        <https://w3id.org/kosru/ontology#value> ?n }}"""))
    assert len(rows) == 1
    return int(rows[0]["n"].value)


def test_the_sources_dates_give_the_dated_count_of_october_2008(question, backend, store):
    assert dated_count(store, "2008-10-31") == 52
    assert tally(question, backend, "2008-10-31", "source-dates").un_recognising == 52


def test_in_2008_no_withdrawal_was_reported_so_every_viewpoint_agrees(question, backend):
    found = {view: tally(question, backend, "2008-12-31", view) for view in roster.VIEWPOINTS}
    assert {t.un_recognising for t in found.values()} == {53}
    assert {t.un_members for t in found.values()} == {192}  # South Sudan joined in 2011


def test_viewpoints_differ_only_by_the_withdrawals_they_count(question, backend):
    every, kosovo, dates = (tally(question, backend, "2022-11-13", v).recognising
                            for v in ("every-withdrawal", "kosovo-government", "source-dates"))
    assert (every, kosovo, dates) == (98, 112, 122)


def test_a_denied_withdrawal_counts_only_outside_kosovos_view(question, backend):
    def standing(view):
        found = roster.standings(question, backend, BASE, {"asOf": "2020-01-01", "viewpoint": view})
        return next(s for s in found if s.state == f"{BASE}state/suriname").standing
    assert standing("every-withdrawal") == "withdrawn"
    assert standing("kosovo-government") == "recognises-withdrawal-disputed"
    assert standing("source-dates") == "recognises-withdrawal-disputed"


def test_undated_recognitions_are_shown_and_never_counted(question, backend):
    found = roster.standings(question, backend, BASE, {"asOf": "today", "viewpoint": "source-dates"})
    undated = {s.label for s in found if s.standing == "undated-recognition"}
    assert undated == {"Sovereign Military Order of Malta"}  # Chad and Kuwait are now dated
    assert not any(s.counted for s in found if s.standing == "undated-recognition")


def test_count_checks_set_each_source_figure_beside_the_rosters(question, backend):
    checks = roster.count_checks(question, backend, BASE, "source-dates", dt.date(2011, 12, 31))
    by_date = {(c.as_of, c.un_only): c for c in checks}
    october = by_date[("2008-10-31", True)]
    assert (october.stated, october.roster, october.difference) == (52, 52, 0)
    september = by_date[("2011-09", True)]
    assert (september.stated, september.roster) == (85, 83)  # a difference, shown, not hidden
    assert september.sources and all(title for title, _ in september.sources)
    assert all(c.as_of <= "2011-12-31" for c in checks)


def test_the_documented_rule_is_the_querys_rule(settings):
    """docs/data-model.md quotes the core of the question: the two must not drift apart."""
    block = re.search(r"```sparql\n# Does .*?\n# .*?\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    query = (settings.queries_dir / f"{roster.QUESTION}.rq").read_text(encoding="utf-8")

    def squashed(text):
        return " ".join(text.split())
    parts = re.split(r"\n(?=  BIND)", block)  # the test of what follows a claim, and the flag it sets
    assert len(parts) == 2 and all(squashed(part) in squashed(query) for part in parts)


def test_a_difference_is_traced_to_states_only_where_the_sources_name_as_many_as_they_count(
        question, backend, monkeypatch):
    """The sources of the count of 2008-10-31 (52 UN members) are made to name the 52 states the roster
    counts, less France, plus Mongolia (no position found): the difference is then traced to
    France (counted, not named) and Mongolia (named, not counted, and why)."""
    day = dt.date(2008, 10, 31)
    counted = {s.state for s in roster.standings(question, backend, BASE, {"asOf": day.isoformat(),
                                                                           "viewpoint": "source-dates"})
               if s.counted and s.un_member}
    named = (counted - {f"{BASE}state/france"}) | {f"{BASE}state/mongolia"}
    [october] = [c for c in roster.count_checks(question, backend, BASE, "source-dates", day)
                 if c.as_of == "2008-10-31" and c.un_only]
    assert october.named < october.stated and not october.traced  # as the data has it: a partial list
    assert october.counted_not_listed == october.listed_not_counted == ()

    monkeypatch.setattr(roster, "_listed", lambda backend, minter: dict.fromkeys(
        [f"{BASE}source/enwiki-oldid-249325238"], named))
    [october] = [c for c in roster.count_checks(question, backend, BASE, "source-dates", day)
                 if c.as_of == "2008-10-31" and c.un_only]
    assert october.traced and october.named == 52
    assert [s.label for s in october.counted_not_listed] == ["France"]
    assert [(s.label, s.standing) for s in october.listed_not_counted] == [("Mongolia", "no-position-found")]


def test_party_figures_are_each_partys_latest_own_count(backend):
    figures = {(f.party.rsplit("/", 1)[1], f.measure.rsplit("/", 1)[1]): f for f in roster.party_figures(backend, BASE)}
    kosovo = figures["kosovo", "recognising"]
    assert (kosovo.value, kosovo.as_of, kosovo.unverified) == (121, "2025-12-19", False)
    assert "Radio Free Europe/Radio Liberty" in kosovo.publishers
    serbia = figures["serbia", "recognising"]
    assert (serbia.value, serbia.as_of) == (92, "2020-03-03")
    withdrawn = figures["serbia", "withdrawals"]  # the latest of Serbia's eight published counts
    assert (withdrawn.value, withdrawn.as_of, withdrawn.unverified) == (28, "2025", True)
    assert all(f.party.endswith(("/kosovo", "/serbia")) for f in figures.values())  # counts nobody claimed: none
