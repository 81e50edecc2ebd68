"""Bad input never makes the server fail: Hypothesis sends it thousands of generated requests.

Every request goes over a socket to a real ``kosru-kg serve`` process: SPARQL queries (random
text, grammar-aware queries over the graph's own IRIs, broken variants, updates, SERVICE calls)
by every protocol operation, with dataset parameters; Accept, format and Content-Type values;
parameters unknown, repeated, empty, badly encoded or many; resource, question, editor and
download URLs with odd ids, suffixes and traversals; and raw requests with non-UTF-8 bytes in
the method, the target, the headers and the body. The property (``fuzz_http.assert_handled``):
each answer is well-formed HTTP with a status below 500, but for a deliberate 503 (a query
deadline or a full server, which says so), and no body leaks a traceback or an internal path.

The run sends at least 10,000 requests (checked when the module's server stops, if every fuzz
test ran). With the environment variable CI set, examples are derandomized and no example
database is kept, so CI runs the same requests every time; elsewhere Hypothesis explores
afresh and replays past failures.
"""

from __future__ import annotations

import os
from urllib.parse import quote, quote_from_bytes

import pytest
from conftest import start_server, stop_server
from fuzz_http import LONGEST_TARGET, STATUSES, RawRequest, assert_handled, exchange
from fuzz_sparql import SparqlStrategies, mostly, pick, vocabulary
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kosru_kg import formats
from kosru_kg.service import questions
from kosru_kg.service.protocol import GRAPH_FORMATS, SOLUTION_FORMATS, format_names
from kosru_kg.web.views.resources import KINDS

REQUIRED_REQUESTS = 10_000
CI = bool(os.environ.get("CI"))
QUERY_TIMEOUT = "2"  # seconds: the server cuts slow queries short, so a run stays quick
BODY_TIMEOUT = "1"  # seconds: a body that promises more than it sends is answered 408 soon


def fuzz(examples: int):
    """Hypothesis settings for one test: ``examples`` generated cases, reproducible under CI."""
    return settings(max_examples=examples, deadline=None, derandomize=CI, **({"database": None} if CI else {}),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- the server and what it serves -------------------------------------------------------------

@pytest.fixture(scope="module")
def address(settings, request):
    """A server of its own, with short query and body deadlines; when every fuzz test ran, the tally is checked."""
    server = start_server("--store", str(settings.store), env={**os.environ, "KOSRU_QUERY_TIMEOUT": QUERY_TIMEOUT,
                                                            "KOSRU_BODY_TIMEOUT": BODY_TIMEOUT})
    host, port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    STATUSES.clear()
    yield host, int(port)
    assert server.process.poll() is None, "the server died during the fuzzing"
    stop_server(server)
    if whole_run(request):
        check_tally()


def whole_run(request) -> bool:
    """Whether every fuzz test of this module was selected: a partial run promises no total."""
    selected = {item.name for item in request.session.items if item.module is request.module}
    return selected >= FUZZ_TESTS


def check_tally() -> None:
    """The run sent its 10,000 requests, and every kind of request but the refused writes got some 2xx answers:
    a fuzzer whose requests are all turned away at the door would test nothing behind it."""
    tally = {kind: dict(sorted(statuses.items())) for kind, statuses in STATUSES.items()}
    total = sum(sum(statuses.values()) for statuses in STATUSES.values())
    assert total >= REQUIRED_REQUESTS, f"only {total} requests were answered ({tally}); the fuzzing needs {REQUIRED_REQUESTS}"
    unanswered = [kind for kind, statuses in STATUSES.items()
                  if kind != "updates" and not any(200 <= status < 300 for status in statuses)]
    assert not unanswered, f"no request of {unanswered} got a 2xx answer: {tally}"


@pytest.fixture(scope="module")
def canned(settings) -> dict[str, questions.Question]:
    return questions.load(settings.queries_dir, settings.base_iri)


@pytest.fixture(scope="module")
def sparql(store, canned) -> SparqlStrategies:
    return SparqlStrategies(vocabulary(store), tuple(q.sparql for q in canned.values()))


@pytest.fixture(scope="module")
def resource_paths(settings, sparql) -> st.SearchStrategy[str]:
    """The paths of the graph's resources, such as state/kosovo."""
    base = settings.base_iri
    return pick(tuple(iri.removeprefix(base) for iri in sparql.vocab.resources if iri.startswith(base)))


@pytest.fixture(scope="module")
def datasets(sparql) -> st.SearchStrategy[list[tuple[str, str]]]:
    """default-graph-uri and named-graph-uri parameters: the graphs' IRIs, and values that are no IRI."""
    graph = st.one_of(sparql.graph.map(lambda iri: iri.strip("<>")), UTF8_TEXT, st.sampled_from(
        ["", "relative", "http://example.org/nothing", "http://x y", "<http://x>", "urn:x", "http://[::1", "\u00e9"]))
    return st.lists(st.tuples(st.sampled_from(["default-graph-uri", "named-graph-uri"]), graph), max_size=3)


@pytest.fixture(scope="module")
def parameter_values(sparql, canned) -> dict[tuple[str, str], st.SearchStrategy]:
    """For each question's parameter, values it allows and values it does not."""
    resources = tuple(iri.strip("<>") for iri in sparql.vocab.resources[:20])
    return {(question.name, param.name): st.lists(st.one_of(
        pick((*param.allowed, param.default, *resources)), PARAMETER_VALUES), max_size=2)
        for question in canned.values() for param in question.params}


def send(address, request: RawRequest, counter: str) -> None:
    """Send one request and check the property.

    Tests draw every request before sending any: what Hypothesis draws must not depend on answers.
    """
    assert_handled(exchange(address, request, counter), request)


def get_or_head(data) -> bytes:
    """GET, and now and then HEAD, which must answer the same without a body."""
    return data.draw(st.sampled_from([b"GET"] * 9 + [b"HEAD"]), label="method")


# --- building blocks ---------------------------------------------------------------------------

MEDIA_TYPES = sorted({*SOLUTION_FORMATS, *GRAPH_FORMATS, "text/html", "application/xhtml+xml", "text/plain",
                      "application/xml", "image/png", "application/sparql-query"})
UTF8_TEXT = st.text(max_size=40)  # any Unicode but lone surrogates, which UTF-8 cannot carry
ANY_BYTES = st.binary(max_size=40)
HEADER_BYTES = st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))

