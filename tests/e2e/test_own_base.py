"""A deployment whose base IRI is its own address: every IRI of the data dereferences on it.

The server is started with ``KOSRU_BASE_IRI`` set to the address it listens on, builds the
data under that base, and then: the canned questions give the answers they give under the
default base, the descriptions name the deployment's IRIs, and a client that starts from
the home page and follows every IRI in three resources' Turtle gets RDF for each of them.
"""

from __future__ import annotations

import json
import os
import re
import socket
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from conftest import BASE, start_server, stop_server
from pyoxigraph import NamedNode, RdfFormat, parse

from kosru_kg.config import Settings
from kosru_kg.service import questions
from kosru_kg.vocab import ONTOLOGY_IRI

QUESTIONS = sorted(questions.load(Settings().queries_dir, BASE))
RDF_ACCEPT = "text/turtle, application/ld+json;q=0.9, application/n-triples;q=0.8"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A server built and serving under the base http://127.0.0.1:<its port>/."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "KOSRU_BASE_IRI": base, "KOSRU_STORE": str(tmp_path_factory.mktemp("own-base-store"))}
    server = start_server("--port", str(port), env=env)  # no --store: it builds data/ under this base first
    assert server.url == base
    yield server
    stop_server(server)


def get(url: str, accept: str) -> tuple[int, str, bytes]:
    try:
        with urlopen(Request(url, headers={"Accept": accept}), timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except HTTPError as error:
        with error:
            return error.code, error.headers.get_content_type(), error.read()


def rows(server_url: str, name: str) -> list:
    status, _, body = get(f"{server_url}questions/{name}.json", "application/json")
    assert status == 200, (name, body[:300])
    return json.loads(body)["results"]["bindings"]


@pytest.mark.parametrize("name", QUESTIONS)
def test_every_question_answers_as_under_the_default_base(own, live_server, name):
    mine, usual = rows(own.url, name), rows(live_server.url, name)
    assert len(mine) == len(usual)
    assert normalised(mine, own.url) == normalised(usual, BASE)


def normalised(bindings: list, base: str) -> str:
    """The answer with the deployment's base written BASE/ (the ontology's namespace does not move), and
    the parts of a GROUP_CONCAT in one order: SPARQL leaves their order to the engine, which follows
    its own ids of the terms, and those differ with the base."""
    for row in bindings:
        for value in row.values():
            if value["type"] == "literal" and ", " in value["value"]:
                value["value"] = ", ".join(sorted(value["value"].split(", ")))
    return json.dumps(bindings).replace(ONTOLOGY_IRI, "ONTOLOGY").replace(base, "BASE/")


def test_the_descriptions_name_the_deployments_iris(own):
    for path in (".well-known/void", "sparql"):
        status, _, body = get(own.url + path, "text/turtle")
        assert status == 200 and own.url.encode() in body, path
        beyond_the_ontology = body.decode().replace(ONTOLOGY_IRI, "")
        assert BASE not in beyond_the_ontology, path  # no resource IRI of the default base


def test_every_iri_in_three_resources_dereferences_to_rdf(own):
    status, _, home = get(own.url, "text/html")
    assert status == 200
    linked = sorted(set(re.findall(r'href="/((?:state|position|person|event|veto)/[a-z0-9-]+)"', home.decode())))
    starts = [own.url + path for path in linked[:3]]
    assert len(starts) == 3, linked
    followed = 0
    for start in starts:
        status, media_type, body = get(start, "text/turtle")
        assert (status, media_type) == (200, "text/turtle"), start
        iris = {term.value for quad in parse(body, RdfFormat.TURTLE, base_iri=start)
                for term in (quad.subject, quad.predicate, quad.object) if isinstance(term, NamedNode)}
        for iri in sorted(i for i in iris if i.startswith(own.url)):
            status, media_type, answer = get(iri, RDF_ACCEPT)
            assert status == 200 and media_type in ("text/turtle", "application/ld+json", "application/n-triples"), \
                (iri, status, media_type)
            assert list(parse(answer, RdfFormat.from_media_type(media_type), base_iri=iri)), iri
            followed += 1
    assert followed >= 20  # the resources link to many others: states, sources, concepts
