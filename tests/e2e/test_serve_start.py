"""Starting a server as a user does: no rebuild of unchanged data, a clear refusal when it cannot serve,
and a quiet log while it warms up."""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys

import pytest
from conftest import terminate

SERVE = [sys.executable, "-m", "kosru_kg", "serve", "--host", "127.0.0.1"]


def serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SERVE, *args], capture_output=True, text=True, timeout=120, env=env)


def first_build_line(env: dict) -> str:
    """What ``kosru-kg serve`` (no --store) says first about building; the server is stopped then."""
    process = subprocess.Popen([*SERVE, "--port", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=env)
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    try:
        while selector.select(timeout=120):
            line = process.stderr.readline()
            if not line or line.startswith("build"):
                return line
        return ""
    finally:
        selector.close()
        terminate(process)
        process.stderr.close()


def test_a_store_built_from_the_same_data_is_served_without_building_again(settings, tmp_path):
    shutil.copytree(settings.store, tmp_path / "store", symlinks=True)
    env = {**os.environ, "KOSRU_STORE": str(tmp_path / "store")}
    version = json.loads((tmp_path / "store" / "built-from.json").read_text())["version"]
    assert first_build_line(env) == f"build: data unchanged since version {version} was built; serving it\n"


def test_changed_data_is_built_before_it_is_served(settings, tmp_path):
    shutil.copytree(settings.store, tmp_path / "store", symlinks=True)
    data = shutil.copytree(settings.data_dir, tmp_path / "data")
    with open(data / "labels.csv", "a", encoding="utf-8") as labels:
        labels.write("\n")  # the same facts, other bytes: the data's digest changes
    env = {**os.environ, "KOSRU_STORE": str(tmp_path / "store"), "KOSRU_DATA_DIR": str(data)}
    assert first_build_line(env).startswith("build: reading facts: ")


def test_a_port_in_use_is_one_line_and_exit_status_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--port", str(port), "--store", str(tmp_path / "never-built"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"]


@pytest.mark.parametrize("store", ["never-built", "a-file"])
def test_a_store_that_cannot_be_read_is_one_line_and_exit_status_2(store, tmp_path):
    (tmp_path / "a-file").write_text("not a store\n")
    result = serve("--port", "0", "--store", str(tmp_path / store))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and str(tmp_path / store) in line
    assert "Traceback" not in result.stderr


def test_warming_up_logs_no_failed_request(live_server):
    """Warming's N requests are the first N the log records: the workers take no connection before it ends
    (later lines are other tests' requests, bad ones on purpose)."""
    lines = live_server.log.lines()
    made = int(next(re.match(r"warming: 1/(\d+) ", line) for line in lines if line.startswith("warming: 1/"))[1])
    outcomes = [json.loads(line)["outcome"] for line in lines if line.startswith("{")][:made]
    assert len(outcomes) == made and set(outcomes) == {"ok"}