media_range = st.one_of(
    st.sampled_from([*MEDIA_TYPES, "*/*", "text/*", "application/*", "*/json", "*", "/", "text/", "*/*/*", ""]),
    st.from_regex(r"[a-z*+.-]{0,8}/[a-z*+.-]{0,12}", fullmatch=True),
)
media_parameter = st.sampled_from([
    "", ";q=0", ";q=1", ";q=0.5", ";q=0.001", ";q=1.0001", ";q=-1", ";q=abc", ";q=", ";q=0.1234567", ";Q=0.3",
    ";q=1e3", ";q=NaN", ";q=inf", ";level=1", ";charset=utf-8", ";charset=latin1", ";charset=", '; charset="UTF-8"',
    ";;", ";=", ";q=0.5;q=0.9", ";profile=\"http://www.w3.org/ns/json-ld#compacted\"", ";x=\"unterminated",
])
accept_header = st.one_of(
    st.lists(st.tuples(media_range, media_parameter).map("".join), max_size=6).map(", ".join),
    UTF8_TEXT,
    st.sampled_from([",,,", ";", "q=1", "text/html;q=0, */*;q=0", "*/*;q=0"]),
    st.integers(100, 1500).map(lambda n: ", ".join(["text/html;q=0.5"] * n)[:7000]),  # huge, under the header limit
).map(lambda text: text.encode("utf-8"))
format_value = st.one_of(
    st.sampled_from([*formats.names(), *MEDIA_TYPES, "JSON", "Turtle", "json-ld", "n3", "rdf+xml", "", "*/*", "table"]),
    UTF8_TEXT,
)
content_type = st.one_of(
    st.none(),
    st.sampled_from([
        "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
        "APPLICATION/SPARQL-QUERY", "application/sparql-query; charset=utf-8", "application/sparql-query; charset=UTF8",
        "application/sparql-query; charset=latin-1", "application/sparql-query; charset=utf-16",
        "application/x-www-form-urlencoded; charset=iso-8859-1", 'application/x-www-form-urlencoded; charset="utf-8"',
        "application/x-www-form-urlencoded;charset", "application/sparql-query;;", "application/sparql-query; charset=",
        "multipart/form-data; boundary=x", "multipart/form-data", "text/plain", "application/json", "*/*", "", ";",
        "application/sparql-query; charset=utf-8; charset=latin1", "application/sparql-query, text/plain",
    ]),
    st.tuples(media_range, media_parameter).map("".join),
).map(lambda text: None if text is None else text.encode("utf-8"))


