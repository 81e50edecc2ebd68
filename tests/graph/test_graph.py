"""The built graph as a whole: declared terms, parseable by two independent RDF libraries."""

from __future__ import annotations

import pyoxigraph
import rdflib
from conftest import BASE
from pyoxigraph import RdfFormat

KOSRU = "https://w3id.org/kosru/ontology#"


def test_every_kosru_term_used_in_the_data_is_declared_labelled_and_defined(store):
    used = {row["t"].value for row in store.query(f"""
        SELECT DISTINCT ?t WHERE {{
          GRAPH <{BASE}graph/facts> {{ {{ ?s ?t ?o }} UNION {{ ?s a ?t }} }}
          FILTER(STRSTARTS(STR(?t), "{KOSRU}")) }}""")}
    documented = {row["t"].value for row in store.query(f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?t WHERE {{ GRAPH <{BASE}graph/ontology> {{
          ?t a ?kind ; rdfs:label ?label ; skos:definition ?definition ;
             rdfs:isDefinedBy <https://w3id.org/kosru/ontology> }} }}""")}
    assert len(used) > 60
    assert sorted(used - documented) == []


def test_the_built_graph_parses_with_rdflib_and_pyoxigraph_alike(store):
    nquads = store.dump(format=RdfFormat.N_QUADS)
    turtle = store.dump(format=RdfFormat.TURTLE, from_graph=pyoxigraph.DefaultGraph())
    by_rdflib = rdflib.Graph().parse(data=turtle, format="turtle")
    by_oxigraph = list(pyoxigraph.parse(turtle, format=RdfFormat.TURTLE))
    quads = list(pyoxigraph.parse(nquads, format=RdfFormat.N_QUADS))
    assert len(by_rdflib) == len(by_oxigraph) == sum(1 for q in quads if q.graph_name == pyoxigraph.DefaultGraph())
    assert len(by_rdflib) > 4000


def test_entities_link_to_wikidata_only_with_checked_identifiers(store):
    linked = {row["q"].value for row in store.query("""
        SELECT ?q WHERE { ?s <http://www.w3.org/2002/07/owl#sameAs> ?q }""")}
    assert "http://www.wikidata.org/entity/Q1246" in linked  # Kosovo
    assert "http://www.wikidata.org/entity/Q159" in linked  # Russia
    assert all(q.startswith("http://www.wikidata.org/entity/Q") for q in linked)
