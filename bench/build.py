"""How long a build takes, stage by stage, beside ``oxigraph load`` of the same N-Triples; and how long
``kosru-kg serve`` takes to answer its first page, on a new store and again on unchanged data.

    .venv/bin/python bench/build.py [--repeat 3]

Each round builds data/ into a fresh store, in this process, timing the span between each two
reports of the build's progress (validation runs in a process of its own beside the rendering of
the dumps, so its time is in the span that ends with "waiting for the store lock"); then ``kosru-kg build``
as a user runs it (the command's wall time: interpreter start and imports included); then the
peer: Oxigraph's own loader (``oxigraph load``, the PyPI ``oxigraph`` package) reading the
N-Triples dump the build archived into an empty store. Last, the README's ``kosru-kg serve``, timed
from its start until its home page answers 200: on an empty store (it builds data/, then warms up)
and then restarted on the store it built (no build: the data's hash is unchanged). The best round of
each is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from kosru_kg import config, formats
from kosru_kg.graph.build import build
from kosru_kg.graph.store import StoreLayout


def staged_build(settings: config.Settings) -> tuple[list[tuple[str, float]], float]:
    """Build once; each reported stage with the seconds since the one before, and the total."""
    reached: list[tuple[str, float]] = []
    started = time.perf_counter()
    build(settings, progress=lambda stage, detail: reached.append((stage.value, time.perf_counter())))
    total = time.perf_counter() - started
    times, before, begun = [], started, "start"
    for stage, at in reached:
        times.append((f"{begun} -> {stage}", at - before))
        before, begun = at, stage
    return times, total


def command_build(store: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("kosru-kg")), "build", "--store", str(store)],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def oxigraph_load(ntriples: Path, location: Path) -> float:
    oxigraph = Path(sys.executable).with_name("oxigraph")
    started = time.perf_counter()
    subprocess.run([str(oxigraph if oxigraph.exists() else shutil.which("oxigraph")), "load", "--location",
                    str(location), "--file", str(ntriples)], check=True, capture_output=True)
    return time.perf_counter() - started


def first_page(store: Path) -> float:
    """Seconds from starting ``kosru-kg serve`` on ``store`` until its home page answers 200."""
    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen([str(Path(sys.executable).with_name("kosru-kg")), "serve", "--port", str(port)],
                              env={**os.environ, "KOSRU_STORE": str(store)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        while True:  # polled: the time it takes is what is measured
            if server.poll() is not None:
                raise SystemExit(f"kosru-kg serve exited with status {server.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.02)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is printed")
    args = parser.parse_args()
    rounds, commands, loads, fresh, restarts = [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="kosru-bench-build-") as work:
        work = Path(work)
        for n in range(args.repeat):
            settings = config.from_environment().replace(store=str(work / f"library-{n}"))
            rounds.append(staged_build(settings))
            commands.append(command_build(work / f"command-{n}"))
            layout = StoreLayout(settings.store)
            ntriples = layout.dump_path(layout.manifest().version, formats.dump("ntriples").file_name)
            loads.append(oxigraph_load(ntriples, work / f"oxigraph-{n}"))
            fresh.append(first_page(work / f"served-{n}"))
            restarts.append(first_page(work / f"served-{n}"))
        triples = layout.manifest().triples
    stages, total = min(rounds, key=lambda r: r[1])
    print(f"build of data/ ({triples} triples), best of {args.repeat} rounds")
    for stage, seconds in stages:
        print(f"  {stage:<56} {seconds:7.3f} s")
    print(f"  {'build() in this process':<56} {total:7.3f} s")
    print(f"  {'kosru-kg build (the command)':<56} {min(commands):7.3f} s")
    print(f"  {'oxigraph load of its N-Triples':<56} {min(loads):7.3f} s")
    print(f"  ratio: kosru-kg build / oxigraph load = {min(commands) / min(loads):.1f}x "
          "(the build also reads, maps and validates the data and writes six dumps and a search index)")
    print(f"  {'kosru-kg serve, first page, on an empty store':<56} {min(fresh):7.3f} s")
    print(f"  {'kosru-kg serve, first page, restarted, data unchanged':<56} {min(restarts):7.3f} s")


if __name__ == "__main__":
    main()
