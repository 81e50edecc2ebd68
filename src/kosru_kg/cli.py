"""The ``kosru-kg`` command: thin wrappers over the modules that do the work."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from pyoxigraph import Store

from kosru_kg import config, formats
from kosru_kg.errors import HttpError, NotFound
from kosru_kg.formats import Kind
from kosru_kg.graph import labels, synth
from kosru_kg.graph.build import ValidationFailed, build, compile_graph, current_build
from kosru_kg.graph.facts import FactsError
from kosru_kg.graph.store import MakeCurrentFailed, StoreLayout, StoreMissing
from kosru_kg.query.bindings import query_form
from kosru_kg.query.engines import open_backend
from kosru_kg.service import export
from kosru_kg.service.versions import Versions

HEARTBEAT_SECONDS = 4.0  # the longest a long step (a build, warming) stays silent

# An answer's format when --format is not given: tab-separated rows, or N-Triples for a graph.
DEFAULT_FORMAT = {Kind.SOLUTIONS: "tsv", Kind.BOOLEAN: "tsv", Kind.GRAPH: "ntriples"}

store_option = click.option("--store", type=click.Path(file_okay=False), default=None,
                            help="Store directory (default: KOSRU_STORE or var/store).")


def _settings(**flags) -> config.Settings:
    try:
        return config.from_environment(**flags)
    except config.ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def progress_bar(label: str, length: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error, for the long steps of domain modules (``synth``)."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.group()
@click.version_option(package_name="kosru-kg")
def main() -> None:
    """kosru-kg: a linked-data knowledge graph of Kosovo–Russia relations."""


@main.command("build")
@store_option
def build_command(store: str | None) -> None:
    """Read data/, validate it, and publish the store atomically."""
    _build_or_exit(_settings(store=store))


@contextmanager
def heartbeat(doing: str, every: float = HEARTBEAT_SECONDS) -> Iterator[Callable[[str], None]]:
    """Lines on standard error as work goes on, and one at least every ``every`` seconds while it does, so
    that a watcher always sees the process is alive. The context's value reports a step: ``beat(detail)``."""
    started = time.monotonic()
    last = {"detail": "starting", "at": started}
    done = threading.Event()

    def say(line: str) -> None:
        click.echo(line, err=True)
        last["at"] = time.monotonic()

    def beat(detail: str) -> None:
        last["detail"] = detail
        say(f"{doing}: {detail}")

    def keep_alive() -> None:
        while not done.wait(0.25):
            if time.monotonic() - last["at"] >= every:
                say(f"{doing} still working, {time.monotonic() - started:.0f} s in: {last['detail']}")

    watcher = threading.Thread(target=keep_alive, name="kosru-heartbeat", daemon=True)
    watcher.start()
    try:
        yield beat
    finally:
        done.set()
        watcher.join()


def _build_or_exit(settings: config.Settings) -> None:
    try:
        with heartbeat("build") as beat:
            manifest = build(settings, progress=lambda stage, detail: beat(f"{stage.value}: {detail}"))
    except FactsError as exc:
        raise click.ClickException(f"build failed: {len(exc.errors)} data error(s); the published store is unchanged\n{exc}") from None
    except ValidationFailed as exc:
        raise click.ClickException(f"build failed; the published store is unchanged\n{exc.report}") from None
    except MakeCurrentFailed as exc:
        raise click.ClickException(f"build failed: {exc}") from None
    _published(manifest, settings)


def _published(manifest, settings: config.Settings) -> None:
    click.echo(f"published version {manifest.version}: {manifest.triples} triples "
               f"({manifest.quads} quads) at {settings.store}")


@main.command("synth")
@store_option
@click.option("--triples", type=click.IntRange(min=1), required=True,
              help="How many triples the graph should have at least (the real graph's are included).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed: the same seed and size give the same graph.")
def synth_command(store: str | None, triples: int, seed: int) -> None:
    """Publish a synthetic graph of the real graph's shapes and the given size, for scale tests."""
    settings = _settings(store=store)
    try:
        manifest = synth.build_store(settings, triples, seed, progress=progress_bar)
    except synth.SynthError as exc:
        raise click.BadParameter(str(exc), param_hint="'--triples'") from None
    except FactsError as exc:
        raise click.ClickException(f"synth failed: {len(exc.errors)} data error(s) in the real graph\n{exc}") from None
    except ValidationFailed as exc:
        raise click.ClickException(f"synth failed: the real graph breaks the shapes\n{exc.report}") from None
    _published(manifest, settings)


