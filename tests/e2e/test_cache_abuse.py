"""The whole-answer cache against strangers, on a real server process: junk in query strings never
pushes out a kept answer, a flood of answers asked for once leaves the answers readers come back for,
the web process's memory stays within the cache's cap and 150 MB, two Host headers get a 400, and a
kept page is always in the language its reader chooses.

Whether an answer came from the cache is read from its ``Cache-Status`` header (RFC 9211); the web
process's memory from its VmRSS in /proc. Nothing is timed.
"""

from __future__ import annotations

import os
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import HANG_GUARD_SECONDS, start_server, stop_server
from fuzz_http import RawRequest, exchange

from kosru_kg import formats
from kosru_kg.web.middleware.whole_answers import HIT, TOTAL_BYTES

HANG_GUARD = 120  # seconds any one answer may take before the test fails; never waited out when all is well
RSS_BOUND = TOTAL_BYTES + 150 * 1000 * 1000  # issue 23: the cache's cap and 150 MB
CLIENTS = 8  # requests at once: as many as the server has threads


@pytest.fixture(scope="module")
def server(settings):
    """A server of its own: the flood below empties its cache and its memory is measured alone."""
    server = start_server("--store", str(settings.store), env={**os.environ, "KOSRU_QUERY_TIMEOUT": HANG_GUARD_SECONDS})
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def version(server) -> str:
    return get(server, "versions.json").json()["versions"][0]["version"]


def get(server, path: str, **headers) -> requests.Response:
    answer = requests.get(server(path), headers=headers, timeout=HANG_GUARD)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
    return answer


def web_process_rss(server) -> int:
    """The resident memory, in bytes, of the process answering requests: the child of the serve command that
    is no query worker (those are its own children, named by their module)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
            status = (entry / "status").read_text()
        except OSError:  # a process that ended meanwhile
            continue
        if parent == server.process.pid and b"worker_process" not in command:
            return next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
    raise AssertionError("the server has no web process")


def test_junk_and_a_flood_of_new_answers_never_push_out_a_kept_answer_and_memory_stays_bounded(server, version):
    kept = f"download/{version}/kosru.ttl"
    first = get(server, kept)
    assert get(server, kept).headers["Cache-Status"] == HIT  # asked for again: now the cache protects it

    junk = [get(server, f"download/{version}/kosru.nt?x={number}") for number in range(120)]
    assert {answer.content for answer in junk} == {junk[0].content}
    assert all(answer.headers["Cache-Status"] == HIT for answer in junk[1:])  # junk is in no key: one entry

    # Answers asked for once, under keys of their own (the versioned dumps under varied Accept headers):
    # more than twice what the cache holds, so each kept answer is pushed out and its memory freed.
    dumps = [f"download/{version}/{fmt.file_name}" for fmt in formats.DUMPS]
    sizes = {path: len(get(server, path, Accept="nothing/first").content) for path in dumps}
    paths = [dumps[number % len(dumps)] for number in range(len(dumps) * (1 + 2 * TOTAL_BYTES // sum(sizes.values())))]
    highest = 0
    with ThreadPoolExecutor(CLIENTS) as pool:
        for start in range(0, len(paths), 4 * CLIENTS):
            batch = [(number, path) for number, path in enumerate(paths) if start <= number < start + 4 * CLIENTS]
            answers = list(pool.map(lambda request: get(server, request[1], Accept=f"x/{request[0]}, */*"), batch))
            assert all(len(answer.content) == sizes[path] for answer, (_, path) in zip(answers, batch, strict=True))
            assert not any(answer.headers["Cache-Status"] == HIT for answer in answers)
            highest = max(highest, web_process_rss(server))
    assert highest < RSS_BOUND, f"the web process held {highest / 2**20:.0f} MiB while the cache was flooded"

    again = get(server, kept)
    assert again.headers["Cache-Status"] == HIT and again.content == first.content
    idle = web_process_rss(server)
    assert idle < RSS_BOUND, f"the web process held {idle / 2**20:.0f} MiB once the flood was over"


@pytest.mark.parametrize("hosts", [(b"one.example", b"two.example"), (b"one.example", b"one.example")])
def test_two_host_headers_get_a_400_naming_them_even_for_a_kept_answer(server, hosts):
    url = urllib.parse.urlsplit(server.url)
    address, target = (url.hostname, url.port), b"/download/kosru.ttl"
    for _ in range(2):  # kept, and asked for again
        one = exchange(address, RawRequest(target=target, headers=[(b"Host", hosts[0])]), "host")
        assert one.status == 200
    assert one.headers["Cache-Status"] == HIT
    refused = exchange(address, RawRequest(target=target, headers=[(b"Host", host) for host in hosts]), "host")
    assert refused.status == 400 and "Cache-Status" not in refused.headers
    assert b"more than one Host header" in refused.body and b"RFC 9112" in refused.body


# (?lang= values, lang cookie, Accept-Language) → the page's language; the first two are the case.
LANGUAGES = [
    ("lang=&lang=ru", None, "sq", "ru"),
    ("lang=&lang=ru", "ru", "sq", "ru"),
    ("", None, "ru", "ru"),
    ("", None, "sq", "sq"),
    ("lang=xx", None, "sq", "sq"),
    ("lang=", "sq", "ru", "sq"),
    ("lang=ru", "sq", "sq", "ru"),
    ("lang=xx&lang=sr-Latn", "sr-Latn", "ru", "sr-Latn"),
    ("", None, None, "en"),
]


def test_a_kept_page_is_always_in_its_readers_language(server):
    hits = 0
    for query, cookie, accept_language, expected in [*LANGUAGES, *LANGUAGES[::-1], *LANGUAGES]:
        headers = {"Accept": "text/html", **({"Accept-Language": accept_language} if accept_language else {}),
                   **({"Cookie": f"lang={cookie}"} if cookie else {})}
        page = requests.get(server(f"timeline?{query}"), headers=headers, timeout=HANG_GUARD)
        assert page.status_code == 200
        assert page.headers["Content-Language"] == expected, (query, cookie, accept_language)
        assert f'<html lang="{expected}"' in page.text
        hits += page.headers["Cache-Status"] == HIT
    assert hits >= len(LANGUAGES)  # the pages came from the cache too
