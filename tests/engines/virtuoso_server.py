"""A Virtuoso server (tests/engines/virtuoso/start) for the remote-store tests, one for the whole run.

pytest-xdist runs modules on several workers, each with its own session fixtures, and Virtuoso
takes seconds to start and load; so the workers share one server: under a file lock the first to
ask starts it and publishes the graph, the others find it in a state file, and each says when it
is done with it; the last to leave stops it (a worker that asks later starts it again).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from filelock import FileLock
from oxigraph_server import _free_port  # one way to choose a port

START = Path(__file__).with_name("virtuoso") / "start"
START_TIMEOUT = 180  # seconds for the script (it polls the server until it answers)
STOP_TIMEOUT = 60  # seconds for a clean shutdown, polled; then it is killed
ATTEMPTS = 3  # ports tried, should one be taken between choosing it and Virtuoso binding it


@dataclass(frozen=True)
class VirtuosoServer:
    sparql: str  # its SPARQL query endpoint
    graph_store: str  # its Graph Store Protocol endpoint
    pid: int


def require_virtuoso() -> None:
    """Skip without Debian's virtuoso-opensource, unless in CI (.ci/run installs it), where it fails."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return
    reason = "no virtuoso-t: .ci/run installs Debian's virtuoso-opensource"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def start_virtuoso(directory: Path) -> VirtuosoServer:
    """Virtuoso in ``directory`` (made empty here) on a free loopback port, answering, with nothing loaded."""
    failures = []
    for attempt in range(ATTEMPTS):
        home = directory / f"try-{attempt}"
        run = subprocess.run([str(START), str(home), str(_free_port())], capture_output=True, text=True,
                             timeout=START_TIMEOUT)
        if run.returncode == 0:
            said = dict(line.removeprefix("export ").split("=", 1) for line in run.stdout.splitlines())
            return VirtuosoServer(*(shlex.split(said[name])[0] for name in ("VIRTUOSO_SPARQL", "VIRTUOSO_GRAPH_STORE")),
                                  int(said["VIRTUOSO_PID"]))
        failures.append(run.stderr.strip())
    raise RuntimeError(f"Virtuoso did not start: {'; '.join(failures)}")


def stop_virtuoso(server: VirtuosoServer) -> None:
    """A clean shutdown (SIGTERM), awaited by polling, as the server is not this process's child."""
    try:
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            os.kill(server.pid, 0)
            time.sleep(0.1)
        os.kill(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def shared_virtuoso(root: Path, publish: Callable[[VirtuosoServer], None]) -> Iterator[VirtuosoServer]:
    """The run's one Virtuoso, loaded by ``publish`` when started; stopped when its last user is done."""
    state, lock = root / "virtuoso.json", FileLock(root / "virtuoso.lock")
    with lock:
        shared = json.loads(state.read_text()) if state.exists() else None
        if shared is None:
            server = start_virtuoso(Path(os.path.realpath(root)) / f"virtuoso-{os.getpid()}")
            try:
                publish(server)
            except BaseException:
                stop_virtuoso(server)
                raise
            shared = {"server": asdict(server), "users": 0}
        shared["users"] += 1
        state.write_text(json.dumps(shared))
    try:
        yield VirtuosoServer(**shared["server"])
    finally:
        with lock:
            shared = json.loads(state.read_text())
            shared["users"] -= 1
            if shared["users"]:
                state.write_text(json.dumps(shared))
            else:
                state.unlink()
                stop_virtuoso(VirtuosoServer(**shared["server"]))