@main.command("validate")
def validate_command() -> None:
    """Check data/ against the schema and the SHACL shapes; exit 1 on any violation."""
    settings = _settings()
    try:
        compile_graph(settings)
    except FactsError as exc:
        raise click.ClickException(f"{len(exc.errors)} data error(s)\n{exc}") from None
    except ValidationFailed as exc:
        raise click.ClickException(str(exc.report)) from None
    click.echo("SHACL validation: the graph conforms to every shape.")


@main.command("cldr-labels")
def cldr_labels_command() -> None:
    """Write data/labels.csv: the names of the states of entities.csv in sq, sr-Cyrl, sr-Latn and ru, from CLDR.

    Rows from other sources are kept; run it again after adding states.
    """
    settings = _settings()
    written, source = labels.write_cldr_labels(settings.data_dir)
    click.echo(f"{written} labels from {source} written to {settings.data_dir / 'labels.csv'}")


@main.command("transliterate-catalog")
def transliterate_catalog_command() -> None:
    """Write the sr_Latn interface catalog from the sr_Cyrl one (the standard Serbian transliteration)."""
    from kosru_kg.web import i18n

    click.echo(f"wrote {i18n.transliterate_catalog()}")


@main.command("query")
@store_option
@click.option("--format", "fmt", type=click.Choice(formats.names((Kind.SOLUTIONS, Kind.GRAPH))), default=None,
              help="Answer format (default: tsv for rows, ntriples for graphs; an ASK answer prints true or false).")
@click.argument("sparql")
def query_command(store: str | None, fmt: str | None, sparql: str) -> None:
    """Answer a SPARQL query through the backend (KOSRU_BACKEND, or the published store), within its limits."""
    settings = _settings(store=store)
    try:
        kind = Kind.of_query_form(query_form(sparql))
        chosen = formats.named(fmt or DEFAULT_FORMAT[kind], kind)
        if chosen is None:
            offered = ", ".join(formats.names(kind.carried_by))
            raise click.BadParameter(f"{fmt} cannot carry this query's answer; choose one of {offered}",
                                     param_hint="'--format'")
        backend = open_backend(settings)
        try:
            if kind is Kind.BOOLEAN:
                click.echo("true" if bool(backend.query(sparql)) else "false")
                return
            answer = backend.stream(sparql, chosen.media_type)
            sys.stdout.buffer.write(answer.head)
            for chunk in answer.rest or ():
                sys.stdout.buffer.write(chunk)
        finally:
            backend.close()
    except StoreMissing as exc:
        raise click.ClickException(str(exc)) from None
    except HttpError as exc:
        raise click.ClickException(f"query refused ({exc.status} {exc.title}): {exc.message}") from None


class Refused(click.ClickException):
    """A server that cannot start: one line, and exit status 2."""

    exit_code = 2


@main.command("serve")
@click.option("--store", type=click.Path(), default=None,  # a store it cannot read is refused in one line
              help="Serve this published store. Without it, data/ is built into the default store first, "
                   "unless the store was built from the same data.")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080; 0 picks a free one).")
@click.option("--workers", type=int, default=None, help="Worker processes (default 1).")
@click.option("--threads", type=int, default=None, help="Threads per worker (default 8).")
@click.option("--backend", default=None, metavar="URL",
              help="Serve the graph published to this SPARQL endpoint (see 'publish') instead of a local store "
                   "(default: KOSRU_BACKEND).")
def serve_command(store, host, port, workers, threads, backend) -> None:
    """Serve the graph: SPARQL endpoint, pages and downloads."""
    from kosru_kg.web.middleware.whole_answers import return_freed_memory  # noqa: PLC0415

    return_freed_memory()  # before the HTTP server's library is loaded
    from kosru_kg import server  # noqa: PLC0415 - keep the HTTP server out of the other commands
    from kosru_kg.web import create_app  # noqa: PLC0415
    from kosru_kg.web.warm import warm  # noqa: PLC0415

    settings = _settings(store=store, host=host, port=port, workers=workers, threads=threads, backend=backend)
    try:  # first, so that a taken port is said at once, not after a build
        listener = server.listen(settings.host, settings.port)
    except OSError as exc:
        raise Refused(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}") from None
    if store is None and not settings.backend:
        _build_unless_current(settings)
    try:
        app = create_app(settings)
    except StoreMissing as exc:
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(f"cannot read the store at {settings.store}: {exc.strerror or exc}") from None

    def prepare() -> None:
        with heartbeat("warming") as beat:
            warm(app, progress=beat)

    server.serve(app, settings, listener, prepare=prepare)


