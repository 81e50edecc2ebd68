"""One settings object: defaults, then ``KOSRU_*`` environment variables, then flags."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    base_iri: str = "https://w3id.org/kosru/"
    data_dir: Path = PROJECT_ROOT / "data"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    queries_dir: Path = PROJECT_ROOT / "queries"
    store: Path = PROJECT_ROOT / "var" / "store"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    threads: int = 8

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ConfigError(f"base_iri must be an http(s) IRI ending in '/' or '#': {self.base_iri!r}")

    def replace(self, **changes) -> "Settings":
        """A copy with the given non-None values changed (None means 'not given')."""
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **_coerce(given))


def _coerce(values: dict) -> dict:
    """Turn strings (from the environment or flags) into each field's type."""
    types = {f.name: f.type for f in fields(Settings)}
    out = {}
    for name, value in values.items():
        if name not in types:
            raise ConfigError(f"unknown setting {name!r}")
        kind = types[name]
        try:
            if kind == "Path":
                out[name] = Path(value).expanduser().resolve()
            elif kind == "int":
                out[name] = int(value)
            else:
                out[name] = value
        except ValueError:
            raise ConfigError(f"setting {name} expects {kind}, got {value!r}") from None
    return out


def from_environment(environ=None, **flags) -> Settings:
    """Settings from defaults, then ``KOSRU_<NAME>`` variables, then the given flags."""
    environ = os.environ if environ is None else environ
    names = {f.name for f in fields(Settings)}
    from_env = {n: environ[f"KOSRU_{n.upper()}"] for n in names if f"KOSRU_{n.upper()}" in environ}
    return Settings().replace(**from_env).replace(**flags)
