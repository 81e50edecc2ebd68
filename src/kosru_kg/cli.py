"""The ``kosru-kg`` command: thin wrappers over the modules that do the work."""

from __future__ import annotations

import sys

import click
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from . import config, export, synth
from .backend import EmbeddedBackend
from .build import ValidationFailed, build, compile_graph
from .facts import FactsError
from .store import StoreLayout, StoreMissing

RESULT_FORMATS = {"tsv": QueryResultsFormat.TSV, "csv": QueryResultsFormat.CSV,
                  "json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML}
GRAPH_FORMATS = {"tsv": RdfFormat.N_TRIPLES, "csv": RdfFormat.N_TRIPLES,
                 "json": RdfFormat.JSON_LD, "xml": RdfFormat.RDF_XML}

store_option = click.option("--store", type=click.Path(file_okay=False), default=None,
                            help="Store directory (default: KOSRU_STORE or var/store).")


def _settings(**flags) -> config.Settings:
    try:
        return config.from_environment(**flags)
    except config.ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.group()
@click.version_option(package_name="kosru-kg")
def main() -> None:
    """kosru-kg: a linked-data knowledge graph of Kosovo–Russia relations."""


@main.command("build")
@store_option
def build_command(store: str | None) -> None:
    """Read data/, validate it, and publish the store atomically."""
    _build_or_exit(_settings(store=store))


def _build_or_exit(settings: config.Settings) -> None:
    try:
        manifest = build(settings)
    except FactsError as exc:
        _fail(f"build failed: {len(exc.errors)} data error(s); the published store is unchanged\n{exc}")
    except ValidationFailed as exc:
        _fail(f"build failed; the published store is unchanged\n{exc.report}")
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
        manifest = synth.publish(settings, triples, seed, progress=True)
    except synth.SynthError as exc:
        raise click.BadParameter(str(exc), param_hint="'--triples'") from None
    except FactsError as exc:
        _fail(f"synth failed: {len(exc.errors)} data error(s) in the real graph\n{exc}")
    except ValidationFailed as exc:
        _fail(f"synth failed: the real graph breaks the shapes\n{exc.report}")
    _published(manifest, settings)


@main.command("validate")
def validate_command() -> None:
    """Check data/ against the schema and the SHACL shapes; exit 1 on any violation."""
    settings = _settings()
    try:
        compile_graph(settings)
    except FactsError as exc:
        _fail(f"{len(exc.errors)} data error(s)\n{exc}")
    except ValidationFailed as exc:
        _fail(str(exc.report))
    click.echo("SHACL validation: the graph conforms to every shape.")


@main.command("query")
@store_option
@click.option("--format", "fmt", type=click.Choice(sorted(RESULT_FORMATS)), default="tsv",
              help="Results format (graphs: tsv/csv give N-Triples, json JSON-LD, xml RDF/XML).")
@click.argument("sparql")
def query_command(store: str | None, fmt: str, sparql: str) -> None:
    """Answer a SPARQL query from the published store."""
    settings = _settings(store=store)
    try:
        result = StoreLayout(settings.store).open().query(sparql)
    except StoreMissing as exc:
        _fail(str(exc))
    except SyntaxError as exc:
        _fail(f"malformed query: {exc}")
    if isinstance(result, QueryBoolean):
        click.echo("true" if bool(result) else "false")
    elif isinstance(result, QuerySolutions):
        sys.stdout.buffer.write(result.serialize(format=RESULT_FORMATS[fmt]))
    else:
        sys.stdout.buffer.write(result.serialize(format=GRAPH_FORMATS[fmt]))


@main.command("serve")
@click.option("--store", type=click.Path(file_okay=False), default=None,
              help="Serve this published store. Without it, data/ is built into the default store first.")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080; 0 picks a free one).")
@click.option("--workers", type=int, default=None, help="Worker processes (default 1).")
@click.option("--threads", type=int, default=None, help="Threads per worker (default 8).")
def serve_command(store, host, port, workers, threads) -> None:
    """Serve the graph: SPARQL endpoint, pages and downloads."""
    from .server import serve  # noqa: PLC0415 - keep gunicorn out of the other commands
    from .web import create_app  # noqa: PLC0415

    settings = _settings(store=store, host=host, port=port, workers=workers, threads=threads)
    if store is None:
        _build_or_exit(settings)
    try:
        app = create_app(settings)
    except StoreMissing as exc:
        _fail(str(exc))
    serve(app, settings.host, settings.port, settings.workers, settings.threads)


@main.command("export")
@store_option
@click.option("--format", "fmt", type=click.Choice([f.name for f in export.FORMATS]), default="turtle",
              help="Dump format (nquads and trig hold the named graphs; the others the default graph).")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def export_command(store: str | None, fmt: str, output) -> None:
    """Write the published graph as one file, exactly as /download/ serves it."""
    settings = _settings(store=store)
    try:
        backend = EmbeddedBackend.from_layout(StoreLayout(settings.store))
    except StoreMissing as exc:
        _fail(str(exc))
    output.write(export.dump(backend, export.FORMAT_BY_NAME[fmt], settings.base_iri))
