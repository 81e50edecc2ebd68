"""Runs the app under gunicorn (threaded workers), the production WSGI server."""

from __future__ import annotations

import sys

from flask import Flask
from gunicorn.app.base import BaseApplication


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


def serve(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "when_ready": _announce,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "kosru-kg",
    }
    sys.argv = sys.argv[:1]  # gunicorn parses argv; our flags are already read
    GunicornServer(app, options).run()