def encoded(text: str | bytes) -> bytes:
    """Percent-encoded for a query string or form: UTF-8 for text, the bytes as they are otherwise."""
    return (quote(text, safe="") if isinstance(text, str) else quote_from_bytes(text, safe="")).encode("ascii")


def query_string(pairs: list[tuple[str | bytes, str | bytes]]) -> bytes:
    return b"&".join(encoded(name) + b"=" + encoded(value) for name, value in pairs)


# Raw pieces of a query string that no encoder would write: bad escapes, non-UTF-8, odd separators;
# now and then bytes that are not even ASCII, which the HTTP server refuses in a request line.
RAW_PIECES = st.sampled_from([b"%", b"%G0", b"%0", b"%FF", b"%C3", b"%C3%28", b"%ED%A0%80", b"%F4%90%80%80", b"%00",
                              b"&&", b"=", b"==", b";", b"+", b"#", b"?", b"%2B", b"%26", b"%3D", b"query", b"format",
                              b"%u0041", b"%%", b"%25", b"&query=", b"&format="])
raw_query_string = mostly(st.lists(RAW_PIECES, max_size=12),
                          st.lists(st.one_of(RAW_PIECES, st.binary(max_size=6)), max_size=12)).map(b"".join)


# --- SPARQL queries by every protocol operation ----------------------------------------------------

@fuzz(examples=1100)
@given(data=st.data())
def test_queries_by_get_post_form_and_post_body(address, sparql, datasets, data):
    """The same query sent three ways: GET, POST form and POST application/sparql-query."""
    query = data.draw(mostly(sparql.any_query(), st.one_of(UTF8_TEXT, ANY_BYTES)), label="query")
    dataset = data.draw(datasets, label="dataset")
    accept = data.draw(st.one_of(st.none(), accept_header), label="accept")
    formats = data.draw(mostly(st.just([]), st.lists(format_value, min_size=1, max_size=2)), label="format")
    method = get_or_head(data)
    headers = [] if accept is None else [(b"Accept", accept)]
    in_url = query_string([("query", query), *dataset, *(("format", f) for f in formats)])
    if len(in_url) < LONGEST_TARGET:
        send(address, RawRequest(method, b"/sparql?" + in_url, headers), "queries")
    send(address, RawRequest(b"POST", b"/sparql", [*headers, (b"Content-Type", b"application/x-www-form-urlencoded")],
                                   in_url), "queries")
    body = query.encode("utf-8") if isinstance(query, str) else query
    parameters = [*dataset, *(("format", f) for f in formats)]
    target = b"/sparql" + (b"?" + query_string(parameters) if parameters else b"")
    send(address, RawRequest(b"POST", target, [*headers, (b"Content-Type", b"application/sparql-query")], body),
         "queries")


SOLUTION_FORMAT_NAMES = format_names(SOLUTION_FORMATS)
GRAPH_FORMAT_NAMES = format_names(GRAPH_FORMATS)


@fuzz(examples=100)
@given(data=st.data())
def test_computed_terms_in_every_answer_format(address, sparql, data):
    """Terms a query computes, as solutions in every results format and as triples in every RDF format."""
    select, construct = data.draw(sparql.computed(), label="queries")
    for query, names in ((select, SOLUTION_FORMAT_NAMES), (construct, GRAPH_FORMAT_NAMES)):
        for name in names:
            send(address, RawRequest(b"GET", b"/sparql?" + query_string([("query", query), ("format", name)])), "formats")


@fuzz(examples=300)
@given(data=st.data())
def test_updates_and_services_are_refused_however_sent(address, sparql, data):
    """Updates and SERVICE calls as a query, as ``update=``, and as an application/sparql-update body."""
    text = data.draw(st.one_of(sparql.update(), sparql.service()), label="text")
    answer = exchange(address, request := RawRequest(b"GET", b"/sparql?" + query_string([("query", text)])), "updates")
    assert_handled(answer, request)
    assert 400 <= answer.status < 500, f"{text!r} was not refused: {answer}"
    send(address, RawRequest(b"POST", b"/sparql", [(b"Content-Type", b"application/x-www-form-urlencoded")],
                                   query_string([("update", text)])), "updates")
    send(address, RawRequest(b"POST", b"/sparql", [(b"Content-Type", b"application/sparql-update")],
                                   text.encode("utf-8")), "updates")


