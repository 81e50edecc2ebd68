"""docs/roster.md says what data/positions.csv holds: its counts and the columns it names (issue 22, point 7).

The figures are read out of the page's text and recomputed from the data, so that the page and the
data change together.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DOC = (ROOT / "docs" / "roster.md").read_text(encoding="utf-8")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10}


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


POSITIONS = rows("positions.csv")
UN = {r["member"] for r in rows("memberships.csv")
      if r["organization"] == "united-nations" and r["status"] == "member"}
LABELS = {r["id"]: r["label"] for r in rows("entities.csv")}


def section(title: str) -> str:
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end != -1 else None]


def table() -> dict[str, tuple[str, str]]:
    """The counts table: position → (its rows cell, its states cell)."""
    found = {}
    for line in section("Counts").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[a-z]+(-[a-z]+)*", cells[0]) and cells[0] != "position":
            found[cells[0]] = (cells[1], cells[2])
    return found


def by_position():
    counted, states = defaultdict(int), defaultdict(set)
    for r in POSITIONS:
        counted[r["position"]] += 1
        states[r["position"]].add(r["state"])
    return counted, states


def test_the_table_names_every_position_and_every_row():
    counted, _ = by_position()
    assert set(table()) == set(counted)
    assert sum(int(cell) for cell, _ in table().values()) == len(POSITIONS)


@pytest.mark.parametrize("position", sorted({r["position"] for r in POSITIONS}))
def test_each_positions_rows_and_states_are_the_datas(position):
    counted, states = by_position()
    rows_cell, states_cell = table()[position]
    assert int(rows_cell) == counted[position]
    assert int(re.match(r"\d+", states_cell).group()) == len(states[position])
    un_members = re.search(r"\((\d+) UN members", states_cell)
    if un_members:
        assert int(un_members.group(1)) == len(states[position] & UN)
    day_precision = re.search(r"(\d+) UN members have at least one day-precision date", states_cell)
    if day_precision:
        dated = {r["state"] for r in POSITIONS if r["position"] == position and len(r["date"]) == 10}
        assert int(day_precision.group(1)) == len(dated & UN)


def test_every_un_member_has_a_row_and_the_named_ones_only_no_position_found():
    text = section("Counts")
    stated = re.search(r"All (\d+) UN members have at least one row", text)
    assert stated and int(stated.group(1)) == len(UN) == len(UN & {r["state"] for r in POSITIONS})
    only = re.search(r"(\w+) UN members have \*\*only\*\* `no-position-found`: ([^.]+)\.", text)
    assert only, "the sentence naming the UN members with only no-position-found rows"
    held = defaultdict(set)
    for r in POSITIONS:
        held[r["state"]].add(r["position"])
    expected = {LABELS[s] for s in UN if held[s] == {"no-position-found"}}
    assert NUMBERS[only.group(1).lower()] == len(expected)
    assert [name for name in sorted(expected) if name not in only.group(2)] == []


def test_the_unattributed_withdrawals_are_counted_right():
    stated = re.search(r"blank in (\d+) `withdrawal-reported` rows", section("Conventions in positions.csv"))
    assert stated
    assert int(stated.group(1)) == sum(1 for r in POSITIONS if r["position"] == "withdrawal-reported" and not r["by"])


def test_every_column_the_conventions_name_is_a_column():
    """A `name` with an underscore, or a plain word that is no value of the data, must be a column of positions.csv."""
    with (DATA / "positions.csv").open(encoding="utf-8", newline="") as handle:
        columns = set(next(csv.reader(handle)))
    values = {r["id"] for r in rows("concepts.csv")} | set(LABELS)
    named = set(re.findall(r"`([a-z_]+)`", section("Conventions in positions.csv")))
    assert {"date", "by", "recognition_of"} <= named
    assert {n for n in named if n not in values} <= columns
