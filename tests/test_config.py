"""Settings: where the store is is worked out when a setting needs it, never at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kosru_kg import config

# Run in a fresh interpreter: every way pathlib looks at the file system is watched while
# kosru_kg.config is imported.
IMPORT_WATCHED = """
import pathlib
looked = []
for name in ("is_file", "is_dir", "exists", "resolve", "stat", "cwd"):
    original = getattr(pathlib.Path, name)
    def watched(*args, _name=name, _original=original, **kwargs):
        looked.append(_name)
        return _original(*args, **kwargs)
    setattr(pathlib.Path, name, classmethod(watched) if name == "cwd" else watched)
import kosru_kg.config
print(looked)
"""


def test_importing_the_settings_looks_for_no_store_nor_checkout():
    run = subprocess.run([sys.executable, "-c", IMPORT_WATCHED], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_a_store_given_by_variable_or_flag_never_makes_the_default_one_looked_for(monkeypatch, tmp_path):
    def no_default() -> Path:
        raise AssertionError("the default store was looked for although a store was given")

    monkeypatch.setattr(config, "default_store", no_default)
    assert config.from_environment({"KOSRU_STORE": str(tmp_path / "a")}).store == tmp_path / "a"
    assert config.from_environment({}, store=str(tmp_path / "b")).store == tmp_path / "b"
    assert config.from_environment({"KOSRU_STORE": str(tmp_path / "a")}, store=str(tmp_path / "b")).store == (
        tmp_path / "b")  # the flag wins
    with pytest.raises(AssertionError, match="default store was looked for"):
        config.from_environment({})


def test_without_a_store_given_the_default_is_var_store_in_the_checkout(project_root):
    assert config.checkout() == project_root
    assert config.from_environment({}).store == project_root / "var" / "store"
    assert config.Settings().queries_dir == project_root / "queries"


def test_a_bad_variable_is_refused_even_when_a_flag_is_given():
    with pytest.raises(config.ConfigError, match="port"):
        config.from_environment({"KOSRU_PORT": "eighty"}, port="8080")
