"""The ``partnergraph`` command line: a thin layer over loaders, queries and the API."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from graph.cli_query import export_command, query_app, write_atomically
from graph.errors import InvalidInput, PartnergraphError
from graph.projection import Projections
from graph.store import ENV_DB, GraphStore, open_store, resolve_location, store_kind
from graph.writer import DEFAULT_BATCH_SIZE

app = typer.Typer(
    name="partnergraph",
    help="Who works with whom: load agency, operation and country tables into a graph, "
    "query it over HTTP and explore it as network maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=ENV_DB,
        help="Store: a directory for the embedded store (default: your user data folder), "
        "neo4j://host:7687 (or neo4j+s://, bolt://) for Neo4j with credentials from "
        "NEO4J_USERNAME / NEO4J_PASSWORD, or falkordb://host:6379.",
        show_default=False,
    ),
]


@contextmanager
def _store(db: str | None) -> Iterator[GraphStore]:
    store = open_store(db)
    try:
        store.ensure_schema()
        yield store
    finally:
        store.close()


def _fail(exc: PartnergraphError, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
    return typer.Exit(code)


@app.command()
def load(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files to load: text/Markdown articles, CSV, TSV, JSON, JSON Lines, "
                       "HTML pages, XLSX workbooks."),
    ],
    db: DbOption = None,
    operation: Annotated[
        str | None,
        typer.Option(help="Name of the joint operation that agency/role/impact rows take "
                     "part in (default: the document's title)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Read every file as this format: text, csv, tsv, json, "
                     "jsonl, html, xlsx (default: detected per file from content and extension)."),
    ] = None,
    aliases: Annotated[
        Path | None,
        typer.Option(help='Agency aliases: a JSON object {"alias": "canonical name"} or a '
                     "two-column CSV."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help='Header mapping for tables of other shapes: a JSON object '
                     '{"Header in the file": "field"}, fields such as agency, role, impact, '
                     "operation, countries, outcome, area, sector, revenue."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Write nothing of a file that has any rejected row.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and resolve, show what would be written, "
                           "write nothing.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Rows per write transaction (the "
                          "first file into an empty FalkorDB store is one bulk import).")
    ] = DEFAULT_BATCH_SIZE,
) -> None:
    """Load documents into the store.

    Tables are found in each file and recognised by their headers; tables that
    hold no graph data are listed as skipped, and columns of a recognised table
    that no field reads are listed too. Rejected rows are reported as
    FILE:LINE: REASON while the good rows load. Loading the same file again
    changes nothing.

    Exit codes: 0 every row loaded; 1 some rows or files were rejected;
    2 nothing was loaded.
    """
    from loaders.build import Extraction
    from loaders.pipeline import load_paths, read_aliases, read_mapping
    from loaders.read import Document

    try:
        alias_map = read_aliases(aliases) if aliases else None
        header_map = read_mapping(mapping) if mapping else None
        with _store(db) as store, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True,
        ) as progress:
            task = progress.add_task("reading", total=None)

            def on_document(doc: Document, extraction: Extraction) -> None:
                progress.update(task, description=f"writing {doc.name}", completed=0,
                                total=None)

            def on_import(files: int) -> None:
                progress.update(task, description=f"importing {files} file(s)", completed=0,
                                total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = load_paths(
                store, paths, operation=operation, fmt=fmt, aliases=alias_map,
                mapping=header_map, strict=strict,
                dry_run=dry_run, batch_size=batch_size, on_document=on_document,
                on_import=on_import, progress=on_progress,
            )
    except PartnergraphError as exc:
        raise _fail(exc) from None
    for file in report.files:
        title = f" [dim]({file.title})[/]" if file.title else ""
        shapes = ", ".join(f"{n} {s}" for s, n in sorted(file.shapes.items())) or "no graph tables"
        verb = "would load" if dry_run else ("loaded" if file.written else "loaded nothing of")
        out.print(f"{verb} [bold]{file.path}[/]{title}: {file.rows_loaded} rows; {shapes}",
                  highlight=False)
        if file.would_write:
            out.print("  would write: " + ", ".join(
                f"{n} {name}" for name, n in sorted(file.would_write.items())), highlight=False)
        for skipped in file.skipped:
            out.print(f"  skipped table {skipped.index} (line {skipped.line}): "
                      f"{_headers(skipped.headers)}", highlight=False, markup=False)
        for ignored in file.ignored:
            out.print(f"  table {ignored.index} (line {ignored.line}): columns not read: "
                      f"{_headers(ignored.headers)}", highlight=False, markup=False)
        for error in file.errors:
            err.print(f"  {error}", highlight=False, markup=False)
    raise typer.Exit(int(report.exit_code))


def _headers(headers: tuple[str, ...]) -> str:
    """Headers joined for a line of output, as briefly as messages show them."""
    from loaders.build import brief_headers

    brief, more = brief_headers(headers)
    return " | ".join(brief) + (f" (and {more} more)" if more else "")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API and the network maps (docs at /docs)."""
    _serve(db, host, port)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _serve(db: str | None, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app

    # uvicorn re-raises the signal it stopped on once it has shut down; as an
    # exception it unwinds through the store's close, which stops an embedded
    # server nobody else uses.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with _store(db) as store:
            out.print(f"partnergraph on [bold]http://{host}:{port}/docs[/] "
                      f"({store.kind} store at {store.location}); Ctrl-C stops.",
                      highlight=False)
            uvicorn.run(create_app(store=store), host=host, port=port, log_level="warning")
    except PartnergraphError as exc:
        raise _fail(exc) from None


@app.command()
def demo(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Directory for the demo's embedded store; it is emptied "
                     "first (default: a 'demo' folder in your user data folder)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the sample data and exit.")
    ] = False,
) -> None:
    """Load the bundled sample data into a fresh embedded store and serve it."""
    from graph.embedded import MARKER_NAME, EmbeddedServer
    from graph.store import default_db_dir
    from loaders.pipeline import load_paths
    from loaders.sample import sample_files
    from queries.stats import counts

    folder = db or default_db_dir().parent / "demo"
    try:
        if folder.exists():
            if not (folder / MARKER_NAME).exists() and any(folder.iterdir()):
                raise InvalidInput(f"{folder} is not empty and holds no partnergraph store; "
                                   "choose another --db for the demo", field="db")
            EmbeddedServer(folder).stop()
            shutil.rmtree(folder)
        with _store(str(folder)) as store:
            report = load_paths(store, sample_files())
            c = counts(store)
    except PartnergraphError as exc:
        raise _fail(exc) from None
    for error in report.errors:
        err.print(f"  {error}", highlight=False, markup=False)
    out.print(f"Loaded {report.rows_loaded} sample rows into {folder}: {c.nodes} nodes, "
              f"{c.relationships} relationships.", highlight=False)
    if no_serve:
        raise typer.Exit(int(report.exit_code))
    out.print(f"Try http://{host}:{port}/agencies/FBI/partners and "
              f"http://{host}:{port}/maps/agency/FBI", highlight=False)
    _serve(str(folder), host, port)