def _build_unless_current(settings: config.Settings) -> None:
    """Build data/ into the store, unless the served version was built from these very inputs."""
    current = current_build(settings)
    if current is not None:
        click.echo(f"build: data unchanged since version {current.version} was built; serving it", err=True)
        return
    _build_or_exit(settings)


def _http_url(context, parameter, value: str | None) -> str | None:
    """Refuse, as a usage error, a URL that the HTTP client could not use."""
    if value is not None and not value.startswith(("http://", "https://")):
        raise click.BadParameter(f"an http(s) URL is needed, not {value!r}")
    return value


@main.command("publish")
@click.option("--endpoint", required=True, metavar="URL", callback=_http_url,
              help="SPARQL query endpoint of the store to load, such as http://localhost:7878/query (Oxigraph).")
@click.option("--graph-store", default=None, metavar="URL", callback=_http_url,
              help="Its Graph Store Protocol endpoint (default: beside the query endpoint, .../query -> .../store "
                   "as Oxigraph has them, .../sparql -> .../data as Fuseki has them).")
@click.option("--store", type=click.Path(file_okay=False), default=None,
              help="Publish this built store. Without it, data/ is built into the default store first.")
def publish_command(endpoint: str, graph_store: str | None, store: str | None) -> None:
    """Load the built graph into a remote store, replacing what it held, for 'serve --backend'."""
    from kosru_kg.query.upload import UploadFailed, upload  # noqa: PLC0415 - only this command loads remote stores

    settings = _settings(store=store)
    if store is None:
        _build_or_exit(settings)
    layout = StoreLayout(settings.store)
    try:
        version = layout.manifest().version
        uploaded = upload(Store.read_only(str(layout.versions / version)), version, settings.base_iri, endpoint,
                          graph_store)
    except (StoreMissing, UploadFailed) as exc:
        raise click.ClickException(f"publish failed: {exc}") from None
    graphs = ", ".join(f"{name} ({count} triples)" for name, count in uploaded.graphs.items())
    removed = f"; removed {', '.join(uploaded.removed)}" if uploaded.removed else ""
    click.echo(f"published version {uploaded.version} to {endpoint}: {graphs}{removed}")


@main.command("export")
@store_option
@click.option("--format", "fmt", type=click.Choice([f.name for f in formats.DUMPS]), default="turtle",
              help="Dump format (nquads and trig hold the named graphs; the others the default graph).")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def export_command(store: str | None, fmt: str, output) -> None:
    """Write the published graph as one file, exactly as /download/ serves it."""
    settings = _settings(store=store)
    try:
        backend = open_backend(settings)
        try:
            output.write(export.dump(backend, formats.dump(fmt), settings.base_iri))
        finally:
            backend.close()
    except StoreMissing as exc:
        raise click.ClickException(str(exc)) from None
    except HttpError as exc:
        raise click.ClickException(f"export failed ({exc.status} {exc.title}): {exc.message}") from None


@main.command("diff")
@store_option
@click.option("--format", "fmt", type=click.Choice(["patch", "trig"]), default="patch", show_default=True,
              help="RDF Patch (A and D rows) or TriG (an 'added' and a 'removed' named graph).")
@click.argument("old")
@click.argument("new")
def diff_command(store: str | None, fmt: str, old: str, new: str) -> None:
    """Print the triples added and removed between two published versions (see /versions)."""
    settings = _settings(store=store)
    published = Versions(settings.store)
    try:
        changes = published.changes(old, new)
    except NotFound as exc:
        raise click.ClickException(exc.message) from None
    sys.stdout.buffer.write(changes.patch() if fmt == "patch" else changes.trig(settings.base_iri))
    click.echo(f"{len(changes.added)} triple(s) added, {len(changes.removed)} removed", err=True)
