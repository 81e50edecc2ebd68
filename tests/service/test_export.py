"""The dumps and the JSON-LD context, over the real graph; and the ``kosru-kg export`` command."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import rdflib
from click.testing import CliRunner
from conftest import BASE
from pyld import jsonld
from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph, NamedNode, RdfFormat, parse, serialize
from rdflib.compare import isomorphic

from kosru_kg import formats
from kosru_kg.cli import main
from kosru_kg.formats import Kind
from kosru_kg.graph import serialization
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.service import export
from kosru_kg.vocab import KOSRU, ONTOLOGY_IRI, Minter, term

RDFLIB_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml",
                  "nquads": "nquads", "trig": "trig"}
COSTA_RICA = f"{BASE}position/costa-rica-recognised-2008"


@pytest.fixture(scope="module")
def dumps(backend, settings) -> dict[str, bytes]:
    """Every dump of the session's store, made once."""
    return {fmt.name: export.dump(backend, fmt, settings.base_iri) for fmt in formats.DUMPS}


def no_documents(url, options=None):
    """A pyld document loader that fails the test: a dump must need no document from anywhere."""
    raise AssertionError(f"the JSON-LD dump made pyld fetch {url}")


def canonical_dataset(quads) -> Dataset:
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def published(store, fmt: formats.Format) -> Dataset:
    """What ``fmt`` should hold: the store's default graph, or its named graphs."""
    quads = store.quads_for_pattern(None, None, None, None if (fmt.kind is Kind.DATASET) else DefaultGraph())
    return canonical_dataset(q for q in quads if (fmt.kind is Kind.DATASET) != (q.graph_name == DefaultGraph()))


# --- determinism -----------------------------------------------------------------------------

def test_every_dump_is_byte_identical_across_builds(dumps, rebuilt):
    """A second build of the same data (the session store is the first) gives the same bytes."""
    backend = EmbeddedBackend(StoreLayout(rebuilt.store), rebuilt)
    for fmt in formats.DUMPS:
        assert export.dump(backend, fmt, rebuilt.base_iri) == dumps[fmt.name], fmt.name


# --- every format holds the graph ------------------------------------------------------------

@pytest.mark.parametrize("fmt", formats.DUMPS, ids=lambda f: f.name)
def test_pyoxigraph_reads_back_the_graph(fmt, dumps, store):
    assert canonical_dataset(parse(dumps[fmt.name], fmt.engine)) == published(store, fmt)


TRIPLE_FORMATS = [f for f in formats.DUMPS if f.kind is Kind.GRAPH]


def rdflib_warns_about_itself(test):
    """rdflib 7.6's JSON-LD, TriG and N-Quads parsers use its own deprecated ConjunctiveGraph API."""
    for message in ("ConjunctiveGraph is deprecated", "Dataset.default_context is deprecated"):
        test = pytest.mark.filterwarnings(f"ignore:{message}:DeprecationWarning")(test)
    return test
QUAD_FORMATS = [f for f in formats.DUMPS if f.kind is Kind.DATASET]


@rdflib_warns_about_itself
@pytest.mark.parametrize("fmt", TRIPLE_FORMATS, ids=lambda f: f.name)
def test_rdflib_reads_back_the_graph(fmt, dumps, store):
    triples = [quad.triple for quad in published(store, fmt)]
    expected = rdflib.Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    read = rdflib.Graph().parse(data=dumps[fmt.name], format=RDFLIB_FORMATS[fmt.name])
    assert isomorphic(read, expected)


@rdflib_warns_about_itself
@pytest.mark.parametrize("fmt", QUAD_FORMATS, ids=lambda f: f.name)
def test_rdflib_reads_back_the_named_graphs(fmt, dumps, store):
    def graphs(data: bytes, rdflib_format: str) -> dict[str, rdflib.Graph]:
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=rdflib_format)
        return {str(graph.identifier): graph for graph in dataset.graphs() if len(graph)}

    expected = graphs(serialize(published(store, fmt), format=RdfFormat.N_QUADS), "nquads")
    read = graphs(dumps[fmt.name], RDFLIB_FORMATS[fmt.name])
    assert read.keys() == expected.keys()
    for name, graph in expected.items():
        assert isomorphic(read[name], graph), name


