"""Canned questions: headers, the real queries on the real graph, parameter checking and binding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import BASE, TEXT_QUESTION
from pyoxigraph import Literal, NamedNode, Quad, Variable

from kosru_kg.errors import BadRequest
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.service import questions
from kosru_kg.service.questions import Choice, Parameter, QuestionError
from kosru_kg.web import create_app
from kosru_kg.web.render import pictures

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PROV_DERIVED_FROM = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCT_TITLE = NamedNode("http://purl.org/dc/terms/title")
HEADER = """\
# title: Which states recognised Kosovo in a given year?
# description: The states whose recognition is dated in the year,
#   in date order.
# param: year | year | 2008 | 2008-2010 | Year of recognition
# param: state | state | russia | russia, serbia | State
# picture: recognitions-per-year
"""
BODY = "SELECT ?year ?state ?label WHERE { ?state <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


class SpyBackend:
    """A backend that records every query it is asked, to show what reaches the store."""

    def __init__(self, backend):
        self.backend, self.version, self.calls = backend, backend.version, []

    def query(self, sparql, **kwargs):
        self.calls.append((sparql, kwargs.get("substitutions")))
        return self.backend.query(sparql, **kwargs)


@pytest.fixture(scope="module")
def catalogue(settings, tmp_path_factory) -> dict[str, questions.Question]:
    """The canned questions, and ``named``, the one with a text and a choice parameter (TEXT_QUESTION)."""
    named = questions.parse(write(tmp_path_factory.mktemp("questions"), "named", TEXT_QUESTION), settings.base_iri)
    return {**questions.load(settings.queries_dir, settings.base_iri), "named": named}


# --- the header ----------------------------------------------------------------------------

def test_header_parses_into_a_question(tmp_path):
    question = questions.parse(write(tmp_path, "in-year", HEADER + BODY), BASE)
    assert question.name == "in-year"
    assert question.title == "Which states recognised Kosovo in a given year?"
    assert question.description == "The states whose recognition is dated in the year, in date order."
    assert question.params == (
        Parameter("year", "year", "2008", ("2008", "2009", "2010"), "Year of recognition"),
        Parameter("state", "state", "russia", ("russia", "serbia"), "State"),
    )
    assert question.picture == "recognitions-per-year"
    assert question.sparql == HEADER + f"BASE <{BASE}>\n" + BODY  # the deployment's base, after the header


def test_a_question_without_parameters_or_picture(tmp_path):
    question = questions.parse(write(tmp_path, "plain", "# title: Who?\n# description: Everyone.\n" + BODY), BASE)
    assert (question.params, question.picture) == ((), None)


@pytest.mark.parametrize(("text", "message"), [
    ("# description: No title.\n" + BODY, "no 'title'"),
    ("# title: Who?\n" + BODY, "no 'description'"),
    ("# title: Who?\n# title: Whom?\n# description: d\n" + BODY, "gives 'title' twice"),
    ("# title: Who?\n# description: d\n# author: me\n" + BODY, "unknown header field 'author'"),
    ("# title: Who?\n# description: d\n# just a remark\n" + BODY, "line 3"),
    ("# title: Who?\n# description: d\n# param: year | year | 2008\n" + BODY, "name | type | default"),
    ("# title: Who?\n# description: d\n# param: year | datetime | 2008 | | Year\n" + BODY, "unknown type 'datetime'"),
    ("# title: Who?\n# description: d\n# param: year | date | 2008 | | Year\n" + BODY, "a date written YYYY-MM-DD"),
    ("# title: Who?\n# description: d\n# param: year | year | 1999 | 2008-2010 | Year\n" + BODY,
     "the default is not allowed"),
    ("# title: Who?\n# description: d\n# param: year | year | 2008 | recent | Year\n" + BODY, "range such as"),
    ("# title: Who?\n# description: d\n# param: kind | enum | a | | Kind\n" + BODY, "lists its allowed values"),
    ("# title: Who?\n# description: d\n# param: kind | enum | a | a=The A, b | Kind\n" + BODY,
     "give every value of the enum a name"),
    ("# title: Who?\n# description: d\n# param: the-year | year | 2008 | 2008-2010 | Year\n" + BODY,
     "not a SPARQL variable name"),
    ("# title: Who?\n# description: d\n# param: other | string | x | | Other\n" + BODY,
     "?other"),
    ("# title: Who?\n# description: d\nSELECT * WHERE {\n", "the query does not run"),
    ("# title: Who?\n# description: d\nASK {}\n", "a SELECT query"),
])
def test_a_malformed_file_names_itself_and_the_fault(tmp_path, text, message):
    with pytest.raises(QuestionError, match="bad.rq") as caught:
        questions.parse(write(tmp_path, "bad", text), BASE)
    assert message in str(caught.value)


def test_load_reads_every_file_by_name(tmp_path):
    for name in ("b", "a"):
        write(tmp_path, name, "# title: Who?\n# description: d\n" + BODY)
    assert list(questions.load(tmp_path, BASE)) == ["a", "b"]


# --- the real questions on the real graph ----------------------------------------------------

def test_there_are_enough_questions(catalogue):
    assert len(catalogue) >= 15


@pytest.mark.parametrize("name", sorted(p.stem for p in (Path(__file__).parents[2] / "queries").glob("*.rq")))
def test_every_question_answers_on_the_real_graph(catalogue, backend, settings, name):
    question = catalogue[name]
    assert question.title.endswith("?") and question.description
    values, bindings = question.bind({}, backend, settings.base_iri)
    # A date parameter's "today" is shown as the day it stands for.
    assert values == {p.name: dt.date.today().isoformat() if p.default == "today" else p.default
                      for p in question.params}
    assert len(list(question.answer(backend, bindings))) >= 1


def test_every_picture_named_is_drawn(catalogue):
    named = {q.picture for q in catalogue.values() if q.picture}
    assert named == {"timeline", "recognitions-per-year", "roster-map"}
    assert named <= {*pictures.PICTURES, *pictures.ANSWER_PICTURES}


def test_recognitions_in_a_year(catalogue, backend, settings):
    question = catalogue["recognitions-in-year"]
    _, bindings = question.bind({"year": ["2017"]}, backend, settings.base_iri)
    answer = [(row["stateLabel"].value, row["date"].value) for row in question.answer(backend, bindings)]
    assert answer == [("Bangladesh", "2017-02-27"), ("Madagascar", "2017-11"), ("Madagascar", "2017-11-24"),
                      ("Madagascar", "2017-11-25")]


def test_stance_of_a_state(catalogue, backend, settings):
    question = catalogue["stance-of-state"]
    _, bindings = question.bind({"state": ["china"]}, backend, settings.base_iri)
    answer = [(row["positionLabel"].value, row["subjectLabel"].value) for row in question.answer(backend, bindings)]
    assert ("advocates a negotiated settlement", "Kosovo") in answer
    assert ("does not recognise", "Kosovo") in answer


def test_where_a_fact_comes_from(catalogue, backend, settings):
    question = catalogue["sources-of-fact"]
    _, bindings = question.bind({"resource": [BASE + "event/crimea-recognition-2014"]}, backend, settings.base_iri)
    titles = [row["sourceLabel"].value for row in question.answer(backend, bindings)]
    assert len(titles) == 4
    assert "Kosovo–Russia relations: History, closing paragraphs (Konuzin 2009, Crimea 2014, " \
           "Women's Euro qualifying)" in titles


# --- checking and binding values -----------------------------------------------------------

@pytest.mark.parametrize(("name", "given", "bound"), [
    ("recognitions-in-year", "2019", Literal("2019", datatype=XSD_INTEGER)),
    ("stance-of-state", "serbia", NamedNode(BASE + "state/serbia")),
    ("stance-of-state", BASE + "state/serbia", NamedNode(BASE + "state/serbia")),
    ("sources-of-fact", "veto/veto-threat-2007-07-20", NamedNode(BASE + "veto/veto-threat-2007-07-20")),
    ("contested-facts", "inferred", NamedNode(BASE + "concept/inferred")),
    ("named", "Putin", Literal("Putin")),
])
def test_values_are_bound_as_terms_and_the_query_text_is_untouched(catalogue, backend, settings, name, given, bound):
    question = catalogue[name]
    param = question.params[0]
    spy = SpyBackend(backend)
    _, bindings = question.bind({param.name: [given]}, spy, settings.base_iri)
    question.answer(spy, bindings)
    assert spy.calls[-1][0] == question.sparql
    assert spy.calls[-1][1][Variable(param.name)] == bound


@pytest.mark.parametrize(("name", "param", "value", "allowed"), [
    ("stance-of-state", "state", "kosovo> } ; DROP", "the id of a state resource"),
    ("stance-of-state", "state", "atlantis", "the id of a state resource"),
    ("stance-of-state", "state", BASE + "person/vladimir-putin", "the id of a state resource"),
    ("stance-of-state", "state", "", "the id of a state resource"),
    ("recognitions-in-year", "year", "1999", "a year from 2008 to 2025"),
    ("recognitions-in-year", "year", "2008 OR 1=1", "a year from 2008 to 2025"),
    ("contested-facts", "verification", "verified", "one of these concept resources: disputed, unverified, inferred"),
    ("named", "kind", "Spaceship", "one of any, State, Organization"),
    ("named", "text", "", "a text of 1 to 200 printable characters"),
    ("named", "text", "x" * 201, "a text of 1 to 200 printable characters"),
    ("sources-of-fact", "resource", "http://example.org/elsewhere", "the IRI of a resource of this dataset"),
    ("sources-of-fact", "resource", "veto/no-such-veto", "the IRI of a resource of this dataset"),
])
def test_a_bad_value_is_refused_naming_the_parameter_before_any_query(catalogue, backend, settings, name, param,
                                                                      value, allowed):
    spy = SpyBackend(backend)
    with pytest.raises(BadRequest) as caught:
        catalogue[name].bind({param: [value]}, spy, settings.base_iri)
    assert f"parameter '{param}'" in caught.value.message and allowed in caught.value.message
    sent = [sparql for sparql, _ in spy.calls]
    assert catalogue[name].sparql not in sent
    assert not any(value and value in sparql for sparql in sent)


def test_a_parameter_given_twice_is_refused(catalogue, backend, settings):
    with pytest.raises(BadRequest, match="parameter 'state' is given 2 times"):
        catalogue["stance-of-state"].bind({"state": ["russia", "serbia"]}, backend, settings.base_iri)


def test_a_kind_offers_its_labelled_resources(catalogue, backend, settings):
    states = catalogue["stance-of-state"].params[0].choices(backend, settings.base_iri)
    assert Choice("russia", "Russia") in states and Choice("kosovo", "Kosovo") in states
    assert [c.label for c in states] == sorted((c.label for c in states), key=str.lower)
    verifications = catalogue["contested-facts"].params[0].choices(backend, settings.base_iri)
    assert verifications == [Choice("disputed", "disputed"), Choice("inferred", "inferred"),
                             Choice("unverified", "unverified")]


# --- escaping ------------------------------------------------------------------------------

def test_a_label_with_markup_is_escaped_on_the_question_page(settings, tmp_path):
    thing, source = NamedNode(BASE + "state/scriptland"), NamedNode(BASE + "source/marked-up")
    backend = EmbeddedBackend.from_quads([
        Quad(thing, RDFS_LABEL, Literal("<script>alert(1)</script>", language="en")),
        Quad(thing, PROV_DERIVED_FROM, source),
        Quad(source, DCT_TITLE, Literal("<b>Bold</b> & co")),
    ], "test", tmp_path / "store")
    write(tmp_path, "names", "# title: What is named?\n# description: Every label.\n"
          "SELECT ?thing ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n")
    client = create_app(settings.replace(queries_dir=str(tmp_path)), backend).test_client()
    response = client.get("/questions/names")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
