"""Position claims name the state whose recognition they are about (issue 22, point 1).

A claim such as "Colombia: recognised" must still say what was recognised when the graph is
merged with others, so each claim links to Kosovo's IRI. The article's facts are checked
without relying on the property's name: any triple from the claim to Kosovo will do.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph
import pytest
from conftest import BASE

from kosru_kg.graph import serialization
from kosru_kg.service import questions

DATA = Path(__file__).resolve().parents[2] / "data"
KOSRU = "https://w3id.org/kosru/ontology#"
KOSOVO = f"{BASE}state/kosovo"

# The article: the United States, Germany and France recognise Kosovo; five EU members do not.
ARTICLE = {
    "recognised": ("united-states", "germany", "france"),
    "does-not-recognise": ("cyprus", "greece", "romania", "slovakia", "spain"),
}


def claims_linked_to_kosovo(store, state: str, position: str) -> set[str]:
    """Claims that mention the state, the position and Kosovo, by any property at all."""
    rows = store.query(f"""SELECT DISTINCT ?claim WHERE {{
        ?claim ?of <{BASE}state/{state}> ; ?says <{BASE}concept/{position}> ; ?about <{KOSOVO}> }}""")
    return {row["claim"].value.removeprefix(f"{BASE}position/") for row in rows}


def rows_of(state: str, position: str) -> set[str]:
    with (DATA / "positions.csv").open(encoding="utf-8", newline="") as handle:
        return {r["id"] for r in csv.DictReader(handle) if r["state"] == state and r["position"] == position}


@pytest.mark.parametrize(("state", "position"), [(s, p) for p, states in ARTICLE.items() for s in states])
def test_the_articles_states_claims_are_linked_to_kosovo(store, state, position):
    expected = rows_of(state, position)
    assert expected, f"positions.csv has no {position} row for {state}"
    assert claims_linked_to_kosovo(store, state, position) == expected


def test_every_claim_names_kosovo_once_with_the_declared_property(store):
    rows = list(store.query(f"""SELECT ?about (COUNT(DISTINCT ?claim) AS ?claims) WHERE {{
        ?claim a <{KOSRU}PositionClaim> ; <{KOSRU}recognitionOf> ?about }} GROUP BY ?about"""))
    with (DATA / "positions.csv").open(encoding="utf-8", newline="") as handle:
        data = list(csv.DictReader(handle))
    assert {r["recognition_of"] for r in data} == {"kosovo"}
    assert [(r["about"].value, int(r["claims"].value)) for r in rows] == [(KOSOVO, len(data))]
    unnamed = list(store.query(f"""SELECT ?claim WHERE {{ ?claim a <{KOSRU}PositionClaim>
        FILTER NOT EXISTS {{ ?claim <{KOSRU}recognitionOf> ?about }} }}"""))
    assert unnamed == []


def test_the_property_is_declared_in_the_ontology(store):
    declared = {(r["p"].value, r["o"].value) for r in store.query(
        f"SELECT ?p ?o WHERE {{ <{KOSRU}recognitionOf> ?p ?o FILTER(?p != <http://www.w3.org/2000/01/rdf-schema#comment>) }}")}
    assert ("http://www.w3.org/2000/01/rdf-schema#domain", f"{KOSRU}PositionClaim") in declared
    assert ("http://www.w3.org/2000/01/rdf-schema#range", f"{KOSRU}State") in declared
    assert ("http://www.w3.org/2000/01/rdf-schema#subPropertyOf", "http://purl.org/dc/terms/subject") in declared
    assert ("http://www.w3.org/2000/01/rdf-schema#label", "recognition of") in declared


def test_the_json_ld_context_has_a_key_for_it():
    assert serialization.CONTEXT["recognitionOf"] == {"@id": "kosru:recognitionOf", "@type": "@id"}


def test_a_claims_summary_names_what_was_recognised(store):
    rows = list(store.query(f"""SELECT ?summary WHERE {{
        <{BASE}position/colombia-recognised-2008> <http://schema.org/disambiguatingDescription> ?summary }}"""))
    summaries = {r["summary"].language: r["summary"].value for r in rows}
    assert summaries["en"] == "Colombia recognised Kosovo on 7 August 2008."
    assert "Косово" in summaries["ru"] and "Kosovë" in summaries["sq"]  # each names Kosovo in its own language


# Claims about another state of disputed recognition, as the model allows: Russia recognised Abkhazia
# on 26 August 2008; Tuvalu recognised it on 23 September 2011 and withdrew on 31 March 2014 (Tuvalu
# recognised Kosovo in 2010: unfiltered, its withdrawal from Abkhazia would read as one from Kosovo).
ABKHAZIA_CLAIMS = """
@prefix kosru: <https://w3id.org/kosru/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <{base}> .
<position/russia-recognised-abkhazia-2008> a kosru:PositionClaim ; kosru:positionOf <state/russia> ;
    kosru:recognitionOf <state/abkhazia> ; kosru:claimedPosition <concept/recognised> ;
    kosru:date "2008-08-26"^^xsd:date ; kosru:latestDate "2008-08-26"^^xsd:date .
<position/tuvalu-recognised-abkhazia-2011> a kosru:PositionClaim ; kosru:positionOf <state/tuvalu> ;
    kosru:recognitionOf <state/abkhazia> ; kosru:claimedPosition <concept/recognised> ;
    kosru:date "2011-09-23"^^xsd:date ; kosru:latestDate "2011-09-23"^^xsd:date .
<position/tuvalu-withdrawal-reported-abkhazia-2014> a kosru:PositionClaim ; kosru:positionOf <state/tuvalu> ;
    kosru:recognitionOf <state/abkhazia> ; kosru:claimedPosition <concept/withdrawal-reported> ;
    kosru:date "2014-03-31"^^xsd:date ; kosru:latestDate "2014-03-31"^^xsd:date .
"""


def answer(graph, question, values) -> list[list]:
    """The question's rows; a GROUP_CONCAT's parts sorted (SPARQL leaves their order open)."""
    return [[", ".join(sorted(t.value.split(", "))) if isinstance(t, pyoxigraph.Literal) else t for t in row]
            for row in graph.query(question.sparql, substitutions=values)]


def test_claims_about_another_state_change_no_answer_about_kosovo(store, settings):
    """Every canned question that reads position claims asks about Kosovo's recognition only."""
    merged = pyoxigraph.Store()
    merged.extend(store.quads_for_pattern(None, None, None, None))
    merged.load(ABKHAZIA_CLAIMS.format(base=BASE).encode(), pyoxigraph.RdfFormat.TURTLE,
                to_graph=pyoxigraph.DefaultGraph())
    catalogue = questions.load(settings.queries_dir, settings.base_iri)
    asked = [name for name, question in catalogue.items() if "kosru:positionOf" in question.sparql]
    assert len(asked) >= 8
    for name in asked:
        question = catalogue[name]
        viewpoint = next((p for p in question.params if p.name == "viewpoint"), None)
        for chosen in viewpoint.allowed if viewpoint else (None,):  # each viewpoint, where there are several
            values = {pyoxigraph.Variable(p.name): p.term(chosen if p is viewpoint else p.default, settings.base_iri)
                      for p in question.params}
            assert answer(merged, question, values) == answer(store, question, values), \
                f"{name}: a claim about Abkhazia changed its answer"
