"""The app's state is built once, by create_app, from the environment when no settings are given."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kosru_kg.service.questions import QuestionError
from kosru_kg.web import create_app
from kosru_kg.web.state import KEY, AppState


def test_flask_finds_the_factory_and_lists_the_routes(settings):
    flask = [sys.executable, "-m", "flask", "--app", "kosru_kg.web", "routes"]
    listed = subprocess.run(flask, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "KOSRU_STORE": str(settings.store)})
    assert listed.returncode == 0, listed.stderr
    for route in ("/sparql", "/questions/<name>", "/download/<name>", "/.well-known/void"):
        assert route in listed.stdout


def test_settings_default_to_the_environment(settings, monkeypatch):
    monkeypatch.setenv("KOSRU_STORE", str(settings.store))
    monkeypatch.setenv("KOSRU_MAX_HTML_ROWS", "7")
    app = create_app()
    assert app.extensions[KEY].settings.max_html_rows == 7
    app.extensions[KEY].backend.close()


def test_the_state_is_one_object_under_one_key(app):
    assert isinstance(app.extensions[KEY], AppState)
    assert [key for key in app.extensions if key.startswith("kosru")] == [KEY]
    state = app.extensions[KEY]
    assert state.questions and state.ontology.terms  # read when the app was made, not on a first request


def test_a_malformed_question_stops_the_app_from_being_made(settings, backend, tmp_path):
    (tmp_path / "broken.rq").write_text("# title: No description\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QuestionError, match="broken.rq"):
        create_app(settings.replace(queries_dir=str(tmp_path)), backend)
