"""How long a build takes, stage by stage, beside ``oxigraph load`` of the same N-Triples.

    .venv/bin/python bench/build.py [--repeat 3]

Each round builds data/ into a fresh store, in this process, timing the span between each two
reports of the build's progress (validation runs in a process of its own beside the rendering of
the dumps, so its time is in the span that ends with "waiting for the store lock"); then ``kosru-kg build``
as a user runs it (the command's wall time: interpreter start and imports included); then the
peer: Oxigraph's own loader (``oxigraph load``, the PyPI ``oxigraph`` package) reading the
N-Triples dump the build archived into an empty store. The best round of each is printed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is printed")
    args = parser.parse_args()
    rounds, commands, loads = [], [], []
    with tempfile.TemporaryDirectory(prefix="kosru-bench-build-") as work:
        work = Path(work)
        for n in range(args.repeat):
            settings = config.from_environment().replace(store=str(work / f"library-{n}"))
            rounds.append(staged_build(settings))
            commands.append(command_build(work / f"command-{n}"))
            layout = StoreLayout(settings.store)
            ntriples = layout.dump_path(layout.manifest().version, formats.dump("ntriples").file_name)
            loads.append(oxigraph_load(ntriples, work / f"oxigraph-{n}"))
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


if __name__ == "__main__":
    main()
