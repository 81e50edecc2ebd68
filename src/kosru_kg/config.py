"""One settings object: defaults, then ``KOSRU_*`` environment variables, then flags."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from dataclasses import dataclass, fields
from pathlib import Path

from kosru_kg.vocab import DEFAULT_BASE

# Nothing here looks at the file system when the module is imported: where the project's folders
# and the default store are is worked out when a setting that needs them is made without a value.


def package() -> Path:
    """The folder of the kosru_kg package."""
    return Path(__file__).resolve().parent


def checkout() -> Path | None:
    """The checkout the package runs from, if any: a checkout (or an editable install) has the
    project's folders above the package; a wheel ships them inside it, under resources/ (setup.py
    copies them there when it builds)."""
    root = package().parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def shipped(name: str) -> Path:
    """The project's top-level folder ``name`` (data, ontology, queries): in the checkout, or in the package."""
    root = checkout()
    return root / name if root else package() / "resources" / name


def default_store() -> Path:
    """var/store in the checkout, or under the current directory for an installed package."""
    return (checkout() or Path.cwd()) / "var" / "store"


POSITIVE = ("workers", "threads", "header_timeout", "body_timeout", "query_timeout", "max_queries", "query_memory_mb", "queue_timeout", "client_query_seconds", "client_max_queries", "light_client_seconds",
            "max_query_bytes",
            "max_url_bytes", "max_header_bytes", "max_headers", "max_params", "max_html_rows")
SERVER_CEILINGS = {"max_url_bytes": 8_000, "max_header_bytes": 8_000, "max_headers": 32_000}


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    base_iri: str = DEFAULT_BASE
    data_dir: Path = dataclasses.field(default_factory=lambda: shipped("data"))
    ontology_dir: Path = dataclasses.field(default_factory=lambda: shipped("ontology"))
    queries_dir: Path = dataclasses.field(default_factory=lambda: shipped("queries"))
    store: Path = dataclasses.field(default_factory=lambda: default_store())  # looked up when needed, not before
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    threads: int = 8
    header_timeout: float = 10.0  # seconds a request's headers may take to arrive before the connection is dropped
    body_timeout: float = 10.0  # seconds its body may take (408 beyond)
    # Where queries are answered: "" for the embedded store above, or a SPARQL endpoint's URL.
    backend: str = ""
    # Limits for a public endpoint (see README, "Security"); every one can be set as KOSRU_<NAME>.
    query_timeout: float = 20.0  # seconds a query may run; a client may ask for less with timeout=
    max_queries: int = 4  # queries running at once per server process (one query worker process each)
    query_memory_mb: int = 2048  # address space of one query worker process; a query needing more is stopped
    queue_timeout: float = 2.0  # seconds a query waits for a free slot before a 503 with Retry-After
    max_query_bytes: int = 100_000  # query text, and the body of a POST (413 beyond)
    max_url_bytes: int = 8_000  # request target: path and query string (414 beyond)
    max_header_bytes: int = 8_000  # any one header line (431 beyond)
    max_headers: int = 100  # header lines in a request (431 beyond)
    max_params: int = 100  # query-string and form parameters together (400 beyond)
    max_html_rows: int = 1_000  # rows shown in a page's table; the downloads carry all of them
    client_query_seconds: float = 60.0  # query time each client address may use per minute (429 beyond)
    client_max_queries: int = 2  # queries each client address may run or have waiting at once (429 beyond)
    reserved_queries: int = 1  # of max_queries, slots kept for light clients, when the others are taken
    light_client_seconds: float = 1.0  # a client whose queries take less on average is light; a query in a kept slot
    #                                    runs at most this long
    trusted_proxies: str = ""  # proxies (addresses or networks) whose X-Forwarded-For names the client
    cache_max_age: int = 60  # seconds a client or proxy may reuse an answer before revalidating it (304)

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ConfigError(f"base_iri must be an http(s) IRI ending in '/' or '#': {self.base_iri!r}")
        if self.backend and not self.backend.startswith(("http://", "https://")):
            raise ConfigError(f"backend must be empty (the embedded store) or an http(s) URL: {self.backend!r}")
        if self.reserved_queries < 0:
            raise ConfigError(f"reserved_queries must be zero or more, not {self.reserved_queries!r}")
        if self.cache_max_age < 0:
            raise ConfigError(f"cache_max_age must be zero or more, not {self.cache_max_age!r}")
        try:
            self.trusted_networks()
        except ValueError as exc:
            raise ConfigError(f"trusted_proxies: {exc}") from None
        for name in POSITIVE:
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive, not {getattr(self, name)!r}")
        for name, ceiling in SERVER_CEILINGS.items():
            if getattr(self, name) > ceiling:
                raise ConfigError(f"{name} can be at most {ceiling} (the HTTP server's own ceiling), not {getattr(self, name)}")

    def local_store(self) -> Path | None:
        """The store this deployment reads: ``store``, or None when it answers from a ``backend``, which
        then serves its own version, and nothing reads (or writes) anything under the store path."""
        return None if self.backend else self.store

    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The proxies whose X-Forwarded-For names the client, as networks."""
        return parse_proxies(self.trusted_proxies)

    def replace(self, **changes) -> Settings:
        """A copy with the given non-None values changed (None means 'not given')."""
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **_coerce(given))


def parse_proxies(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or networks, separated by commas or spaces; a ValueError names a bad one."""
    networks = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {item!r}") from None
    return tuple(networks)


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
            elif kind == "float":
                out[name] = float(value)
            else:
                out[name] = value
        except ValueError:
            raise ConfigError(f"setting {name} expects {kind}, got {value!r}") from None
    return out


def from_environment(environ=None, **flags) -> Settings:
    """Settings from defaults, then ``KOSRU_<NAME>`` variables, then the given flags (None: not given).

    A default is worked out only for a setting neither gives: with ``KOSRU_STORE`` or ``--store``,
    the default store is never looked for.
    """
    environ = os.environ if environ is None else environ
    names = {f.name for f in fields(Settings)}
    from_env = _coerce({n: environ[f"KOSRU_{n.upper()}"] for n in names if f"KOSRU_{n.upper()}" in environ})
    given = _coerce({name: value for name, value in flags.items() if value is not None})
    return Settings(**{**from_env, **given})
