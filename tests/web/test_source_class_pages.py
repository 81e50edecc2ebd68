"""Pages show each source's class beside it, and mark a claim resting on weak sources only as unverified
(issue 22, point 2), in every interface language."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from htmltree import page

DATA = Path(__file__).resolve().parents[2] / "data"
BROWSER_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
# What a page calls each class, per language (the catalogs' translations).
WORDS = {
    "en": {"official-source": "official source", "news-source": "news source",
           "reference-source": "reference source", "weak-source": "weak source", "unverified": "unverified"},
    "sq": {"official-source": "burim zyrtar", "news-source": "burim lajmesh",
           "reference-source": "burim reference", "weak-source": "burim i dobët", "unverified": "i paverifikuar"},
    "sr-Cyrl": {"official-source": "званични извор", "news-source": "извор вести",
                "reference-source": "референтни извор", "weak-source": "слаб извор", "unverified": "непроверено"},
    "sr-Latn": {"official-source": "zvanični izvor", "news-source": "izvor vesti",
                "reference-source": "referentni izvor", "weak-source": "slab izvor", "unverified": "neprovereno"},
    "ru": {"official-source": "официальный источник", "news-source": "новостной источник",
           "reference-source": "справочный источник", "weak-source": "слабый источник", "unverified": "не проверено"},
}

MARK = {"en": "Unverified", "sq": "E paverifikuar", "sr-Cyrl": "Није проверено", "sr-Latn": "Nije provereno",
        "ru": "Не проверено"}


def rows(name: str) -> dict[str, dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return {r["id"]: r for r in csv.DictReader(handle)}


SOURCES = rows("sources.csv")
POSITIONS = rows("positions.csv")


def get(client, path: str, lang: str):
    return page(client.get(f"{path}?lang={lang}", headers={"Accept": BROWSER_ACCEPT}))


def listed_sources(root) -> dict[str, str]:
    """The sources section's items: the source's address (or page) → the item's text."""
    section = root.one("section", **{"aria-labelledby": "sources"})
    return {next(iter(li.links())): li.text() for li in section.one("ul").all("li")}


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_a_claim_page_shows_the_class_of_each_source(client, lang):
    claim = POSITIONS["costa-rica-recognised-2008"]  # cites mirrors, a blog, a news site and Wikipedia
    root = get(client, "/position/costa-rica-recognised-2008", lang)
    section = root.one("section", **{"aria-labelledby": "sources"})
    items = [li.text() for li in section.one("ul").all("li")]
    cited = claim["sources"].split(";")
    assert len(items) == len(cited)
    for ident in cited:
        url, word = SOURCES[ident]["url"], WORDS[lang][SOURCES[ident]["source_class"]]
        assert any(url in item and f"({word})" in item for item in items), (ident, word)
    assert not list(root.all("p", class_="unverified"))  # not every source is weak


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_a_claim_on_weak_sources_only_is_marked_unverified(client, lang):
    claim = POSITIONS["angola-does-not-recognise-2025"]
    assert SOURCES[claim["sources"]]["source_class"] == "weak-source"  # an aggregator
    root = get(client, "/position/angola-does-not-recognise-2025", lang)
    mark = root.one("p", class_="unverified")
    assert mark.one("strong").text() == MARK[lang]
    assert f"({WORDS[lang]['weak-source']})" in root.one("section", **{"aria-labelledby": "sources"}).text()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_states_claims_list_marks_the_unverified_ones(client, lang):
    root = get(client, "/state/eritrea", lang)  # its one claim rests on Wikipedia mirrors only
    items = list(root.one("ol", class_="claims").all("li"))
    assert len(items) == 1
    assert all(item.one("strong", class_="unverified").text() == WORDS[lang]["unverified"] for item in items)
    root = get(client, "/state/costa-rica", lang)  # one claim with a news source, one from Wikipedia
    assert not list(root.one("ol", class_="claims").all("strong", class_="unverified"))


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_a_question_page_shows_the_class_of_each_source(client, lang):
    root = get(client, "/questions/recognitions-in-year", lang)
    listed = listed_sources(root)
    checked = 0
    for ident, source in SOURCES.items():
        if source["url"] in listed:
            assert f"({WORDS[lang][source['source_class']]})" in listed[source["url"]], ident
            checked += 1
    assert checked > 50
    assert {c for c in WORDS[lang].values() if any(f"({c})" in text for text in listed.values())} >= {
        WORDS[lang]["official-source"], WORDS[lang]["news-source"], WORDS[lang]["weak-source"]}


def test_the_count_checks_show_the_class_of_each_source(client):
    root = get(client, "/questions/recognitions-as-of", "en")
    section = root.one("section", **{"aria-labelledby": "checks"})
    cells = [list(row.all("td"))[-1] for row in section.one("tbody").all("tr")]
    assert cells
    for cell in cells:
        for url in cell.links():
            ident = next(i for i, s in SOURCES.items() if s["url"] == url)
            assert f"({WORDS['en'][SOURCES[ident]['source_class']]})" in cell.text(), ident


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_the_data_quality_pages_answer_in_every_language(client, lang):
    root = get(client, "/questions/data-quality", lang)
    table = root.one("section", **{"aria-labelledby": "answer"}).one("table")
    assert len(list(table.one("thead").all("th"))) == 9  # ?stateLabel names ?state
    rows = list(table.one("tbody").all("tr"))
    assert len(rows) == len({r["state"] for r in POSITIONS.values()})
    summary = get(client, "/questions/roster-quality-summary", lang)
    rows = list(summary.one("section", **{"aria-labelledby": "answer"}).one("tbody").all("tr"))
    assert len(rows) == 4
