"""Runs the app under Granian, a Rust HTTP server for WSGI apps.

Why Granian rather than gunicorn: its connections live in an async Rust runtime, so slow and
idle sockets cost a task each rather than a Python thread (eight clients trickling headers
took every gunicorn gthread thread), headers that do not arrive in time are dropped, and it
serves a WSGI app several times faster. Python threads (``--threads``) run only requests
whose headers have arrived; ``web.limits.BodyDeadline`` bounds the wait for a body.
What it does not give: the app never sees the client's socket, so a client that hangs up
before its answer starts is not noticed, and its query runs to the deadline (one that hangs
up while an answer streams still stops it, since the stream is then closed).
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Callable

from flask import Flask
from granian._granian import SocketHolder  # noqa: PLC2701 - the one way to hand Granian a bound socket
from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.mp import MPServer

from kosru_kg.config import Settings

BACKLOG = 1024  # connections the kernel holds before the server accepts them


class GranianServer(MPServer):
    """Granian serving an app built (and its store opened) before its worker processes fork,
    on a socket bound here, so that port 0 works and the address can be announced."""

    def __init__(self, app: Flask, listener: socket.socket, settings: Settings):
        self._listener = listener
        super().__init__(
            target="kosru_kg", interface=Interfaces.WSGI, workers=settings.workers,
            blocking_threads=settings.threads, backlog=BACKLOG,
            http1_settings=HTTP1Settings(header_read_timeout=round(settings.header_timeout * 1000)),
            log_level=LogLevels.warning, log_access=False,
        )
        self._app = app

    def _init_shared_socket(self) -> None:
        self._shd = SocketHolder(self._listener.fileno(), False, BACKLOG)
        self._sfd, self._ssp, self._sso = self._listener.fileno(), None, self._listener

    def _drop_shared_socket(self) -> None:
        self._listener.close()

    def run(self) -> None:
        self.serve(target_loader=lambda *_args, **_kwargs: self._app, wrap_loader=False)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one), inherited by the workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without, an answer's last segment waits for the
    # client's delayed ACK (40 ms on Linux), which capped a keep-alive client at 25 answers/s.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    listener.listen(BACKLOG)
    listener.set_inheritable(True)
    return listener


def _announce(listener: socket.socket) -> None:
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"kosru-kg serving on http://{shown}:{port}/", flush=True)


def _log_requests() -> None:
    """The app's one JSON line per request goes to standard error, beside the server's own log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("kosru_kg.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


def serve(app: Flask, settings: Settings, listener: socket.socket, prepare: Callable[[], None] | None = None) -> None:
    """Serve ``app`` on ``listener`` until SIGINT or SIGTERM, which let requests in progress finish.

    ``prepare`` runs first (for the graph's app, computing the version's expensive answers), then
    the address is announced and the workers fork, inheriting what it made.
    """
    _log_requests()
    if prepare:
        prepare()
    _announce(listener)
    GranianServer(app, listener, settings).run()
