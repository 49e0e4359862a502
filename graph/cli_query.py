"""``partnergraph query NAME ARGS``: every query from the command line.

Results print as readable tables by default and as JSON with ``--json``
(the same fields as the HTTP API).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from graph.errors import PartnergraphError
from graph.projection import Projections
from graph.store import GraphStore, open_store

query_app = typer.Typer(
    help="Ask the graph a question: partners, paths, operations, countries, sectors, "
    "brokers, communities, likely partners or raw read-only Cypher. Tables by default, "
    "--json for the API's JSON.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="PARTNERGRAPH_DB", show_default=False,
                 help="Store directory or URL (see `partnergraph --help`)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LimitOption = Annotated[int, typer.Option(min=1, max=1000, help="How many to list.")]
OffsetOption = Annotated[int, typer.Option(min=0, help="How many to skip (paging).")]
CountryOption = Annotated[str | None, typer.Option(help="Country: ISO code, name or alias.")]
SectorOption = Annotated[str | None, typer.Option(help="Crime sector: name or synonym.")]


@contextmanager
def _store(db: str | None) -> Iterator[GraphStore]:
    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def _run(db: str | None, as_json: bool, title: str,
         ask: Callable[[GraphStore, Projections], Any]) -> None:
    try:
        with _store(db) as store:
            result = ask(store, Projections(store))
    except PartnergraphError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        out.print_json(json.dumps(_plain(result), ensure_ascii=False, default=str))
    else:
        _show(title, result)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    """One table cell: names of listed things, a few at most; scalars as text."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or value.get("indicator")
                   or json.dumps(value, ensure_ascii=False, default=str))
    if isinstance(value, list):
        shown = [_cell(v) for v in value[:5]]
        more = f" (+{len(value) - 5} more)" if len(value) > 5 else ""
        return "; ".join(shown) + more
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns and key not in ("sources", "evidence", "aliases", "keys"):
                columns.append(key)
    table = Table(title=escape(title), title_justify="left")
    for column in columns:
        table.add_column(escape(column.replace("_", " ")), overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c))) for c in columns))
    return table


def _show(title: str, result: Any) -> None:
    data = _plain(result)
    if isinstance(data, list):
        out.print(_table(title, data) if data else Text(f"{title}: none"))
        return
    scalars = {k: v for k, v in data.items()
               if not (isinstance(v, list) and v and isinstance(v[0], dict))}
    summary = Table(title=escape(title), title_justify="left", show_header=False)
    summary.add_column("field", style="bold")
    summary.add_column("value", overflow="fold")
    for key, value in scalars.items():
        summary.add_row(key.replace("_", " "), Text(_cell(value)))
    out.print(summary)
    for key, value in data.items():
        if key not in scalars:
            out.print(_table(key.replace("_", " "), value))


def _path_rows(result: Any) -> list[dict[str, Any]]:
    rows = []
    for i, path in enumerate(result.paths, start=1):
        chain = [path.agencies[0]["name"]]
        for step, agency in zip(path.steps, path.agencies[1:], strict=True):
            ops = ", ".join(o["name"] for o in step.operations[:3])
            more = f" +{len(step.operations) - 3}" if len(step.operations) > 3 else ""
            chain.append(f"--[{ops}{more}]--> {agency['name']}")
        rows.append({"path": i, "chain": " ".join(chain)})
    return rows


