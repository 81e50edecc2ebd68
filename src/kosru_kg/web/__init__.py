"""The Flask application factory: ``create_app`` builds the app and its state, once."""

from __future__ import annotations

from flask import Flask

from kosru_kg import config
from kosru_kg.config import Settings
from kosru_kg.query.backend import Backend
from kosru_kg.query.engines import open_backend
from kosru_kg.web import errors, language
from kosru_kg.web.middleware import access_log, headers, http_cache, limits, whole_answers
from kosru_kg.web.state import KEY, AppState
from kosru_kg.web.views import (
    catalog,
    downloads,
    editor,
    endpoint,
    openapi,
    pages,
    questions,
    resources,
    search,
    versions,
)


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> Flask:
    """An app serving ``backend`` (by default the one ``settings`` name; settings default to the environment's)."""
    settings = settings or config.from_environment()
    backend = backend or open_backend(settings)
    app = Flask(__name__)
    app.json.sort_keys = False
    app_state = app.extensions[KEY] = AppState.build(settings, backend)
    bounded = limits.BodyDeadline(app.wsgi_app, settings.body_timeout, limits.body_limit(settings.max_query_bytes))
    kept = whole_answers.WholeAnswers(bounded, lambda: backend.version, whole_answers.declared_by(app))
    app.wsgi_app = access_log.AccessLog(limits.ForwardedScheme(kept, app_state.trusted_proxies))
    errors.register(app)
    headers.register(app)
    limits.register(app)
    http_cache.register(app)
    language.register(app)  # after http_cache: its headers are set first, then the tag
    for view in (endpoint, downloads, versions, catalog, resources, pages, editor, search, questions, openapi):
        app.register_blueprint(view.blueprint)
    return app
