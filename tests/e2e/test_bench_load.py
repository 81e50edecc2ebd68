"""bench/load.py keeps working: it runs its mix against a real server and reports every category.

Timings are the bench's to print, never asserted here; what is checked is that every category
of the mix is exercised, that the pathological query is sent and answered, and that a failing
light request makes the bench fail. The server's query time limit is set far above anything a
light request takes, so a busy machine (a parallel test run) slows the bench but never fails it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import start_server, stop_server

CATEGORIES = ("home page", "question pages", "question results", "resource pages", "resource turtle",
              "downloads", "sparql", "all light")
BENCH_TIMEOUT = 600  # seconds: a hang guard only, far above what the bench takes
# Tiny settings: a short run, few clients, and a pathological query that one copy of the graph keeps cheap;
# the server's query time limit (--timeout, 5 s by default) and the time a light request may take
# (--light-timeout, 30 s) hang guards only: on a busy machine a light question page was cut short at 5 s
# with a 503, and took over 30 s once, which measured the machine, not the bench.
TINY = ("--seconds", "2", "--clients", "4", "--pathological-every", "0.5", "--cross-product", "1",
        "--timeout", str(BENCH_TIMEOUT), "--light-timeout", str(BENCH_TIMEOUT))


def run_bench(project_root, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(project_root / "bench" / "load.py"), *TINY, *args],
                          check=False, capture_output=True, text=True, timeout=BENCH_TIMEOUT, cwd=project_root)


def table(output: str) -> dict[str, list[str]]:
    """The per-category table, by category: requests, errors, p50, p99, max, req/s."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("category"))
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        name, *figures = line.rsplit(maxsplit=6)
        rows[name.strip()] = figures
    return rows


def test_the_bench_starts_a_server_and_exercises_every_category(project_root):
    result = run_bench(project_root, "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "client threads" in result.stdout and "2 worker(s)" in result.stdout
    rows = table(result.stdout)
    assert set(rows) == set(CATEGORIES)
    for name, (requests, errors, *_) in rows.items():
        assert int(requests) > 0, f"{name} was never requested"
        assert int(errors) == 0, f"{name} had errors:\n{result.stdout}"
    pathological = result.stdout.split("pathological queries:")[1]
    assert re.search(r"200 \(answered in full: \d+ rows\)", pathological)
    assert "overall:" in result.stdout and "0 failed" in result.stdout


def test_a_failing_light_request_fails_the_bench(project_root, settings, tmp_path):
    """A server that knows one question only: the bench's other question pages get 404s, and it says so."""
    only = tmp_path / "queries"
    only.mkdir()
    (only / "vetoes.rq").write_text((project_root / "queries" / "vetoes.rq").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    server = start_server("--store", str(settings.store), env={**os.environ, "KOSRU_QUERIES_DIR": str(only)})
    try:
        result = run_bench(project_root, "--url", server.url, "--pathological-every", "0")
    finally:
        stop_server(server)
    assert result.returncode == 1, result.stdout + result.stderr
    failures = result.stdout.split("failed light requests, by category and outcome:")[1]
    assert "question pages: 404" in failures
    assert int(table(result.stdout)["question pages"][1]) > 0
