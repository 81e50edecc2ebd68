"""Data safety: a build killed at any stage leaves the served store whole, and builds take turns.

Each build here is a real process writing a real Oxigraph store. A build is killed (or paused) by a signal
it sends itself from its progress report, so it stops exactly after the stage under test and nowhere else.
What is built is a small slice of data/ (conftest.data_slice): publishing is under test here, not the graph,
and some forty builds of the whole data would take most of the suite's time.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest
from conftest import built_once, copy_store, start_server, stop_server
from test_bad_data import edit_row

from kosru_kg.graph.build import STAGES, build, compile_graph
from kosru_kg.graph.store import StoreLayout, StoreStage

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

# A build that sends itself the signal named in argv[2] the moment it reports the stage named in argv[1].
SIGNALLED_BUILD = """
import os, signal, sys
from kosru_kg import config
from kosru_kg.graph.build import build

def progress(stage, detail):
    if stage.name == sys.argv[1]:
        os.kill(os.getpid(), signal.Signals[sys.argv[2]])

build(config.from_environment(), progress=progress)
"""


def count_triples(store) -> int:
    return int(next(iter(store.query(COUNT)))["n"].value)


def data_variant(data: Path, target: Path, alt_label: str) -> Path:
    """A copy of ``data`` with one more fact (an alternative label for Costa Rica), so its version differs."""
    shutil.copytree(data, target)
    edit_row(target / "entities.csv", 0, alt_labels=alt_label)
    return target


@pytest.fixture(scope="session")
def data(data_slice) -> Path:
    """What the builds here build: the slice of data/."""
    return data_slice


@pytest.fixture(scope="session")
def baseline(base_settings, data, tmp_path_factory) -> StoreLayout:
    """The slice's version published over an older one, so the next build has a version to prune."""

    def make(folder: Path) -> None:
        built = StoreLayout(folder / "built")
        build(base_settings.replace(data_dir=str(data), store=str(built.root)))
        manifest = built.manifest()
        quads = list(built.open().quads_for_pattern(None, None, None, None))
        layout = StoreLayout(folder / "store")
        layout.make_current(quads, "older", triples=manifest.triples)
        layout.make_current(quads, manifest.version, triples=manifest.triples)

    return StoreLayout(built_once(tmp_path_factory, "data-safety-baseline", make) / "store")


@pytest.fixture(scope="session")
def changed(base_settings, data, tmp_path_factory):
    """A data dir with one fact changed, and the version and triple count a build of it publishes."""

    def make(folder: Path) -> None:
        variant = data_variant(data, folder / "data", "Republic of Costa Rica")
        graph = compile_graph(base_settings.replace(data_dir=str(variant)))
        (folder / "graph.json").write_text(json.dumps({"version": graph.version(),
                                                        "triples": len(graph.default_triples)}))

    folder = built_once(tmp_path_factory, "data-safety-changed", make)
    graph = json.loads((folder / "graph.json").read_text())
    return folder / "data", graph["version"], graph["triples"]


@pytest.fixture()
def layout(baseline, tmp_path) -> StoreLayout:
    """A private copy of the baseline store."""
    return StoreLayout(copy_store(baseline.root, tmp_path / "store"))


def build_env(data: Path, store: Path) -> dict:
    return {**os.environ, "KOSRU_DATA_DIR": str(data), "KOSRU_STORE": str(store)}


def build_command(store: Path) -> list[str]:
    return [sys.executable, "-m", "kosru_kg", "build", "--store", str(store)]


def reported_stages(stderr: str) -> list[str]:
    """The stage values of a build's ``build: <stage>: <detail>`` lines, in order; not the heartbeat that
    repeats a line with ``(still working, N s in)`` when a stage takes a while (on a busy machine, any may)."""
    return [line.split(": ")[1] for line in stderr.splitlines()
            if line.startswith("build: ") and not re.search(r" \(still working, \d+ s in\)$", line)]


def assert_serves(layout: StoreLayout, version: str, triples: int) -> None:
    """``current`` opens read-only on ``version`` and a count query gives its number of triples."""
    manifest, store = layout.snapshot()
    assert manifest.version == version
    assert count_triples(store) == triples == manifest.triples


