"""Every configured limit answers with its own status and a message naming the limit; one log line per request."""

from __future__ import annotations

import dataclasses
import http.client
import json
import urllib.parse

import pytest

from kosru_kg.config import ConfigError
from kosru_kg.web import create_app

HANG_GUARD = 30  # seconds a log line may take to appear before the test fails; never waited out when all is well

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def tight(settings, backend):
    """The app with every limit set small."""
    limits = dataclasses.replace(settings, max_query_bytes=200, max_url_bytes=400, max_header_bytes=300,
                                 max_headers=20, max_params=5, max_html_rows=3)
    return create_app(limits, backend).test_client()


def message(response) -> str:
    return response.get_data(as_text=True)


def test_a_query_over_the_size_limit_is_413(tight):
    long_query = QUERY + " #" + "x" * 300
    for response in (tight.post("/sparql", data=long_query, content_type="application/sparql-query"),
                     tight.post("/sparql", data={"query": long_query})):
        assert response.status_code == 413
        assert "at most 200 bytes" in message(response)


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(tight):
    response = tight.post("/sparql", data=b"x" * 5000, content_type="application/sparql-query")
    assert response.status_code == 413 and "the request body is 5000 bytes" in message(response)


def test_a_long_request_target_is_414(tight):
    response = tight.get("/sparql", query_string={"query": QUERY + " #" + "x" * 500})
    assert response.status_code == 414
    assert "at most 400" in message(response) and "POST" in message(response)


def test_a_long_header_is_431(tight):
    response = tight.get("/", headers={"X-Padding": "x" * 400})
    assert response.status_code == 431 and "X-Padding" in message(response)


def test_too_many_headers_is_431(tight):
    response = tight.get("/", headers={f"X-Extra-{n}": "1" for n in range(30)})
    assert response.status_code == 431 and "at most 20" in message(response)


def test_too_many_parameters_is_400(tight):
    graphs = [("default-graph-uri", f"http://example.org/{n}") for n in range(6)]  # a GET's unread ones are dropped
    response = tight.get("/sparql", query_string=[("query", QUERY), *graphs])
    assert response.status_code == 400 and "at most 5" in message(response)
    form = tight.post("/sparql", data=urllib.parse.urlencode([("query", QUERY)] + [("x", str(n)) for n in range(6)]),
                      content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400 and "7 parameters" in message(form)


def test_html_tables_stop_at_the_row_limit_and_say_so(tight):
    page = tight.get("/questions/recognising-states")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("<tr>") == 1 + 3  # the heading row and three rows
    assert "the first of more" in message(page)
    full = tight.get("/questions/recognising-states.csv")
    assert len(full.get_data(as_text=True).splitlines()) > 4  # the formats carry every row


@pytest.mark.parametrize(("name", "value"), [
    ("max_query_bytes", "0"), ("query_timeout", "-1"), ("max_url_bytes", "9000"), ("max_queries", "many"),
])
def test_a_bad_limit_setting_is_refused_naming_it(name, value):
    from kosru_kg.config import from_environment

    with pytest.raises(ConfigError) as caught:
        from_environment({f"KOSRU_{name.upper()}": value})
    assert name in str(caught.value)


# --- through the real server ----------------------------------------------------------------

def connect(live_server) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(live_server.url)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)


def test_a_request_line_beyond_the_limit_is_414_naming_it(live_server):
    connection = connect(live_server)
    connection.request("GET", "/sparql?query=" + "x" * 9000)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 414 and "at most 8000" in body


def test_a_request_line_beyond_the_http_servers_buffer_is_refused_without_a_server_error(live_server):
    connection = connect(live_server)
    try:
        connection.request("GET", "/sparql?query=" + "x" * 600_000)
        status = connection.getresponse().status
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        status = None  # Granian closes a connection whose head overflows its buffer
    finally:
        connection.close()
    assert status is None or 400 <= status < 500


def logged(server, marker: str, count: int) -> list[dict]:
    """``count`` log records from the first whose query holds ``marker``, once they are written.

    A request's line is written when its answer's iterable is closed, which the HTTP server may
    do just after the last byte has left: the lines are awaited (as the server writes them), not assumed.
    """
    def ours(lines: list[str]) -> list[dict]:
        records = [json.loads(line) for line in lines if line.startswith("{")]
        at = next((n for n, r in enumerate(records) if marker in r.get("query", "")), len(records))
        return records[at:at + count]  # from the first marked line on: a refused query's line names no query

    server.log.wait_for(lambda lines: len(ours(lines)) == count, timeout=HANG_GUARD)
    return ours(server.log.lines())


def test_each_request_logs_one_json_line_with_its_duration_and_outcome(live_server):
    marker = "# log-line-test"
    connection = connect(live_server)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": f"{QUERY} {marker}"}))
    first = connection.getresponse()
    first.read()
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "SELEC nothing " + marker}))
    second = connection.getresponse()
    second.read()
    connection.close()
    ours = logged(live_server, marker, 2)  # one thread served the connection, so its lines are in order
    assert [(r["status"], r["outcome"]) for r in ours] == [(200, "ok"), (400, "BadRequest")]
    for record in ours:
        assert record["method"] == "GET" and record["path"] == "/sparql" and record["ms"] >= 0
    assert len(ours[0]["query_sha1"]) == 12
    assert ours[0]["bytes"] == int(first.getheader("Content-Length"))