# --- Turtle ------------------------------------------------------------------------------------

def test_turtle_declares_readable_prefixes(dumps, settings):
    text = dumps["turtle"].decode("utf-8")
    declared = dict(re.findall(r"^@prefix (\w[\w-]*): <([^>]+)> \.$", text, re.MULTILINE))
    assert declared["kosru"] == KOSRU
    assert declared["state"] == f"{settings.base_iri}state/"
    known = Minter(settings.base_iri).prefixes()
    for prefix, namespace in declared.items():  # no made-up "ns1:" for a vocabulary we forgot to name
        assert known.get(prefix) == namespace or namespace == f"{settings.base_iri}{prefix}/", prefix
    assert "position:costa-rica-recognised-2008 a kosru:Fact,\n        kosru:PositionClaim ;" in text
    assert "kosru:positionOf state:costa-rica" in text


# --- JSON-LD -----------------------------------------------------------------------------------

def nodes(dumps) -> dict[str, dict]:
    return {node["id"]: node for node in json.loads(dumps["jsonld"])["@graph"]}


def test_json_ld_carries_the_published_context_and_sorts_its_nodes(dumps):
    document = json.loads(dumps["jsonld"])
    assert document["@context"] == serialization.context_document()["@context"]
    assert [node["id"] for node in document["@graph"]] == sorted(node["id"] for node in document["@graph"])


def test_json_ld_reads_like_plain_json(dumps):
    recognition = nodes(dumps)[COSTA_RICA]
    assert recognition["type"] == ["Fact", "PositionClaim"]
    assert recognition["positionOf"] == f"{BASE}state/costa-rica"
    assert recognition["recognitionOf"] == f"{BASE}state/kosovo"
    assert recognition["claimedPosition"] == f"{BASE}concept/recognised"
    assert recognition["date"] == "2008-02-17"
    assert recognition["latestDate"] == "2008-02-17"
    # a language map: the label in every language the build writes, each under its tag
    assert recognition["label"]["en"] == "Costa Rica: recognised, 17 February 2008"
    assert recognition["label"]["sq"].startswith("Kosta-Rikë: ")
    assert recognition["sources"]
    assert all(source.startswith(f"{BASE}source/") for source in recognition["sources"])
    russia = nodes(dumps)[f"{BASE}state/russia"]
    assert russia["label"] == {"en": "Russia", "sq": "Rusi", "sr-cyrl": "Русија", "sr-latn": "Rusija", "ru": "Россия"}
    assert russia["iso3166Alpha2"] == "RU"
    assert russia["sameAs"] == "http://www.wikidata.org/entity/Q159"


def test_json_ld_gives_each_date_precision_its_own_key(dumps, store):
    """``date`` holds xsd:date, ``dateMonth`` xsd:gYearMonth, ``dateYear`` xsd:gYear: plain strings, exact types."""
    keys = {term("xsd:date"): "date", term("xsd:gYearMonth"): "dateMonth", term("xsd:gYear"): "dateYear"}
    by_id = nodes(dumps)
    seen = set()
    for row in store.query(f"SELECT ?r ?date WHERE {{ ?r <{KOSRU}date> ?date }}"):
        key = keys[row["date"].datatype]
        assert by_id[row["r"].value][key] == row["date"].value
        seen.add(key)
    assert seen == set(keys.values()), "the data should show all three precisions"


def test_facts_use_only_short_keys(dumps, settings):
    """Only the ontology falls back to prefixed keys (``owl:unionOf``); every fact reads plainly."""
    for node_id, node in nodes(dumps).items():
        if node_id.startswith(settings.base_iri) and not node_id.startswith(ONTOLOGY_IRI):
            assert [key for key in node if ":" in key] == [], node_id


