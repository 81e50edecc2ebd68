"""The whole-answer cache under a flood: does junk push kept answers out, and what does the web process hold?

    .venv/bin/python bench/cache_flood.py [--store var/store] [--rounds 6]

Starts ``kosru-kg serve`` on the store, asks for one versioned dump twice (so the cache keeps it and
protects it), then floods from 8 threads: 120 requests for another dump under junk query strings
(``?x=N``), then rounds of 120 versioned dumps, each under an Accept header of its own (every one a
new key holding 1 to 4.5 MB: a round is about what the 256 MiB cap holds). It prints how many
answers came from the cache (their ``Cache-Status``), the web process's VmRSS (the Granian worker, from
/proc) at start, after each round and once idle, and whether the first dump is still kept.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from kosru_kg import formats
from kosru_kg.web.middleware.whole_answers import HIT, TOTAL_BYTES

MIB = 1024 * 1024


def rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))


def web_process(server: int) -> int:
    """The serve command's child that is no query worker: the Granian worker answering requests."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if parent == server and b"worker_process" not in command:
                return int(entry.name)
    raise SystemExit("the server has no web process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="var/store")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "kosru_kg", "serve", "--host", "127.0.0.1", "--port", "0",
                               "--store", args.store], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = next(line.split()[-1] for line in server.stdout if line.startswith("kosru-kg serving on "))
        session = requests.Session()
        version = session.get(url + "versions.json", timeout=60).json()["versions"][0]["version"]
        worker = web_process(server.pid)
        print(f"cap {TOTAL_BYTES / MIB:.0f} MiB, bound (cap + 150 MB) {(TOTAL_BYTES + 150e6) / MIB:.0f} MiB; "
              f"web process at start: {rss(worker) / MIB:.0f} MiB")
        kept = f"{url}download/{version}/kosru.ttl"
        session.get(kept, timeout=60)
        session.get(kept, timeout=60)

        def ask(request: tuple[str, dict]) -> str:
            answer = requests.get(request[0], headers=request[1], timeout=300)
            answer.raise_for_status()
            return answer.headers.get("Cache-Status", "")

        with ThreadPoolExecutor(8) as pool:
            junk = Counter(pool.map(ask, [(f"{url}download/{version}/kosru.nt?x={n}", {}) for n in range(120)]))
            print(f"120 requests under ?x=N: {junk[HIT]} from the cache")
            highest = 0
            for round_ in range(args.rounds):
                dumps = [(f"{url}download/{version}/{formats.DUMPS[n % 6].file_name}", {"Accept": f"x/{round_}-{n}, */*"})
                         for n in range(120)]
                hits = Counter(pool.map(ask, dumps))[HIT]
                highest = max(highest, rss(worker))
                print(f"round {round_ + 1}: 120 new keys ({hits} from the cache), web process {rss(worker) / MIB:.0f} MiB",
                      flush=True)
        still = session.get(kept, timeout=60).headers.get("Cache-Status")
        print(f"highest {highest / MIB:.0f} MiB, idle {rss(worker) / MIB:.0f} MiB; the dump kept first: {still}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
