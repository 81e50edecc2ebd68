"""The SHACL shapes against their examples.

Every example in tests/shapes/ is validated the way ontology/shapes.ttl says
validation must be called: the ontology is passed as pySHACL's ``ont_graph``
(mixed into a copy of the data graph, so that rdfs:subClassOf is seen by
sh:targetClass and sh:class) and no inference is run.

- tests/shapes/valid/*.ttl start with ``# shape: kosrush:XShape`` and must
  conform; the named shape must have at least one focus node in the example,
  so that the example really exercises it.
- tests/shapes/invalid/*.ttl start with ``# expect: kosrush:XShape`` and must
  not conform; every result must come from that node shape or from one of its
  property shapes (the example violates exactly that shape).
- Every node shape with a target has at least one example of each kind.
"""

from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ONTOLOGY_PATH = ROOT / "ontology" / "kosru.ttl"
SHAPES_PATH = ROOT / "ontology" / "shapes.ttl"
EXAMPLES = HERE / "shapes"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))

KOSRUSH = Namespace("https://w3id.org/kosru/shapes#")
KOSRU = Namespace("https://w3id.org/kosru/ontology#")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@pytest.fixture(scope="module")
def ontology():
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(SHAPES_PATH, format="turtle")


def validate(data, shapes, ontology):
    """The call convention documented at the top of ontology/shapes.ttl.

    pySHACL adds a few RDFS/OWL axioms to the shapes graph it is given, so it
    gets a copy and the module's fixture stays as parsed (the ontology is
    only read: pySHACL mixes it into a copy of the data graph).
    """
    return pyshacl.validate(
        data,
        shacl_graph=copy(shapes),
        ont_graph=ontology,
        inference="none",
        advanced=False,
        allow_warnings=False,
    )


def copy(graph):
    duplicate = Graph()
    for triple in graph:
        duplicate.add(triple)
    return duplicate


def header_shape(path, keyword):
    """The shape named on the first line, ``# <keyword>: kosrush:XShape``."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = f"# {keyword}: kosrush:"
    assert first.startswith(prefix), f"{path.name}: first line must be '{prefix}…'"
    return KOSRUSH[first[len(prefix):].strip()]


def targeted(shape, shapes):
    """The shape and those of its property shapes that have targets of their own (a node shape such as
    kosrush:DatePrecisionShape has none: it groups targeted property shapes)."""
    return [s for s in (shape, *shapes.objects(shape, SH.property))
            if any(shapes.value(s, t) is not None for t in TARGETS)]


def targeted_node_shapes(shapes):
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if targeted(s, shapes)}


def focus_nodes(shape, shapes, data, ontology):
    """Focus nodes of a shape (by sh:targetClass or sh:targetSubjectsOf, as SHACL defines them), or of
    its property shapes that have targets."""
    merged = data + ontology
    nodes = set()
    for each in targeted(shape, shapes):
        for cls in shapes.objects(each, SH.targetClass):
            for sub in merged.transitive_subjects(RDFS.subClassOf, cls):
                nodes.update(merged.subjects(RDF.type, sub))
        for prop in shapes.objects(each, SH.targetSubjectsOf):
            nodes.update(merged.subjects(prop, None))
    return nodes


def result_shapes(report):
    """Source shapes of the report's top-level results (not of nested sh:detail)."""
    return {report.value(r, SH.sourceShape)
            for rep in report.subjects(RDF.type, SH.ValidationReport)
            for r in report.objects(rep, SH.result)}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(path, shapes, ontology):
    shape = header_shape(path, "shape")
    data = Graph().parse(path, format="turtle")
    assert focus_nodes(shape, shapes, data, ontology), f"{path.name} gives {shape} nothing to check"
    conforms, _, text = validate(data, shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_violates_its_shape(path, shapes, ontology):
    expected = header_shape(path, "expect")
    assert (expected, RDF.type, SH.NodeShape) in shapes, f"{expected} is not a node shape"
    data = Graph().parse(path, format="turtle")
    conforms, report, text = validate(data, shapes, ontology)
    assert not conforms, f"{path.name} should violate {expected}"
    owned = {expected, *shapes.objects(expected, SH.property)}
    found = result_shapes(report)
    assert found, text
    assert found <= owned, f"{path.name} violates other shapes than {expected}:\n{text}"


def test_shapes_and_examples_parse_with_pyoxigraph(shapes):
    quads = list(pyoxigraph.parse(path=str(SHAPES_PATH), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(shapes)
    for path in VALID + INVALID:
        assert list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)), path.name


def test_every_targeted_shape_has_examples(shapes):
    valid = {header_shape(p, "shape") for p in VALID}
    invalid = {header_shape(p, "expect") for p in INVALID}
    targeted = targeted_node_shapes(shapes)
    assert targeted - valid == set(), "shapes without a valid example"
    assert targeted - invalid == set(), "shapes without an invalid example"
    assert valid <= targeted and invalid <= targeted, "examples naming unknown shapes"


def test_every_shape_constraint_has_a_message(shapes):
    for node_shape in targeted_node_shapes(shapes):
        assert shapes.value(node_shape, RDFS.label) is not None, node_shape
        for prop in shapes.objects(node_shape, SH.property):
            assert isinstance(prop, URIRef), f"{node_shape}: property shapes get readable IRIs"
            assert shapes.value(prop, SH.message) is not None, prop
            assert shapes.value(prop, RDFS.label) is not None, prop
        node_level = {p for _, p, _ in shapes.triples((node_shape, None, None))} & {
            SH["or"], SH["and"], SH["not"], SH.xone}
        if node_level:
            assert shapes.value(node_shape, SH.message) is not None, node_shape


def test_provenance_message_is_the_documented_one(shapes):
    assert shapes.value(KOSRUSH["FactShape-source"], SH.message).value == (
        "A fact must name its source (prov:wasDerivedFrom)")


def test_ontology_graph_is_needed(shapes, ontology):
    """Without ont_graph, a sub-class value fails sh:class and targets are missed."""
    data = Graph().parse(EXAMPLES / "valid" / "position-claim.ttl", format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=copy(shapes), inference="none")
    assert not conforms
    assert KOSRUSH["PositionClaimShape-claimedBy"] in result_shapes(report)
    assert not any(True for _ in data.subjects(RDF.type, KOSRU.Fact))
    conforms, _, text = validate(data, shapes, ontology)
    assert conforms, text
