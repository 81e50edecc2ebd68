"""``kosru-kg publish`` checks its own work (issue 25): against a real ``oxigraph serve``, through a real
HTTP front that behaves as other engines do (``tests/engine_front.py``).

Bodies go with a Content-Length, never chunked; each graph is counted back, and a store that
drops a body fails the publication by name and count; an engine that asks for credentials gets
them, Basic or Digest, from the environment, and they show in no output.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import BASE
from engine_front import Behaviour, EngineFront
from oxigraph_server import start_oxigraph
from pyoxigraph import Store

from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.engine_link import PASSWORD_VARIABLE, USER_VARIABLE
from kosru_kg.query.remote import RemoteBackend

PASSWORD = "s3cret-Pa55word"  # noqa: S105 - a test's own
LABEL_QUERY = f'ASK {{ <{BASE}state/kosovo> ?p "Kosovo"@en }}'


@pytest.fixture()
def oxigraph(tmp_path):
    """An Oxigraph of the test's own, empty."""
    server = start_oxigraph(tmp_path / "oxigraph")
    yield server
    server.stop()


@pytest.fixture()
def front(oxigraph, request):
    """A front to the test's Oxigraph, behaving as the test's parameter says."""
    behaviour = getattr(request, "param", None) or Behaviour()
    server = EngineFront(oxigraph.url, behaviour)
    yield server
    server.stop()


def publish(front: EngineFront, store, **env: str) -> subprocess.CompletedProcess:
    """``kosru-kg publish`` run as a user runs it, with the environment given (and no credentials else)."""
    environ = {k: v for k, v in os.environ.items() if k not in (USER_VARIABLE, PASSWORD_VARIABLE)}
    return subprocess.run([sys.executable, "-m", "kosru_kg", "publish", "--endpoint", front.query,
                           "--store", str(store)], capture_output=True, text=True, timeout=300,
                          env={**environ, **env})


def graph_sizes(layout: StoreLayout) -> dict[str, int]:
    store = Store.read_only(str(layout.versions / layout.manifest().version))
    sizes = {graph.value: sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
             for graph in store.named_graphs()}
    return {**sizes, "default": len(store) - sum(sizes.values())}


def test_every_body_goes_with_a_content_length_and_every_graph_is_counted_back(front, settings):
    run = publish(front, settings.store)
    assert run.returncode == 0, run.stderr
    sent = [seen for seen in front.behaviour.seen if seen.method == "PUT"]
    sizes = graph_sizes(StoreLayout(settings.store))
    assert len(sent) == len(sizes) + 1  # every graph, then the version
    for seen in sent:
        assert "Transfer-Encoding" not in seen.headers
        assert int(seen.headers["Content-Length"]) == len(seen.body) > 0
    counted = [seen.body.decode() for seen in front.behaviour.seen if b"COUNT" in seen.body]
    assert len(counted) == len(sizes)  # one count for each graph: the version's graph is read back, not counted
    puts = [seen.path for seen in sent]
    last_count = max(i for i, seen in enumerate(front.behaviour.seen) if b"COUNT" in seen.body)
    assert front.behaviour.seen.index(sent[-1]) > last_count and "publication" in puts[-1]  # counted, then recorded


@pytest.mark.parametrize("front", [Behaviour(drop_puts=True)], indirect=True)
def test_a_store_that_drops_what_it_was_sent_fails_the_publication_by_address_and_count(front, oxigraph, settings):
    run = publish(front, settings.store)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    facts = graph_sizes(StoreLayout(settings.store))[f"{BASE}graph/facts"]
    assert f"publish failed: {front.query} holds 0 triples in the graph <{BASE}graph/facts> after {facts} " \
           f"were sent to {front.store}" in run.stderr
    assert "published version" not in run.stdout
    assert not [seen for seen in front.behaviour.seen if "publication" in seen.path]  # no version recorded
    with pytest.raises(Exception, match="holds no published kosru-kg graph"):
        RemoteBackend(oxigraph.query)


@pytest.mark.parametrize("front", [Behaviour(scheme="basic", user="loader", password=PASSWORD),
                                   Behaviour(scheme="digest", user="loader", password=PASSWORD)],
                         indirect=True, ids=["basic", "digest"])
def test_an_engine_asking_for_credentials_gets_them_from_the_environment_and_they_show_nowhere(
        front, settings, monkeypatch):
    refused = publish(front, settings.store, **{USER_VARIABLE: "loader", PASSWORD_VARIABLE: "wrong-" + PASSWORD})
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr
    assert USER_VARIABLE in refused.stderr and "wrong-" + PASSWORD not in refused.stdout + refused.stderr
    front.behaviour.seen.clear()

    run = publish(front, settings.store, **{USER_VARIABLE: "loader", PASSWORD_VARIABLE: PASSWORD})
    assert run.returncode == 0, run.stderr
    assert PASSWORD not in run.stdout + run.stderr and "published version" in run.stdout
    answered = [seen for seen in front.behaviour.seen if seen.headers.get("Authorization")]
    assert answered and all(seen.headers["Authorization"].lower().startswith(front.behaviour.scheme)
                            for seen in answered)
    assert all(PASSWORD not in seen.headers["Authorization"] for seen in answered)  # encoded or hashed, never plain

    monkeypatch.setenv(USER_VARIABLE, "loader")
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    remote = RemoteBackend(front.query, settings)  # and serving through it, with the same credentials
    try:
        assert bool(remote.query(LABEL_QUERY)) is True
    finally:
        remote.close()