def test_json_ld_expands_to_the_turtle_graph(dumps):
    """pyld, loading no document at all (the context is inline), reads the same graph as the Turtle dump holds."""
    assert json.loads(dumps["jsonld"])["@context"] == serialization.CONTEXT
    nquads = jsonld.to_rdf(json.loads(dumps["jsonld"]),
                           {"format": "application/n-quads", "documentLoader": no_documents})
    from_json = rdflib.Graph().parse(data=nquads, format="nt")  # default graph only: N-Triples lines
    from_turtle = rdflib.Graph().parse(data=dumps["turtle"], format="turtle")
    assert len(from_json) == len(from_turtle)
    assert isomorphic(from_json, from_turtle)


def test_context_aliases_and_defaults():
    context = serialization.context_document()["@context"]
    assert context["id"] == "@id"
    assert context["type"]["@id"] == "@type"
    assert context["@language"] == "en"
    assert context["@vocab"] == KOSRU
    assert context["sources"] == {"@id": "prov:wasDerivedFrom", "@type": "@id", "@container": "@set"}
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}  # a name in every language


# --- the export command ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["turtle", "ntriples"])
def test_export_command_writes_the_dump(name, settings, dumps, tmp_path):
    target = tmp_path / f"kosru.{name}"
    result = CliRunner().invoke(main, ["export", "--store", str(settings.store), "--format", name, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == dumps[name]


def test_export_command_without_a_store_fails(tmp_path):
    result = CliRunner().invoke(main, ["export", "--store", str(tmp_path / "none"), "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1
    assert "no store has been built" in result.output


def test_export_command_rejects_unknown_formats(settings):
    result = CliRunner().invoke(main, ["export", "--store", str(settings.store), "--format", "csv"])
    assert result.exit_code == 2
    assert "turtle" in result.output


def test_named_graph_dumps_hold_both_graphs(dumps, settings):
    minter = Minter(settings.base_iri)
    graphs = {q.graph_name for q in parse(dumps["nquads"], RdfFormat.N_QUADS)}
    assert graphs == {minter.graph("facts"), minter.graph("ontology")}
    assert NamedNode(COSTA_RICA) in {q.subject for q in parse(dumps["trig"], RdfFormat.TRIG)}


def test_json_ld_processing_never_loads_a_remote_document():
    """pyld would fetch a remote @context; the export's loader refuses instead."""
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "http://127.0.0.1:9/context.jsonld", "name": "x"},
                      {"documentLoader": serialization._no_remote_documents})


# A graph of nested blank nodes, as the VoID description's class and property partitions are.
NESTED_BLANK_NODES = """
import sys
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from kosru_kg import formats
from kosru_kg.graph.canonical import canonical
from kosru_kg.graph.serialization import render
ex = "http://example.org/"
triples = []
for i in range(8):
    part = BlankNode()
    triples += [Triple(NamedNode(ex + "dataset"), NamedNode(ex + "part"), part),
                Triple(part, NamedNode(ex + "class"), NamedNode(ex + f"C{i}")), Triple(part, NamedNode(ex + "n"), Literal(str(i)))]
sys.stdout.buffer.write(render(canonical(triples), formats.named("turtle", formats.Kind.GRAPH), ex))
"""


def test_turtle_with_blank_nodes_is_the_same_bytes_in_every_process():
    """Two processes (two web nodes, two workers) write a graph's Turtle alike: nested blank nodes keep their
    canonical labels, by which rdflib orders them (parsed anew they got random ones)."""
    written = {subprocess.run([sys.executable, "-c", NESTED_BLANK_NODES], capture_output=True, check=True).stdout
               for _ in range(3)}
    assert len(written) == 1
    assert b"[" in next(iter(written))  # the blank nodes are nested, as in the VoID description