app.add_typer(query_app, name="query")
app.command("export")(export_command)

map_app = typer.Typer(
    help="Write a network map to a self-contained HTML file (scripts inlined) that opens "
    "from disk with no server.",
    no_args_is_help=True,
)
app.add_typer(map_app, name="map")


OutputOption = Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")]


def _write_map(db: str | None, output: Path, render: Callable[[Projections], str]) -> None:
    try:
        with _store(db) as store:
            html = render(Projections(store))
    except PartnergraphError as exc:
        raise _fail(exc) from None
    write_atomically(output, html)
    out.print(Text(f"wrote {output}"))


@map_app.command("agency")
def map_agency(
    ref: Annotated[str, typer.Argument(help="Agency id, name, acronym or alias.")],
    output: OutputOption,
    hops: Annotated[int, typer.Option(min=1, max=3, help="Partner steps to include.")] = 1,
    db: DbOption = None,
) -> None:
    """Map of an agency and its partners up to HOPS steps away."""
    from api.maps import agency_map_html

    _write_map(db, output, lambda p: agency_map_html(p, ref, hops, asset_base=None))


@map_app.command("path")
def map_path(
    source: Annotated[str, typer.Argument(help="Agency to start from.")],
    target: Annotated[str, typer.Argument(help="Agency to reach.")],
    output: OutputOption,
    max_hops: Annotated[int, typer.Option(min=1, max=12, help="Most agency steps.")] = 6,
    db: DbOption = None,
) -> None:
    """Map of every shortest collaboration chain between two agencies."""
    from api.maps import path_map_html

    _write_map(db, output, lambda p: path_map_html(p, source, target, max_hops,
                                                   asset_base=None))


