"""Every claim's label and summary say what its row says, and nothing more (issue 22, point 4).

The expected sentence of each row of ``data/positions.csv`` is derived here from the row's own fields
(state, position, date, claimant), read straight from the CSV files, and compared with what the build
wrote into the graph: a summary that named the wrong party, gave a date the row lacks, or called a
denial a recognition would differ.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import BASE

DATA = Path(__file__).resolve().parents[2] / "data"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUMMARY = "http://schema.org/disambiguatingDescription"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

# What each position says, with {state}, {claimant} and a date phrase; the second template is for a row
# without a claimant.
SENTENCES = {
    "recognised": ("{state} recognised Kosovo{date}.", "{state} recognised Kosovo{date}."),
    "withdrawal-reported": ("{claimant} reported{date} that {state} withdrew its recognition of Kosovo.",
                            "A withdrawal of {state}'s recognition of Kosovo was reported{date}."),
    "withdrawal-denied": ("{claimant} denied{date} that {state} withdrew its recognition of Kosovo.",
                          "It was denied{date} that {state} withdrew its recognition of Kosovo."),
    "reaffirmed": ("{claimant} re-affirmed{date} that {state} recognises Kosovo.",
                   "{state} re-affirmed{date} that {state} recognises Kosovo."),
    "does-not-recognise": ("{state} did not recognise Kosovo{date}.", "{state} did not recognise Kosovo{date}."),
    "no-position-found": ("No position of {state} on recognising Kosovo was found in the sources searched.",) * 2,
}


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


LABELS = {r["id"]: r["label"] for name in ("entities.csv", "concepts.csv") for r in rows(name)}
CLAIMS = rows("positions.csv")


def date_phrase(text: str, position: str) -> str:
    """" on 18 February 2008", " in February 2008", " in 2008" (" as of …" for a non-recognition)."""
    if not text:
        return " (no date found)" if position == "recognised" else ""
    year, month, day = (text.split("-") + [None, None])[:3]
    said = " ".join(part for part in (str(int(day)) if day else "", MONTHS[int(month) - 1] if month else "", year)
                    if part)
    if position == "does-not-recognise":
        return f" as of {said}"
    return f" on {said}" if day else f" in {said}"


def expected(row: dict[str, str]) -> tuple[str, str]:
    state, claimant = LABELS[row["state"]], LABELS.get(row["by"], "")
    with_claimant, without = SENTENCES[row["position"]]
    summary = (with_claimant if claimant else without).format(
        state=state, claimant=claimant, date=date_phrase(row["date"], row["position"]))
    label = f"{state}: {LABELS[row['position']]}"
    if claimant and claimant != state:
        label += f" (according to {claimant})"
    if row["date"]:
        label += ", " + date_phrase(row["date"], "recognised").split(" ", 2)[2]
    return label, summary


@pytest.fixture(scope="module")
def written(store) -> dict[str, tuple[str, str]]:
    """Each claim's (label, summary) as the build wrote them."""
    found = store.query(f"""SELECT ?claim ?label ?summary WHERE {{
        ?claim <{RDFS_LABEL}> ?label ; <{SUMMARY}> ?summary . FILTER(STRSTARTS(STR(?claim), "{BASE}position/"))
        FILTER(LANG(?label) = "en" && LANG(?summary) = "en") }}""")
    return {r["claim"].value.removeprefix(f"{BASE}position/"): (r["label"].value, r["summary"].value) for r in found}


def test_every_row_has_one_label_and_one_summary(written):
    assert sorted(written) == sorted(r["id"] for r in CLAIMS)


@pytest.mark.parametrize("row", CLAIMS, ids=lambda r: r["id"])
def test_the_label_and_summary_say_what_the_row_says(row, written):
    assert written[row["id"]] == expected(row)


# Words of the English frames and position names: a label or summary in another language that holds one of
# them was written (in part) in English.
ENGLISH = re.compile(r"\b(recognised|recognises|recognise|recognition|withdrawal|withdrew|reported|denied|re-affirmed|"
                     r"according|found|sources|searched|February|January)\b")
SCRIPTS = {"sq": "latin", "sr-latn": "latin", "sr-cyrl": "cyrillic", "ru": "cyrillic"}


@pytest.fixture(scope="module")
def translated(store) -> dict[tuple[str, str], tuple[str, str]]:
    """Each claim's (label, summary) in every other language, by (claim id, language tag)."""
    found = store.query(f"""SELECT ?claim ?label ?summary WHERE {{
        ?claim <{RDFS_LABEL}> ?label ; <{SUMMARY}> ?summary . FILTER(STRSTARTS(STR(?claim), "{BASE}position/"))
        FILTER(LANG(?label) = LANG(?summary) && LANG(?label) != "en") }}""")
    return {(r["claim"].value.removeprefix(f"{BASE}position/"), r["label"].language): (r["label"].value, r["summary"].value)
            for r in found}


NAMED_IN = {(r["entity"], r["language"].lower()) for r in rows("labels.csv")}


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_every_claim_is_labelled_and_summarised_in_every_language(translated, language):
    """The build writes each claim's label and summary in each language of the site, from the catalogs' frames;
    a claim naming a state the data has no name for in that language (Abkhazia has no CLDR code) keeps only its
    English texts, rather than a text tagged as that language with an English name inside."""
    for row in CLAIMS:
        named = all((row[column], language) in NAMED_IN for column in ("state", "by", "recognition_of") if row[column])
        assert ((row["id"], language) in translated) == named, (row["id"], language)
        if not named:
            continue
        label, summary = translated[row["id"], language]
        for text in (label, summary):
            assert not ENGLISH.search(text), (row["id"], language, text)
            assert bool(re.search("[\u0400-\u04ff]", text)) == (SCRIPTS[language] == "cyrillic"), (row["id"], text)
