"""Scale benchmark: load rate and every canned question's latency at 10^5, 10^6 and 10^7 triples.

For each size, in one run:
  1. generates a synthetic graph of the real graph's shapes (``kosru_kg.graph.synth``) to an N-Quads file;
  2. bulk-loads that file and publishes it in a StoreLayout, exactly as ``kosru-kg synth`` does,
     and times it (the load rate is triples of the default graph per second; the store holds
     every triple twice, in its named graph and in the default graph);
  3. loads the same file with the ``oxigraph load`` CLI (the peer, from the ``oxigraph`` package
     of the test extra) into a scratch directory, and prints the ratio of the two rates;
  4. opens the published store read-only and runs every canned question (``queries/*.rq``) with
     its default parameters: one cold run, then ``--repeat`` timed runs, each serialised to SPARQL
     JSON as the endpoint would. Reports p50, p95 and max;
  5. opens the version's search index (``search.sqlite``, made while publishing: its build time is
     reported apart) and runs ``--searches`` searches, each ``--repeat`` times: names of the graph
     drawn at random (seeded), each as typed, by its first word, by a three-letter prefix and folded
     to Cyrillic, plus fixed ones across scripts. Reports p50, p95 and max over every search.
Prints the tables, writes the figures as JSON, and draws a plot of latency against size.

Run: ``python bench/scale.py --sizes 1e5,1e6,1e7`` (needs the ``bench`` and ``test`` extras), or
``python bench/scale.py --store var/synth`` to time only the questions (step 4) on a store that
``kosru-kg synth`` published.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph
from pyoxigraph import QueryResultsFormat

from kosru_kg.cli import progress_bar
from kosru_kg.config import Settings
from kosru_kg.graph import search_index, synth
from kosru_kg.graph.store import StoreLayout, StoreStage
from kosru_kg.service import questions

INTERACTIVE = 1.0  # seconds: the p50 every canned question must stay under
SEARCH_TARGET = 0.050  # seconds: the p50 search must stay under
FIXED_SEARCHES = ("Kosovo", "Kosova", "Косово", "kosovë", "Келменди", "Majlinda Kelmendi", "russia", "a", "ka",
                  'NEAR("kosovo" OR war)*')
_TO_CYRILLIC = str.maketrans({"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
                              "j": "ј", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р",
                              "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц"})


@dataclass
class SizeResult:
    target: int
    triples: int = 0
    quads: int = 0
    nquads_bytes: int = 0
    generate_s: float = 0.0
    load_s: float = 0.0
    peer_load_s: float | None = None
    store_bytes: int = 0
    index_s: float = 0.0
    index_bytes: int = 0
    index_names: int = 0
    questions: dict[str, dict] = field(default_factory=dict)
    search: dict = field(default_factory=dict)

    @property
    def load_rate(self) -> float:
        return self.triples / self.load_s

    @property
    def peer_rate(self) -> float | None:
        return self.triples / self.peer_load_s if self.peer_load_s else None


class StoreQueries:
    """The published store opened read-only and queried directly, as a query worker process does it."""

    def __init__(self, store: pyoxigraph.Store):
        self.store = store

    def query(self, sparql: str, *, substitutions=None, **_):
        return self.store.query(sparql, substitutions=dict(substitutions or {}))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def oxigraph_cli() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        sys.exit("the oxigraph CLI is missing: pip install -e '.[test]'")
    return found


def search_texts(index: search_index.SearchIndex, count: int, seed: int) -> list[str]:
    """``count`` names of the index drawn at random (seeded), in four forms each, and the fixed searches."""
    import random  # noqa: PLC0415
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(f"{index.path.as_uri()}?mode=ro", uri=True) as connection:
        total = connection.execute("SELECT max(rowid) FROM names").fetchone()[0]
        rng = random.Random(seed)
        picked = [connection.execute("SELECT original FROM names WHERE rowid = ?", (rng.randint(1, total),)).fetchone()
                  for _ in range(count)]
    texts = []
    for (name,) in filter(None, picked):
        first = (search_index.words(name) or ["x"])[0]
        texts += [name, first, first[:3], search_index.fold(name).translate(_TO_CYRILLIC)]
    return [*texts, *FIXED_SEARCHES]


def measure_search(index: search_index.SearchIndex, texts: list[str], repeat: int) -> dict:
    samples, worst, found = [], ("", 0.0), 0
    for text in texts:
        found += bool(index.search(text))  # cold
        for _ in range(repeat):
            started = time.perf_counter()
            index.search(text)
            elapsed = time.perf_counter() - started
            samples.append(elapsed)
            worst = max(worst, (text, elapsed), key=lambda pair: pair[1])
    return {"searches": len(texts), "found": found, "p50": statistics.median(samples),
            "p95": percentile(samples, 0.95), "max": max(samples), "slowest": worst[0]}


def measure_size(target: int, seed: int, repeat: int, work: Path, peer: bool, searches: int = 100) -> SizeResult:
    result = SizeResult(target)
    settings = Settings().replace(store=str(work / "store"))
    nquads = work / "graph.nq"

    started = time.perf_counter()
    synthesiser = synth.Synthesiser(settings, target, seed)
    result.triples = synth.generate(synthesiser, nquads, progress=progress_bar)
    result.generate_s = time.perf_counter() - started
    result.nquads_bytes = nquads.stat().st_size

    layout = StoreLayout(settings.store)
    reached: dict[object, float] = {}
    started = time.perf_counter()
    manifest = synth.load(layout, nquads, synthesiser.version(), result.triples, progress=progress_bar,
                          stages=lambda stage, detail: reached.setdefault(stage, time.perf_counter()))
    result.index_s = reached[StoreStage.INDEXED] - reached[StoreStage.WRITTEN]
    result.load_s = time.perf_counter() - started - result.index_s
    result.quads = manifest.quads
    index_path = layout.search_index_path(manifest.version)
    result.index_bytes = index_path.stat().st_size
    result.store_bytes = directory_size(layout.current.resolve()) - result.index_bytes

    if peer:
        location = work / "oxigraph-cli"
        started = time.perf_counter()
        subprocess.run([oxigraph_cli(), "load", "--location", str(location), "--file", str(nquads)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result.peer_load_s = time.perf_counter() - started
        shutil.rmtree(location)
    nquads.unlink()

    result.questions = measure_questions(layout.open(), settings, repeat)

    index = search_index.SearchIndex(index_path)
    with sqlite3_connection(index_path) as connection:
        result.index_names = connection.execute("SELECT count(*) FROM exact").fetchone()[0]
    result.search = measure_search(index, search_texts(index, searches, seed), repeat)
    print(f"  search: {result.search['searches']} texts, p50 {result.search['p50'] * 1000:.2f} ms, "
          f"p95 {result.search['p95'] * 1000:.2f} ms", file=sys.stderr)
    return result


def measure_questions(store: pyoxigraph.Store, settings, repeat: int) -> dict[str, dict]:
    """Every canned question at its default parameters on ``store``: rows, cold time, p50, p95, max."""
    backend = StoreQueries(store)
    timed = {}
    for name, question in questions.load(settings.queries_dir, settings.base_iri).items():
        _, bindings = question.bind({}, backend, settings.base_iri)
        started = time.perf_counter()
        rows = sum(1 for _ in question.answer(backend, bindings))
        cold = time.perf_counter() - started
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            question.answer(backend, bindings).serialize(format=QueryResultsFormat.JSON)
            samples.append(time.perf_counter() - started)
        timed[name] = {"rows": rows, "cold": cold, "p50": statistics.median(samples),
                       "p95": percentile(samples, 0.95), "max": max(samples)}
        print(f"  {name}: {rows} rows, p50 {statistics.median(samples) * 1000:.1f} ms", file=sys.stderr)
    return timed


def sqlite3_connection(path: Path):
    import sqlite3  # noqa: PLC0415

    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def print_tables(results: list[SizeResult]) -> None:
    print("\n## Load\n")
    print("| target | triples | quads | N-Quads | generate | load | load rate | `oxigraph load` | its rate | "
          "kosru-kg / oxigraph | store on disk |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        peer = (f"{r.peer_load_s:.1f} s | {r.peer_rate:,.0f} triples/s | {r.load_rate / r.peer_rate:.2f}"
                if r.peer_load_s else "– | – | –")
        print(f"| {r.target:,} | {r.triples:,} | {r.quads:,} | {r.nquads_bytes / 2**20:,.0f} MiB | "
              f"{r.generate_s:.1f} s | {r.load_s:.1f} s | {r.load_rate:,.0f} triples/s | {peer} | "
              f"{r.store_bytes / 2**20:,.0f} MiB |")
    print("\n## Canned questions: p50 / p95 / max in ms (rows)\n")
    print("| question | " + " | ".join(f"{r.triples:,} triples" for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in results[0].questions:
        cells = []
        for r in results:
            q = r.questions[name]
            flag = " **slow**" if q["p50"] >= INTERACTIVE else ""
            cells.append(f"{q['p50'] * 1000:,.1f} / {q['p95'] * 1000:,.1f} / {q['max'] * 1000:,.1f} "
                         f"({q['rows']:,}){flag}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    slow = [(n, r.triples) for r in results for n, q in r.questions.items() if q["p50"] >= INTERACTIVE]
    print(f"\nQuestions with p50 >= {INTERACTIVE:g} s: "
          + (", ".join(f"{n} at {t:,} triples" for n, t in slow) if slow else "none"))
    print("\n## Search (SQLite FTS5 index, `search.sqlite`)\n")
    print("| triples | names indexed | index build | index on disk | searches | found | p50 | p95 | max | slowest |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        s = r.search
        flag = "" if s["p50"] < SEARCH_TARGET else " **over target**"
        print(f"| {r.triples:,} | {r.index_names:,} | {r.index_s:.1f} s | {r.index_bytes / 2**20:,.1f} MiB | "
              f"{s['searches']} | {s['found']} | {s['p50'] * 1000:.2f} ms{flag} | {s['p95'] * 1000:.2f} ms | "
              f"{s['max'] * 1000:.2f} ms | {s['slowest']!r} |")
    print(f"\nSearch target: p50 < {SEARCH_TARGET * 1000:g} ms")


def plot(results: list[SizeResult], path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - only this step needs the bench extra

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    sizes = [r.triples for r in results]
    figure, (latency, rate) = plt.subplots(1, 2, figsize=(15, 7), gridspec_kw={"width_ratios": [2, 1]})
    colours = plt.get_cmap("tab20").colors + plt.get_cmap("Dark2").colors
    for index, name in enumerate(results[0].questions):
        latency.plot(sizes, [r.questions[name]["p50"] * 1000 for r in results], marker="o",
                     color=colours[index % len(colours)], linestyle=("-", "--", ":")[index // 10 % 3], label=name)
    latency.axhline(INTERACTIVE * 1000, color="red", linewidth=1)
    latency.text(sizes[-1], INTERACTIVE * 1000 * 1.1, "1 s", color="red", ha="right")
    latency.set(xscale="log", yscale="log", xlabel="triples in the graph", ylabel="p50 latency (ms)",
                title="Canned questions, store opened read-only")
    latency.legend(fontsize=7, ncol=2, loc="upper left")
    latency.grid(True, which="both", alpha=0.3)
    rate.plot(sizes, [r.load_rate for r in results], marker="o", label="kosru-kg synth (pyoxigraph bulk loader)")
    if all(r.peer_rate for r in results):
        rate.plot(sizes, [r.peer_rate for r in results], marker="s", label="oxigraph load (CLI)")
    rate.set(xscale="log", xlabel="triples in the graph", ylabel="triples loaded per second",
             title="Load rate (each triple stored twice)")
    rate.set_ylim(bottom=0)
    rate.legend(fontsize=8)
    rate.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def machine() -> str:
    cli = subprocess.run([oxigraph_cli(), "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"pyoxigraph {pyoxigraph.__version__}, {cli} (CLI)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7", help="comma-separated triple counts (default 1e5,1e6,1e7)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per question (default 7)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--searches", type=int, default=100, help="names drawn for the search timings (default 100)")
    parser.add_argument("--no-peer", action="store_true", help="skip the oxigraph CLI load")
    parser.add_argument("--plot", type=Path, default=Path("scale.png"), help="PNG to draw (default scale.png)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temporary one)")
    parser.add_argument("--store", type=Path, default=None,
                        help="only time the canned questions on this published store (e.g. one 'kosru-kg synth' made)")
    args = parser.parse_args()
    if args.store is not None:
        store = StoreLayout(args.store).open()
        print(f"machine: {machine()}\nthe store at {args.store}, {args.repeat} timed runs each")
        for name, figures in measure_questions(store, Settings(), args.repeat).items():
            print(f"  {name:<28} {figures['rows']:>8} rows   p50 {figures['p50'] * 1000:8.1f} ms   "
                  f"max {figures['max'] * 1000:8.1f} ms")
        return
    sizes = [int(float(size)) for size in args.sizes.split(",")]

    print(f"machine: {machine()}", file=sys.stderr)
    results = []
    for target in sizes:
        print(f"{target:.0e} triples", file=sys.stderr)
        with tempfile.TemporaryDirectory(dir=args.work, prefix="kosru-scale-") as work:
            results.append(measure_size(target, args.seed, args.repeat, Path(work), not args.no_peer, args.searches))
        if args.json:
            args.json.write_text(json.dumps({"machine": machine(), "results": [
                {**asdict(r), "load_rate": r.load_rate, "peer_rate": r.peer_rate} for r in results]}, indent=1))
    print(f"\nmachine: {machine()}")
    print_tables(results)
    plot(results, args.plot)
    print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
