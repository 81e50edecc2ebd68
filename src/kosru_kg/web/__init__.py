"""The Flask application factory; per-app state lives in ``app.extensions["kosru"]``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from ..backend import Backend, open_backend
from ..config import Settings
from . import access_log, errors, headers, http_cache, limits


@dataclass
class AppState:
    settings: Settings
    backend: Backend


def create_app(settings: Settings, backend: Backend | None = None) -> Flask:
    """An app serving ``backend`` (by default the store published at ``settings.store``)."""
    app = Flask(__name__)
    app.json.sort_keys = False
    backend = backend or open_backend(settings)
    app.extensions["kosru"] = AppState(settings=settings, backend=backend)
    app.wsgi_app = access_log.AccessLog(app.wsgi_app)
    errors.register(app)
    headers.register(app)
    limits.register(app)
    http_cache.register(app)
    from . import downloads, editor, endpoint, pages, questions, resources  # noqa: PLC0415 - blueprints import state helpers from here

    app.register_blueprint(endpoint.blueprint)
    app.register_blueprint(downloads.blueprint)
    app.register_blueprint(resources.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(editor.blueprint)
    app.register_blueprint(questions.blueprint)
    return app


def state() -> AppState:
    return current_app.extensions["kosru"]