# --- negotiation: Accept, format, Content-Type ------------------------------------------------------

@fuzz(examples=1000)
@given(data=st.data())
def test_accept_format_and_content_type(address, resource_paths, canned, data):
    """Every negotiating URL with odd Accept headers and format values; POSTs with odd Content-Types."""
    path = data.draw(st.one_of(resource_paths.map(lambda path: f"/{path}"), st.sampled_from([
        "/sparql?query=ASK%7B%7D", "/sparql?query=SELECT%20*%20WHERE%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%201",
        "/sparql?query=CONSTRUCT%20WHERE%7B%3Fs%20a%20%3Fo%7DLIMIT%202", "/sparql", "/ontology", "/.well-known/void",
        "/questions", "/query", "/", "/timeline", "/context.jsonld", "/dataset", "/nothing-here",
        *(f"/questions/{name}" for name in canned)])), label="path")
    formats = data.draw(st.lists(format_value, max_size=2), label="format")
    separator = "&" if "?" in path else "?"
    target = path.encode() + (separator.encode() + query_string([("format", f) for f in formats]) if formats else b"")
    headers = [(b"Accept", data.draw(accept_header, label="accept"))]
    method = get_or_head(data)
    kind = data.draw(content_type, label="content-type")
    body = data.draw(st.one_of(st.just(b"query=ASK%7B%7D"), st.just(b"ASK {}"), ANY_BYTES), label="body")
    post_headers = [*headers, *([(b"Content-Type", kind)] if kind is not None else [])]
    send(address, RawRequest(method, target, headers), "negotiation")
    send(address, RawRequest(b"POST", b"/sparql", post_headers, body), "negotiation")


# --- parameters ----------------------------------------------------------------------------------

PARAMETER_NAMES = st.one_of(
    st.sampled_from(["query", "format", "default-graph-uri", "named-graph-uri", "update", "using-graph-uri", "graph",
                     "default", "example", "year", "text", "kind", "resource", "state", "verification", "", "QUERY",
                     "query[]", "query.x", "__proto__"]),
    UTF8_TEXT,
)
PARAMETER_VALUES = st.one_of(st.sampled_from(["", "ASK {}", "json", "2008", "russia", "x" * 300]), UTF8_TEXT, ANY_BYTES)


@fuzz(examples=1100)
@given(data=st.data())
def test_parameters_unknown_repeated_empty_and_badly_encoded(address, canned, data):
    """Any URL of the service with many, repeated, empty, unknown or badly percent-encoded parameters."""
    path = data.draw(st.sampled_from(
        ["/sparql", "/query", "/questions", "/", "/ontology", "/state/kosovo", "/.well-known/void", "/download/kosru.ttl",
         "/timeline", *(f"/questions/{name}" for name in canned), *(f"/questions/{name}.csv" for name in canned)]),
        label="path")
    pairs = data.draw(st.lists(st.tuples(PARAMETER_NAMES, PARAMETER_VALUES), max_size=8), label="pairs")
    pairs *= data.draw(st.sampled_from([1, 1, 1, 2, 50]), label="repeat")  # now and then very many
    raw = data.draw(st.one_of(st.just(b""), raw_query_string), label="raw")
    query = b"&".join(part for part in (query_string(pairs), raw) if part)
    send(address, RawRequest(get_or_head(data), path.encode() + b"?" + query), "parameters")
    if path == "/sparql":
        send(address, RawRequest(b"POST", b"/sparql", [(b"Content-Type", b"application/x-www-form-urlencoded")],
                                       query), "parameters")


# --- resource paths --------------------------------------------------------------------------------

SUFFIXES = st.sampled_from(["", "", ".ttl", ".jsonld", ".nt", ".rdf", ".html", ".nq", ".trig", ".json", ".csv", ".",
                            ".ttl.ttl", ".TTL", ".exe", ".%00", "/", "//", "/.ttl", ";x", "%2Ettl"])
PATH_KINDS = st.sampled_from([*KINDS, "ontology", "download", "questions", "static"])
SEGMENT = st.one_of(
    st.sampled_from(["..", ".", "%2e%2e", "%2E%2E", "%2f", "%2F", "%5c", "..%2f", "%252e", "", "~", "%00", "%",
                     "%ZZ", "%C3", "%FF", "etc", "passwd", "src", "kosru_kg", "__init__.py", "index.html"]),
    st.from_regex(r"[a-z0-9-]{0,20}", fullmatch=True),
    UTF8_TEXT.map(lambda text: quote(text, safe="")),
)