@map_app.command("country")
def map_country(
    code: Annotated[str, typer.Argument(help="ISO code, name or alias.")],
    output: OutputOption, db: DbOption = None,
) -> None:
    """Map of a country, its agencies and operations, and the countries it worked with."""
    from api.maps import country_map_html

    _write_map(db, output, lambda p: country_map_html(p, code, asset_base=None))


@map_app.command("operation")
def map_operation(
    ref: Annotated[str, typer.Argument(help="Operation id or name.")],
    output: OutputOption, db: DbOption = None,
) -> None:
    """Map of an operation with its agencies, countries and crime sectors."""
    from api.maps import operation_map_html

    _write_map(db, output, lambda p: operation_map_html(p, ref, asset_base=None))


@map_app.command("sector")
def map_sector(
    ref: Annotated[str, typer.Argument(help="Crime sector name or synonym.")],
    output: OutputOption, db: DbOption = None,
) -> None:
    """Map of a crime sector with its operations, agencies and countries."""
    from api.maps import sector_map_html

    _write_map(db, output, lambda p: sector_map_html(p, ref, asset_base=None))


@map_app.command("network")
def map_network(
    output: OutputOption,
    limit: Annotated[int, typer.Option(min=1, max=5000, help="Most agencies shown (the "
                                       "most connected first).")] = 300,
    country: Annotated[str | None, typer.Option(help="Only agencies of this country.")]
    = None,
    sector: Annotated[str | None, typer.Option(help="Only agencies focused on this sector.")]
    = None,
    db: DbOption = None,
) -> None:
    """Map of the agency network (its most connected agencies, capped at LIMIT)."""
    from api.maps import network_map_html

    _write_map(db, output, lambda p: network_map_html(p, limit=limit, country=country,
                                                      sector=sector, asset_base=None))


@app.command()
def stop(db: DbOption = None) -> None:
    """Stop the embedded store's server for a directory, even if other processes use it."""
    from graph.embedded import EmbeddedServer

    location = resolve_location(db)
    try:
        if store_kind(location) != "embedded":
            raise InvalidInput(f"{location} is not an embedded store", field="db")
    except PartnergraphError as exc:
        raise _fail(exc) from None
    EmbeddedServer(Path(location).expanduser()).stop()
    out.print(f"stopped the embedded store in {location}", highlight=False)


@app.command()
def status(db: DbOption = None) -> None:
    """Show the store's kind, location and counts per label and relationship type."""
    from queries.stats import counts

    try:
        with _store(db) as store:
            c = counts(store)
            kind, location = store.kind, store.location
    except PartnergraphError as exc:
        raise _fail(exc) from None
    table = Table(title=f"{kind} store at {location}")
    table.add_column("label / type")
    table.add_column("count", justify="right")
    for name, n in sorted(c.labels.items()) + sorted(c.types.items()):
        table.add_row(name, str(n))
    table.add_row("[bold]nodes[/]", str(c.nodes))
    table.add_row("[bold]relationships[/]", str(c.relationships))
    out.print(table)