def assert_tidy(layout: StoreLayout, recorded_before: list[str]) -> set[str]:
    """Nothing but complete versions (a store and its manifest) and the archives of published versions
    is left; every version recorded before is still recorded, first; return the names of the stores."""
    assert sorted(os.listdir(layout.root)) == ["built-from.json", "current", "dumps", "lock", "versions", "versions.json"]
    names = set(os.listdir(layout.versions))
    stores = {n for n in names if (layout.versions / n).is_dir()}
    assert names == stores | {f"{s}.json" for s in stores}
    recorded = [r.version for r in layout.releases()]
    assert recorded[:len(recorded_before)] == recorded_before and len(recorded) == len(set(recorded))
    assert set(os.listdir(layout.dumps)) <= set(recorded)
    assert layout.manifest().version in os.listdir(layout.dumps)
    return stores


@pytest.mark.parametrize("stage", STAGES, ids=lambda stage: stage.name)
def test_a_build_killed_at_any_stage_leaves_the_store_whole(stage, layout, changed):
    data, new_version, new_triples = changed
    old = layout.manifest()
    assert (new_version, new_triples) != (old.version, old.triples)
    recorded = [release.version for release in layout.releases()]
    assert recorded == ["older", old.version]

    killed = subprocess.run([sys.executable, "-c", SIGNALLED_BUILD, stage.name, "SIGKILL"],
                            env=build_env(data, layout.root), capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, f"the build never reached {stage.name}: {killed.stderr}"
    if STAGES.index(stage) < STAGES.index(StoreStage.SWITCHED):
        assert_serves(layout, old.version, old.triples)
    else:
        assert_serves(layout, new_version, new_triples)

    rebuilt = subprocess.run(build_command(layout.root), env=build_env(data, layout.root),
                             capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert_serves(layout, new_version, new_triples)
    assert new_version in assert_tidy(layout, recorded) <= {new_version, old.version}
    assert [release.version for release in layout.releases()] == [*recorded, new_version]


def test_the_build_command_reports_every_stage_in_order(layout, changed):
    data, new_version, new_triples = changed
    result = subprocess.run(build_command(layout.root), env=build_env(data, layout.root),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert reported_stages(result.stderr) == [stage.value for stage in STAGES]
    assert_serves(layout, new_version, new_triples)


def test_a_second_build_waits_for_the_one_publishing(layout, changed, data, base_settings, tmp_path):
    """A build paused while writing holds the store's lock; another build waits for it, then publishes."""
    first_data, first_version, _ = changed
    recorded = [release.version for release in layout.releases()]
    second_data = data_variant(data, tmp_path / "data", "Costa Rica (republic)")
    second_version = compile_graph(base_settings.replace(data_dir=str(second_data))).version()
    first = subprocess.Popen([sys.executable, "-c", SIGNALLED_BUILD, StoreStage.WRITING.name, "SIGSTOP"],
                             env=build_env(first_data, layout.root))
    try:
        assert os.WIFSTOPPED(os.waitpid(first.pid, os.WUNTRACED)[1])
        with open(layout.root / "lock", "w", encoding="utf-8") as lock, pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        second = subprocess.Popen(build_command(layout.root), env=build_env(second_data, layout.root),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        waiting = f"build: {StoreStage.WAITING.value}: "
        while not (line := second.stderr.readline()).startswith(waiting):
            assert line, "the second build ended before reaching the lock"
        os.kill(first.pid, signal.SIGCONT)
        assert first.wait() == 0
    finally:
        first.kill()
        first.wait()
    _, stderr = second.communicate()
    assert second.returncode == 0, stderr
    assert layout.manifest().version == second_version
    assert assert_tidy(layout, recorded) == {first_version, second_version}
    assert [release.version for release in layout.releases()] == [*recorded, first_version, second_version]


def served_count(server) -> int:
    """The triple count the server answers, over real HTTP."""
    request = Request(server("sparql?query=" + quote(COUNT)), headers={"Accept": "application/sparql-results+json"})
    with urlopen(request, timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def test_a_server_answers_from_the_old_graph_until_the_new_one_is_published(layout, changed):
    """Queries during a rebuild get the old answer or the new one, never an error; after it, the new one."""
    data, _, new_triples = changed
    old_triples = layout.manifest().triples
    server = start_server("--store", str(layout.root))
    try:
        assert served_count(server) == old_triples
        answers, errors, built = [], [], threading.Event()

        def keep_asking() -> None:
            while not built.is_set():
                try:
                    answers.append(served_count(server))
                except (OSError, ValueError) as exc:
                    errors.append(exc)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            rebuild = subprocess.run(build_command(layout.root), env=build_env(data, layout.root),
                                     capture_output=True, text=True)
        finally:
            built.set()
            asker.join()
        assert rebuild.returncode == 0, rebuild.stderr
        assert errors == []
        assert answers and set(answers) <= {old_triples, new_triples}
        assert served_count(server) == new_triples
    finally:
        stop_server(server)
