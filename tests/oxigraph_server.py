"""A real ``oxigraph serve`` process (PyPI ``oxigraph``) on a free loopback port, for the remote-store tests.

Oxigraph prints "Listening for requests at ..." once its socket is bound, but with the
address it was given, so the port is chosen here (bound and released) and passed to it;
should another process take it in between, Oxigraph exits and the next port is tried.
"""

from __future__ import annotations

import selectors
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

from conftest import terminate

START_TIMEOUT = 60  # seconds to wait for the ready line; a hang fails, it never sleeps
ATTEMPTS = 3  # ports tried, should one be taken between choosing it and Oxigraph binding it
QUERY_TIMEOUT = 10  # Oxigraph's own limit per request, so an abandoned test query cannot run on for long


class OxigraphServer:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process = process
        self.url = f"http://127.0.0.1:{port}/"
        self.query = self.url + "query"  # its SPARQL query endpoint
        self.store = self.url + "store"  # its Graph Store Protocol endpoint
        self.log: list[str] = []  # what it writes to standard error, drained so it never blocks
        self._drain = threading.Thread(target=self._read_log, daemon=True)
        self._drain.start()

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        terminate(self.process)
        self._drain.join()
        self.process.stderr.close()


def start_oxigraph(location: Path) -> OxigraphServer:
    """An Oxigraph server persisting to ``location``, ready to answer."""
    executable = str(Path(sys.executable).with_name("oxigraph"))
    executable = executable if Path(executable).exists() else shutil.which("oxigraph")
    failures = []
    for _ in range(ATTEMPTS):
        port = _free_port()
        process = subprocess.Popen(
            [executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", str(QUERY_TIMEOUT)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        said = []
        with selectors.DefaultSelector() as selector:
            selector.register(process.stderr, selectors.EVENT_READ)
            while True:
                if not selector.select(timeout=START_TIMEOUT):
                    process.kill()
                    process.wait()
                    raise RuntimeError("oxigraph serve did not say it was listening in time")
                line = process.stderr.readline()
                if line.startswith("Listening for requests at"):
                    return OxigraphServer(process, port)
                if not line:
                    failures.append(f"port {port}: exit {process.wait()}: {''.join(said).strip()}")
                    process.stderr.close()
                    break
                said.append(line)
    raise RuntimeError(f"oxigraph serve did not start: {'; '.join(failures)}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