@query_app.command("agencies")
def q_agencies(
    text: Annotated[str, typer.Argument(help="Text in the name, acronym or alias.")] = "",
    country: CountryOption = None,
    region: Annotated[str | None, typer.Option(help="Region the agency operates in.")] = None,
    sector: SectorOption = None, limit: LimitOption = 50, offset: OffsetOption = 0,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Search agencies by text (substring, else fuzzy), country, region or sector."""
    from queries.agencies import search_agencies

    _run(db, as_json, "Agencies", lambda s, p: search_agencies(
        s, text, country=country, region=region, sector=sector, limit=limit, offset=offset))


@query_app.command("agency")
def q_agency(ref: Annotated[str, typer.Argument(help="Agency id, name, acronym or alias.")],
             as_json: JsonOption = False, db: DbOption = None) -> None:
    """An agency with its roles, regions, parent, field offices, operations and sectors."""
    from queries.agencies import agency_detail

    _run(db, as_json, f"Agency {ref}", lambda s, p: agency_detail(s, ref))


@query_app.command("partners")
def q_partners(
    ref: Annotated[str, typer.Argument(help="Agency id, name, acronym or alias.")],
    country: Annotated[str | None, typer.Option(help="Partner's home country.")] = None,
    sector: Annotated[str | None, typer.Option(help="Sector the shared operation targeted.")]
    = None,
    year_from: Annotated[int | None, typer.Option(help="First year of the time window.")]
    = None,
    year_to: Annotated[int | None, typer.Option(help="Last year of the time window.")] = None,
    min_weight: Annotated[int, typer.Option(min=1, help="Fewest shared operations.")] = 1,
    limit: LimitOption = 100, offset: OffsetOption = 0,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Agencies that shared operations with REF, most shared first."""
    from queries.agencies import PartnerFilters, partners

    filters = PartnerFilters(country, sector, year_from, year_to, min_weight)
    _run(db, as_json, f"Partners of {ref}",
         lambda s, p: partners(s, ref, filters, limit=limit, offset=offset))


@query_app.command("shared")
def q_shared(a: Annotated[str, typer.Argument(help="First agency.")],
             b: Annotated[str, typer.Argument(help="Second agency.")],
             as_json: JsonOption = False, db: DbOption = None) -> None:
    """The operations two agencies both took part in."""
    from queries.agencies import shared_operations

    _run(db, as_json, f"Operations shared by {a} and {b}",
         lambda s, p: shared_operations(s, a, b)[2])


class _NoPath(Exception):
    """No path within the hop limit: said plainly, not as an error."""


@query_app.command("path")
def q_path(
    source: Annotated[str, typer.Argument(help="Agency to start from.")],
    target: Annotated[str, typer.Argument(help="Agency to reach.")],
    max_hops: Annotated[int, typer.Option(min=1, max=12, help="Most agency steps.")] = 6,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Paths to list.")] = 25,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """All shortest collaboration chains between two agencies, with the operations."""
    from queries.network import collaboration_paths

    def ask(store: GraphStore, projections: Projections) -> Any:
        result = collaboration_paths(projections, source, target, max_hops=max_hops,
                                     limit=limit)
        if as_json:
            return result
        if result.hops is None:
            raise _NoPath(f"{result.source.name} and {result.target.name} are not linked "
                          f"within {max_hops} steps")
        return _path_rows(result)

    try:
        _run(db, as_json, f"Shortest collaboration paths from {source} to {target}", ask)
    except _NoPath as exc:
        out.print(Text(str(exc)))


@query_app.command("network")
def q_network(
    ref: Annotated[str, typer.Argument(help="Agency at the centre.")],
    hops: Annotated[int, typer.Option(min=1, max=4, help="Partner steps.")] = 2,
    max_nodes: Annotated[int, typer.Option(min=1, max=2000, help="Node cap.")] = 300,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """The ego network of an agency: every agency within HOPS partner steps."""
    from queries.network import ego_network

    _run(db, as_json, f"Network of {ref}",
         lambda s, p: ego_network(p, ref, hops=hops, max_nodes=max_nodes))


@query_app.command("operations")
def q_operations(
    text: Annotated[str, typer.Argument(help="Text in the operation's name.")] = "",
    country: CountryOption = None,
    agency: Annotated[str | None, typer.Option(help="An agency that took part.")] = None,
    sector: SectorOption = None,
    year: Annotated[int | None, typer.Option(help="Year of the operation.")] = None,
    limit: LimitOption = 50, offset: OffsetOption = 0,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Operations, filtered by country, agency, sector or year."""
    from queries.operations import list_operations

    _run(db, as_json, "Operations", lambda s, p: list_operations(
        s, text, country=country, agency=agency, sector=sector, year=year, limit=limit,
        offset=offset))


@query_app.command("operation")
def q_operation(ref: Annotated[str, typer.Argument(help="Operation id or name.")],
                as_json: JsonOption = False, db: DbOption = None) -> None:
    """An operation with its agencies, countries, sectors, outcome, metrics and sources."""
    from queries.operations import operation_detail

    _run(db, as_json, f"Operation {ref}", lambda s, p: operation_detail(s, ref))


@query_app.command("countries")
def q_countries(limit: LimitOption = 300, offset: OffsetOption = 0,
                as_json: JsonOption = False, db: DbOption = None) -> None:
    """Countries with their agency, operation and market counts."""
    from queries.countries import list_countries

    _run(db, as_json, "Countries", lambda s, p: list_countries(s, limit=limit, offset=offset))


@query_app.command("country")
def q_country(code: Annotated[str, typer.Argument(help="ISO code, name or alias.")],
              as_json: JsonOption = False, db: DbOption = None) -> None:
    """A country's agencies, regions, operations and market scores."""
    from queries.countries import country_detail

    _run(db, as_json, f"Country {code}", lambda s, p: country_detail(s, code))


@query_app.command("cooperation")
def q_cooperation(
    code: Annotated[str, typer.Argument(help="ISO code, name or alias.")],
    sector: SectorOption = None, limit: LimitOption = 100, offset: OffsetOption = 0,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Countries that shared operations with CODE, how often and on which sectors."""
    from queries.countries import country_partners

    _run(db, as_json, f"Countries cooperating with {code}",
         lambda s, p: country_partners(s, code, sector=sector, limit=limit, offset=offset)[1])


@query_app.command("sectors")
def q_sectors(limit: LimitOption = 100, offset: OffsetOption = 0,
              as_json: JsonOption = False, db: DbOption = None) -> None:
    """Crime sectors with ICCS codes, revenue and counts."""
    from queries.sectors import list_sectors

    _run(db, as_json, "Crime sectors", lambda s, p: list_sectors(s, limit=limit, offset=offset))


@query_app.command("sector")
def q_sector(ref: Annotated[str, typer.Argument(help="Sector name or synonym.")],
             as_json: JsonOption = False, db: DbOption = None) -> None:
    """A sector's operations, agencies, countries and market scores."""
    from queries.sectors import sector_detail

    _run(db, as_json, f"Sector {ref}", lambda s, p: sector_detail(s, ref))


@query_app.command("brokers")
def q_brokers(limit: LimitOption = 20, offset: OffsetOption = 0,
              as_json: JsonOption = False, db: DbOption = None) -> None:
    """Agencies that link otherwise separate groups (betweenness centrality)."""
    from queries.analytics import top_brokers

    _run(db, as_json, "Brokers", lambda s, p: top_brokers(p, limit=limit, offset=offset))


@query_app.command("communities")
def q_communities(limit: LimitOption = 20, offset: OffsetOption = 0,
                  as_json: JsonOption = False, db: DbOption = None) -> None:
    """Groups of agencies that work together (Louvain, seeded)."""
    from queries.analytics import agency_communities

    _run(db, as_json, "Communities",
         lambda s, p: agency_communities(p, limit=limit, offset=offset).items)


@query_app.command("likely-partners")
def q_likely(ref: Annotated[str, typer.Argument(help="Agency id, name, acronym or alias.")],
             limit: LimitOption = 20, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Agencies REF has not worked with yet but shares partners with (Adamic-Adar)."""
    from queries.analytics import likely_partners

    _run(db, as_json, f"Likely partners of {ref}",
         lambda s, p: likely_partners(p, ref, limit=limit).items)


@query_app.command("cypher")
def q_cypher(
    query: Annotated[str, typer.Argument(help="Read-only Cypher, e.g. 'MATCH (a:Agency) "
                                         "RETURN a.name LIMIT $n'.")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="NAME=VALUE (VALUE read as JSON, else text); repeatable.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Row cap.")] = 1000,
    timeout: Annotated[float, typer.Option(help="Seconds.")] = 10.0,
    as_json: JsonOption = False, db: DbOption = None,
) -> None:
    """Run read-only Cypher; writes are refused."""
    from queries.cypher import run_cypher

    params: dict[str, Any] = {}
    for item in param or []:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            err.print(f"[bold red]error:[/] --param {item!r} is not NAME=VALUE", highlight=False)
            raise typer.Exit(2)
        try:
            params[name.strip()] = json.loads(raw)
        except ValueError:
            params[name.strip()] = raw

    def ask(store: GraphStore, projections: Projections) -> Any:
        result = run_cypher(store, query, params, limit=limit, timeout=timeout)
        if result.truncated and not as_json:
            err.print(f"showing the first {limit} rows", highlight=False)
        return result if as_json else result.rows

    _run(db, as_json, "Result", ask)


def export_command(
    fmt: Annotated[str, typer.Argument(help="graphml, gexf, json, csv or cypher.")],
    output: Annotated[str, typer.Option("--output", "-o", help="File to write.")],
    db: DbOption = None,
) -> None:
    """Write the whole graph as GraphML, GEXF, node-link JSON, CSV or a Cypher script."""
    from queries.export import export_graph, parse_format

    try:
        kind = parse_format(fmt)
        with _store(db) as store:
            text, _media = export_graph(Projections(store), kind)
    except PartnergraphError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    path = Path(output)
    write_atomically(path, text)
    out.print(Text(f"wrote {path}"))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
