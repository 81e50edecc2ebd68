"""The Flask application factory; per-app state lives in ``app.extensions["kosru"]``."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from ..backend import Backend, open_backend
from ..config import Settings
from ..fair_use import QueryTimeQuota, parse_proxies
from . import access_log, errors, headers, http_cache, limits, whole_answers


@dataclass
class AppState:
    settings: Settings
    backend: Backend
    quota: QueryTimeQuota = field(init=False)
    trusted_proxies: tuple = field(init=False)

    def __post_init__(self) -> None:
        self.quota = QueryTimeQuota(self.settings.client_query_seconds)
        self.trusted_proxies = parse_proxies(self.settings.trusted_proxies)


def create_app(settings: Settings, backend: Backend | None = None) -> Flask:
    """An app serving ``backend`` (by default the store published at ``settings.store``)."""
    app = Flask(__name__)
    app.json.sort_keys = False
    backend = backend or open_backend(settings)
    app.extensions["kosru"] = AppState(settings=settings, backend=backend)
    bounded = limits.BodyDeadline(app.wsgi_app, settings.body_timeout, limits.body_limit(settings.max_query_bytes))
    kept = whole_answers.WholeAnswers(bounded, lambda: backend.version)
    app.wsgi_app = access_log.AccessLog(limits.ForwardedScheme(kept, app.extensions["kosru"].trusted_proxies))
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