@fuzz(examples=1200)
@given(data=st.data())
def test_resource_paths(address, resource_paths, data):
    """/<kind>/<id> with real and random kinds and ids, suffixes, traversals, encoded slashes and long paths."""
    kind, _, ident = data.draw(resource_paths, label="resource").partition("/")
    if data.draw(st.sampled_from(["real", "real", "real", "made up"]), label="kind of path") == "made up":
        kind = data.draw(st.one_of(PATH_KINDS, SEGMENT), label="kind")
        ident = data.draw(mostly(st.just(ident), SEGMENT), label="id")
    segments = [kind, ident, *data.draw(mostly(st.just([]), st.lists(SEGMENT, min_size=1, max_size=2)), label="more")]
    path = "/" + "/".join(segments) + data.draw(SUFFIXES, label="suffix")
    if data.draw(st.sampled_from([False] * 19 + [True]), label="long?"):
        path += "/a" * data.draw(st.integers(100, 3000), label="length")  # long: some past the request-line limit
    path = path.replace("//", data.draw(st.sampled_from(["//", "/"]), label="slashes"), 1)
    formats = data.draw(st.lists(format_value, max_size=1), label="format")
    target = path.encode() + (b"?" + query_string([("format", f) for f in formats]) if formats else b"")
    send(address, RawRequest(get_or_head(data), target), "paths")


@fuzz(examples=900)
@given(data=st.data())
def test_question_pages_with_any_parameter_values(address, canned, parameter_values, data):
    """/questions/<name>[.format] with values that fit each parameter's type and values that do not."""
    name = data.draw(mostly(st.sampled_from(sorted(canned)), SEGMENT), label="name")
    suffix = data.draw(st.sampled_from(["", "", ".json", ".csv", ".tsv", ".xml", ".html", ".ttl", "."]), label="suffix")
    pairs = []
    for param in canned[name].params if name in canned else ():
        pairs += [(param.name, value) for value in data.draw(parameter_values[name, param.name], label=param.name)]
    pairs += data.draw(st.lists(st.tuples(PARAMETER_NAMES, PARAMETER_VALUES), max_size=2), label="others")
    target = f"/questions/{name}{suffix}".encode() + b"?" + query_string(pairs)
    send(address, RawRequest(get_or_head(data), target), "questions")


@fuzz(examples=700)
@given(data=st.data())
def test_editor_and_downloads(address, sparql, canned, data):
    """/query with any text, format and example; /download/<name> with real and made-up names."""
    pairs = []
    if data.draw(st.booleans(), label="has query?"):
        pairs.append(("query", data.draw(mostly(sparql.any_query(), st.one_of(UTF8_TEXT, ANY_BYTES)), label="query")))
    pairs += [("format", value) for value in data.draw(st.lists(format_value, max_size=2), label="format")]
    pairs += [("example", value) for value in data.draw(
        st.lists(st.one_of(st.sampled_from(sorted(canned)), UTF8_TEXT), max_size=2), label="example")]
    name = data.draw(st.one_of(st.sampled_from([f.file_name for f in formats.DUMPS]), SEGMENT), label="download")
    editor = RawRequest(get_or_head(data), b"/query?" + query_string(pairs))
    download = RawRequest(get_or_head(data), f"/download/{name}{data.draw(SUFFIXES, label='suffix')}".encode())
    if len(editor.target) < LONGEST_TARGET:
        send(address, editor, "editor")
    send(address, download, "downloads")


# --- raw requests: any method, any bytes ----------------------------------------------------------------

