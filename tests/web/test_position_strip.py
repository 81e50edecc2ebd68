"""A state page draws its position over time only when there is something to draw (issue 24 point 3).

A strip with no dated claim on it was an empty axis; the page now says why there is no picture and
still lists the claims. Every strip drawn has a mark for each dated claim.
"""

from __future__ import annotations

import pytest
from htmltree import page
from pyoxigraph import NamedNode, Variable

from kosru_kg.vocab import prologue

# The states whose every claim of a position is undated, and how many claims each has.
UNDATED_ONLY = prologue("kosru") + """SELECT ?state (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
  ?claim kosru:positionOf ?state .
  FILTER NOT EXISTS { ?dated kosru:positionOf ?state ; kosru:latestDate ?date }
} GROUP BY ?state ORDER BY ?state"""
DATED = prologue("kosru") + """SELECT ?state (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim kosru:positionOf ?state ; kosru:latestDate ?date
} GROUP BY ?state"""


def position(client, path):
    return page(client.get(path)).one("section", **{"aria-labelledby": "position"})


@pytest.fixture(scope="module")
def undated_only(backend, settings) -> dict[str, int]:
    return {row["state"].value.removeprefix(settings.base_iri): int(row["claims"].value)
            for row in backend.query(UNDATED_ONLY)}


def test_a_state_with_no_dated_claim_has_no_picture_but_its_claims(client, undated_only):
    assert undated_only  # Myanmar, Mongolia…: the data has such states, or this test tests nothing
    for path, claims in undated_only.items():
        section = position(client, f"/{path}")
        assert not list(section.all("svg")) and not list(section.all("figure")), path
        assert "None of these claims is dated" in section.one("p").text()
        assert len(list(section.one("ol").all("li"))) == claims


@pytest.mark.parametrize("state", ["ghana", "russia"])
def test_a_state_with_dated_claims_has_a_mark_for_each(client, backend, settings, state):
    dated = next(iter(backend.query(DATED, substitutions={Variable("state"): NamedNode(f"{settings.base_iri}state/{state}")})))
    marks = list(position(client, f"/state/{state}").one("figure").one("svg").all("circle"))
    assert len(marks) == int(dated["n"].value) > 0
