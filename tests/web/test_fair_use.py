"""Each client's share of query time: a real backend, clients told apart by address."""

from __future__ import annotations

import pytest

from kosru_kg.config import ConfigError
from kosru_kg.web import create_app

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "ASK { ?s ?p ?o }"


@pytest.fixture()
def fair_app(settings):
    """A budget of 1.5 s per minute per client; one slow query (stopped at 1 s) uses most of it."""
    app = create_app(settings.replace(client_query_seconds="1.5", query_timeout="1", trusted_proxies="127.0.0.1"))
    yield app
    app.extensions["kosru"].backend.close()


def query(app, text: str, remote: str = "127.0.0.1", forwarded_for: str | None = None):
    headers = {"Accept": "application/sparql-results+json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return app.test_client().get("/sparql", query_string={"query": text}, headers=headers,
                                 environ_base={"REMOTE_ADDR": remote})


def test_a_client_past_its_budget_gets_429_and_others_are_served(fair_app):
    for _ in range(2):
        assert query(fair_app, ENDLESS, remote="192.0.2.1").status_code == 503  # 1 s each, past 1.5 s
    refused = query(fair_app, FAST, remote="192.0.2.1")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "1.5 s per minute per client" in refused.get_data(as_text=True)
    assert query(fair_app, FAST, remote="192.0.2.2").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(fair_app):
    for _ in range(2):
        assert query(fair_app, ENDLESS, forwarded_for="198.51.100.7").status_code == 503
    assert query(fair_app, FAST, forwarded_for="198.51.100.7").status_code == 429
    assert query(fair_app, FAST, forwarded_for="198.51.100.8").status_code == 200
    last_hop = query(fair_app, FAST + " # not the kept answer", forwarded_for="198.51.100.9, 198.51.100.7")
    assert last_hop.status_code == 429


def test_forwarded_for_from_an_untrusted_peer_is_ignored(fair_app):
    for forged in ("203.0.113.1", "203.0.113.2"):
        assert query(fair_app, ENDLESS, remote="192.0.2.9", forwarded_for=forged).status_code == 503
    assert query(fair_app, FAST, remote="192.0.2.9", forwarded_for="203.0.113.3").status_code == 429


def test_a_trusted_proxy_that_is_no_address_is_a_config_error(settings):
    with pytest.raises(ConfigError, match="trusted_proxies: not an IP address or network: 'proxy.local'"):
        settings.replace(trusted_proxies="10.0.0.0/8, proxy.local")


@pytest.fixture()
def page_app(settings):
    """The same budget of 1.5 s, and the default query time limit, so that a page is never cut short."""
    app = create_app(settings.replace(client_query_seconds="1.5"))
    yield app
    app.extensions["kosru"].backend.close()


def use_up_budget(app, remote: str) -> None:
    for _ in range(2):  # 1 s each (the client asks for that limit), past 1.5 s
        answer = app.test_client().get("/sparql", query_string={"query": ENDLESS, "timeout": "1"},
                                       environ_base={"REMOTE_ADDR": remote})
        assert answer.status_code == 503


def test_a_page_that_queries_draws_on_the_same_budget(page_app):
    use_up_budget(page_app, "192.0.2.21")
    page = "/questions/recognitions-as-of?asOf=2012-03-04&viewpoint=every-withdrawal"  # never asked before
    refused = page_app.test_client().get(page, environ_base={"REMOTE_ADDR": "192.0.2.21"})
    assert refused.status_code == 429
    assert "1.5 s per minute per client" in refused.get_data(as_text=True)
    served = page_app.test_client().get(page, environ_base={"REMOTE_ADDR": "192.0.2.22"})
    assert served.status_code == 200


def test_a_page_charges_its_queries_to_its_client(page_app):
    quota = page_app.extensions["kosru"].backend.gate.quota
    assert quota.spent("192.0.2.23") == 0.0
    page = "/questions/recognitions-as-of?asOf=2013-04-05"
    assert page_app.test_client().get(page, environ_base={"REMOTE_ADDR": "192.0.2.23"}).status_code == 200
    assert quota.spent("192.0.2.23") > 0.0


@pytest.mark.parametrize("path", ["/.well-known/void", "/.well-known/dcat"])
def test_a_description_made_for_a_new_host_is_charged_to_its_client(page_app, path):
    quota = page_app.extensions["kosru"].backend.gate.quota
    client = page_app.test_client()
    assert client.get(path, headers={"Host": "first.example"}, environ_base={"REMOTE_ADDR": "192.0.2.24"}).status_code == 200
    # Its queries' answers are kept now: under a new Host only the description itself is made again.
    answer = client.get(path, headers={"Host": "mirror-of-the-day.example"}, environ_base={"REMOTE_ADDR": "192.0.2.25"})
    assert answer.status_code == 200 and b"mirror-of-the-day.example" in answer.get_data()
    assert quota.spent("192.0.2.25") > 0.0