# Each part of the request line and header names, usual and odd. A request has at most one odd
# part: the HTTP server turns such a request away before the app sees it, and odd header values and
# bodies must reach the app too.
PARTS = {
    "method": (
        st.sampled_from([b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH"]),
        st.one_of(st.sampled_from([b"TRACE", b"CONNECT", b"get", b"PROPFIND", b"GET\x00", b"G\xc3\xa9T", b"\xff", b"",
                                   b"FOO-BAR", b"M" * 100]),
                  st.binary(min_size=1, max_size=12).filter(lambda b: not {*b" \r\n"} & {*b})),
    ),
    "target": (
        st.sampled_from([b"/sparql", b"/sparql?query=ASK%7B%7D", b"/", b"/state/kosovo", b"/query?query=ASK%7B%7D",
                         b"/questions/recognitions-in-year?year=2009", b"/.well-known/void", b"/download/kosru.ttl",
                         b"/sparql?query=%FF", b"/state/%C3%A9", b"/query?query=%ED%A0%80"]),
        st.one_of(st.sampled_from([b"*", b"http://127.0.0.1/sparql", b"//sparql", b"/sparql#frag", b"sparql", b"/%",
                                   b"/?%", b"/\x00", b"/sparql?query=ASK%7B%7D#\xff", b"/state/\xc3\xa9",
                                   b"/state/\xff\xfe", b"/questions/\x80", b"/query?query=\xff",
                                   b"/sparql?query=SELECT%20*%20WHERE%20%7B%7D\xff", b"/sparql?query=ASK%7B%7D&format=\xfe"]),
                  st.binary(max_size=30).map(lambda b: b"/" + b.replace(b" ", b"%20").replace(b"\r", b"").replace(b"\n", b""))),
    ),
    "version": (
        st.just(b"HTTP/1.1"),
        st.sampled_from([b"HTTP/1.0", b"HTTP/2.0", b"HTTP/0.9", b"HTTP/1.x", b"http/1.1", b"HTTP/1.1 ", b"HTTP/9.9", b""]),
    ),
    "header name": (
        st.sampled_from([b"Accept", b"Content-Type", b"Accept-Encoding", b"Accept-Language", b"Origin", b"Referer",
                         b"User-Agent", b"Cookie", b"Range", b"If-None-Match", b"If-Modified-Since", b"Expect",
                         b"X-Forwarded-For", b"X-Forwarded-Proto", b"X-Forwarded-Host", b"Forwarded", b"Host",
                         b"Content-Length", b"Transfer-Encoding", b"Access-Control-Request-Method",
                         b"Access-Control-Request-Headers", b"Authorization", b"X-Script-Name", b"Script-Name"]),
        st.one_of(st.sampled_from([b"\xc3\xa9", b"X Y", b"", b":", b"X-\xff", b"Accept "]),
                  st.binary(min_size=1, max_size=12).filter(lambda b: not {*b":\r\n"} & {*b})),
    ),
}
# Header values: obs-text (bytes 0x80 to 0xFF) is allowed in a value, control characters are not.
HEADER_TEXT = st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=60).map(
    lambda text: text.encode("latin-1"))
HEADER_VALUES = st.one_of(
    st.sampled_from([b"", b"*/*", b"text/html", b"chunked", b"gzip, chunked", b"identity", b"x", b"100-continue", b"-1",
                     b"99999999999999999999", b"0", b"1", b"bytes=0-10", b"bytes=-5", b"\xff\xfe", b"caf\xc3\xa9",
                     b"http://127.0.0.1", b"null", b"127.0.0.1:1", b"[::1]", b"a\x00b", b" leading", b"\tfolded",
                     b"application/sparql-query", b"application/x-www-form-urlencoded", b"GET", b"x:y", b"/x"]),
    mostly(HEADER_TEXT, HEADER_BYTES),
)
BODIES = st.one_of(st.just(b""), st.binary(max_size=200), st.just(b"5\r\nquery\r\n0\r\n\r\n"),
                   st.just(b"query=ASK%7B%7D"), st.just(b"ASK {}"), st.just(b"query=ASK%7B%7D\xff"))


@fuzz(examples=1200)
@given(data=st.data())
def test_raw_requests_with_any_bytes(address, data):
    """Any method, target, version, headers and body, as bytes: the HTTP server or the app must still answer cleanly."""
    odd = data.draw(mostly(st.none(), st.sampled_from(list(PARTS))), label="odd part")
    part = {name: unusual if name == odd else usual for name, (usual, unusual) in PARTS.items()}
    request = RawRequest(
        method=data.draw(part["method"], label="method"), target=data.draw(part["target"], label="target"),
        version=data.draw(part["version"], label="version"),
        headers=data.draw(st.lists(st.tuples(part["header name"], HEADER_VALUES), max_size=5), label="headers"),
        body=data.draw(BODIES, label="body"), content_length=data.draw(mostly(st.just(True), st.just(False)), label="length?"),
    )
    send(address, request, "raw")


FUZZ_TESTS = {name for name, value in dict(globals()).items() if name.startswith("test_") and callable(value)}
