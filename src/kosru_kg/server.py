"""Runs the app under gunicorn (threaded workers), the production WSGI server."""

from __future__ import annotations

import logging
import sys

from flask import Flask
from gunicorn.app.base import BaseApplication

from .config import Settings

GUNICORN_LINE_CEILING = 8190  # gunicorn's own largest request line and header field


class GunicornServer(BaseApplication):
    """gunicorn configured in code, serving an app built (and its store loaded) before forking."""

    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _announce(server) -> None:
    """Say where we listen once the socket is bound (port 0 picks a free one)."""
    for listener in server.LISTENERS:
        host, port = listener.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"kosru-kg serving on http://{shown}:{port}/", flush=True)


def _log_requests() -> None:
    """The app's one JSON line per request goes to standard error, beside gunicorn's own log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("kosru_kg.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


def serve(app: Flask, settings: Settings) -> None:
    """Serve ``app``; the app checks the configured limits, gunicorn stops only what is larger still."""
    host = settings.host
    _log_requests()
    options = {
        "bind": f"[{host}]:{settings.port}" if ":" in host else f"{host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "limit_request_line": GUNICORN_LINE_CEILING,
        "limit_request_field_size": GUNICORN_LINE_CEILING,
        "limit_request_fields": min(2 * settings.max_headers, 32768),
        "preload_app": True,
        "when_ready": _announce,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "kosru-kg",
    }
    sys.argv = sys.argv[:1]  # gunicorn parses argv; our flags are already read
    GunicornServer(app, options).run()
