"""Graph records from recognised tables, each with its source and row.

Every node and relationship a row asserts carries the document's ``Source``
id and an evidence reference ``file:line (table T, row R)``. Facts the loader
derives rather than reads (a sector guessed from role text, an agency's home
country from the reference catalogue) are marked ``inferred: true``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from graph.errors import LoadError
from graph.model import Label, RelType, slug
from graph.writer import Grouped
from loaders.normalise import (
    Agency,
    AgencyResolver,
    Country,
    UnknownValue,
    check_name,
    country_name,
    infer_sectors,
    parse_money,
    parse_number,
    resolve_countries,
    resolve_region,
    resolve_sector,
)
from loaders.read import Document, Table, TableRow
from loaders.shapes import (
    EXAMPLE_FIELDS,
    KNOWN_SHAPES,
    Field,
    Recognised,
    Shape,
    apply_mapping,
    recognise,
)

MAX_CELL_LENGTH = 2000
# How many distinct cell values and operation names the builder remembers.
_CACHE_SIZE = 1_000_000


@dataclass(frozen=True, slots=True)
class SkippedTable:
    """A table that holds no graph data (strategies, recommendations...)."""

    index: int
    line: int | None
    headers: tuple[str, ...]


@dataclass(slots=True)
class Extraction:
    """What one document yields: records to write, tables skipped, rows rejected."""

    source_id: str
    grouped: Grouped = field(default_factory=Grouped)
    skipped: list[SkippedTable] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    rows_loaded: int = 0
    shapes: dict[str, int] = field(default_factory=dict)


def source_id(doc: Document) -> str:
    """A document's Source id: its content hash, so the same bytes are one source."""
    return f"src-{doc.sha256[:16]}"


class _RowContext:
    """Collects the facts one row asserts; they join the extraction only if the
    whole row resolves, all with the row's provenance."""

    __slots__ = ("evidence", "nodes", "out", "rels")

    def __init__(self, out: Extraction, evidence: str) -> None:
        self.out = out
        self.evidence = evidence
        self.nodes: list[tuple[Label, str, dict[str, Any], dict[str, list[str]] | None]] = []
        self.rels: list[tuple[RelType, tuple[Label, str], tuple[Label, str], dict[str, Any]]] = []

    def node(self, label: Label, node_id: str, lists: dict[str, list[str]] | None = None,
             **props: Any) -> None:
        self.nodes.append((label, node_id, props, lists))

    def node_props(self, label: Label, node_id: str, props: dict[str, Any],
                   lists: dict[str, list[str]] | None = None) -> None:
        self.nodes.append((label, node_id, props, lists))

    def rel(self, rel: RelType, start: tuple[Label, str], end: tuple[Label, str],
            **props: Any) -> None:
        self.rels.append((rel, start, end, props))

    def rel_props(self, rel: RelType, start: tuple[Label, str], end: tuple[Label, str],
                  props: dict[str, Any]) -> None:
        self.rels.append((rel, start, end, props))

    def commit(self) -> None:
        out = self.out
        grouped, source, evidence = out.grouped, out.source_id, self.evidence
        for label, node_id, props, lists in self.nodes:
            grouped.node(label, node_id, props, source, evidence, lists)
        for rel, start, end, props in self.rels:
            grouped.rel(rel, start[0], start[1], end[0], end[1], props, source, evidence)
        out.rows_loaded += 1


class Builder:
    """Turns the tables of one document into an :class:`Extraction`."""

    def __init__(
        self,
        agencies: AgencyResolver,
        operation: str | None = None,
        mapping: dict[str, str] | None = None,
    ) -> None:
        self.agencies = agencies
        self.operation = operation
        self.mapping = mapping or {}
        # the table and row being built, for handlers that need more than the cells
        self._table: Table | None = None
        self._recognised: Recognised | None = None
        self._row: TableRow | None = None
        # agency id -> (version, list properties), so names repeated on many
        # rows do not recompute their keys
        self._agency_facts: dict[
            str, tuple[tuple[Any, ...], dict[str, Any], dict[str, list[str]]]
        ] = {}
        # cells and operation names repeat on many rows: cleaned and checked once
        self._clean: dict[str, str] = {}
        self._operations: dict[str, tuple[str, str]] = {}
        self._sector_facts: dict[str, list[tuple[tuple[Label, str], dict[str, Any]]]] = {}
        # (role, impact) -> the PARTICIPATED_IN props, one dict per distinct pair
        self._participation: dict[tuple[str | None, str | None], dict[str, Any]] = {}

    def build(self, doc: Document) -> Extraction:
        out = Extraction(source_id(doc))
        out.grouped.node(
            Label.SOURCE, out.source_id,
            {"name": doc.title, "title": doc.title, "path": doc.path, "sha256": doc.sha256,
             "format": doc.format, "loaded_at": datetime.now(UTC).isoformat(timespec="seconds")},
            out.source_id, doc.name,
        )
        recognised: list[tuple[Table, Recognised]] = []
        for table in doc.tables:
            headers = apply_mapping(table.headers, self.mapping) if self.mapping else table.headers
            shape = recognise(headers, [row.cells for row in table.rows[:200]])
            if shape is None:
                out.skipped.append(SkippedTable(table.index, table.line, table.headers))
            else:
                recognised.append((table, shape))
        # Full names with acronyms first, so a bare "FBI" anywhere joins its agency.
        names = [
            row.cells[r.columns[Field.AGENCY]]
            for table, r in recognised if Field.AGENCY in r.columns
            for row in table.rows if r.columns[Field.AGENCY] < len(row.cells)
        ]
        self.agencies.register_full_names(names)
        for table, r in recognised:
            out.shapes[r.shape.value] = out.shapes.get(r.shape.value, 0) + 1
            handler = self._handlers()[r.shape]
            self._table = table
            self._recognised = r
            place = f"{doc.name}:{table.sheet}" if table.sheet else doc.name
            for row in table.rows:
                ctx = _RowContext(out, (
                    f"{place}:{row.line} (table {table.index}, row {row.number})" if row.line
                    else f"{place}#row{row.number} (table {table.index}, row {row.number})"
                ))
                try:
                    cells = self._cells(row, table, r)
                    self._row = row
                    handler(doc, cells, ctx)
                except (ValueError, UnknownValue) as exc:
                    out.errors.append(LoadError(doc.name, str(exc), line=row.line))
                    continue
                ctx.commit()
        return out

    def _handlers(self) -> dict[Shape, Callable[[Document, dict[Field, str], _RowContext], None]]:
        return {
            Shape.AGENCY_AREAS: self._agency_area,
            Shape.PARTICIPANTS: self._participant,
            Shape.OPERATIONS: self._operation_row,
            Shape.SECTORS: self._sector_row,
            Shape.METRICS: self._metric_row,
            Shape.MARKETS: self._market_row,
        }

    def _cells(self, row: TableRow, table: Table, r: Recognised) -> dict[Field, str]:
        width = len(table.headers)
        if len(row.cells) > width and any(c.strip() for c in row.cells[width:]):
            raise ValueError(f"row has {len(row.cells)} cells but the table has {width} columns")
        cells: dict[Field, str] = {}
        clean = self._clean
        for f, index in r.columns.items():
            value = row.cells[index] if index < len(row.cells) else ""
            cleaned = clean.get(value)
            if cleaned is None:
                if "\x00" in value:
                    raise ValueError(f"{table.headers[index]!r} cell contains a NUL character")
                if not value.isascii():
                    try:
                        value.encode()
                    except UnicodeEncodeError:
                        raise ValueError(
                            f"{table.headers[index]!r} cell is not valid Unicode text "
                            "(it holds a lone surrogate)"
                        ) from None
                if len(value) > MAX_CELL_LENGTH:
                    raise ValueError(
                        f"{table.headers[index]!r} cell is {len(value)} characters long, "
                        f"more than {MAX_CELL_LENGTH}"
                    )
                cleaned = " ".join(value.split())
                if len(clean) < _CACHE_SIZE:
                    clean[value] = cleaned
            cells[f] = cleaned
        return cells

    # -- entities -------------------------------------------------------------------
    def _agency(self, raw: str, ctx: _RowContext) -> Agency:
        agency = self.agencies.resolve(raw)
        self._agency_node(agency, ctx)
        if agency.parent:
            parent = self.agencies.get(agency.parent)
            if parent is not None:
                self._agency_node(parent, ctx)
                ctx.rel(RelType.PART_OF, (Label.AGENCY, agency.id), (Label.AGENCY, parent.id),
                        inferred=True)
        if agency.country:
            country = Country(agency.country, country_name(agency.country))
            self._country(country, ctx)
            ctx.rel(RelType.BASED_IN, (Label.AGENCY, agency.id), (Label.COUNTRY, country.code),
                    inferred=True)
        return agency

    def _agency_node(self, agency: Agency, ctx: _RowContext) -> None:
        # One props and lists object per state of the agency: names repeated on
        # many rows neither recompute their keys nor build new dicts, and the
        # grouping recognises a repeat by identity.
        state = (agency.version, agency.name, agency.acronym, agency.country)
        cached = self._agency_facts.get(agency.id)
        if cached is None or cached[0] != state:
            cached = (
                state,
                {"name": agency.name, "acronym": agency.acronym, "country": agency.country},
                {"aliases": list(agency.aliases), "keys": agency.lookup_keys()},
            )
            self._agency_facts[agency.id] = cached
        ctx.node_props(Label.AGENCY, agency.id, cached[1], cached[2])

    @staticmethod
    def _country(country: Country, ctx: _RowContext) -> None:
        ctx.node(Label.COUNTRY, country.code, name=country.name, code=country.code)

    def _operation(self, name: str, ctx: _RowContext, lists: dict[str, list[str]] | None = None,
                   **props: Any) -> str:
        known = self._operations.get(name)
        if known is None:
            op_name = check_name("operation", name)
            known = (op_name, slug(op_name))
            if len(self._operations) < _CACHE_SIZE:
                self._operations[name] = known
        op_name, op_id = known
        ctx.node(Label.OPERATION, op_id, lists, name=op_name, **props)
        return op_id

    def _infer_sectors(self, text: str, start: tuple[Label, str], rel: RelType,
                       ctx: _RowContext) -> None:
        for end, props in self._inferred_sectors(text):
            ctx.node_props(Label.CRIME_SECTOR, end[1], props)
            ctx.rel_props(rel, start, end, _INFERRED)

    def _inferred_sectors(self, text: str) -> list[tuple[tuple[Label, str], dict[str, Any]]]:
        """The sector nodes free text suggests, built once per distinct text."""
        known = self._sector_facts.get(text)
        if known is None:
            known = [
                ((Label.CRIME_SECTOR, sector.id), {"name": sector.name, "iccs": sector.iccs})
                for sector in infer_sectors(text)
            ]
            if len(self._sector_facts) < _CACHE_SIZE:
                self._sector_facts[text] = known
        return known

    def _stated_sectors(self, text: str, start: tuple[Label, str], rel: RelType,
                        ctx: _RowContext) -> None:
        for part in _split_list(text):
            sector = resolve_sector(part)
            ctx.node(Label.CRIME_SECTOR, sector.id, name=sector.name, iccs=sector.iccs)
            ctx.rel(rel, start, (Label.CRIME_SECTOR, sector.id), inferred=False)

    def _document_operation(self, doc: Document, cells: dict[Field, str]) -> str:
        caption = self._table.caption if self._table else None
        return cells.get(Field.OPERATION) or self.operation or caption or doc.title

    # -- shapes ---------------------------------------------------------------------
    def _agency_area(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        agency = self._agency(cells[Field.AGENCY], ctx)
        role = cells.get(Field.FUNCTION) or cells.get(Field.ROLE) or None
        area = cells[Field.AREA]
        if area:
            home = Country(agency.country, country_name(agency.country)) if agency.country else None
            region = resolve_region(area, home)
            ctx.node(Label.REGION, region.id, name=region.name,
                     country=region.country.code if region.country else None)
            ctx.rel(RelType.OPERATES_IN, (Label.AGENCY, agency.id), (Label.REGION, region.id),
                    role=role)
            if region.country:
                self._country(region.country, ctx)
                ctx.rel(RelType.PART_OF, (Label.REGION, region.id),
                        (Label.COUNTRY, region.country.code), inferred=True)
        if cells.get(Field.SECTOR):
            self._stated_sectors(cells[Field.SECTOR], (Label.AGENCY, agency.id),
                                 RelType.FOCUSES_ON, ctx)
        elif role:
            self._infer_sectors(role, (Label.AGENCY, agency.id), RelType.FOCUSES_ON, ctx)

    def _participant(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        agency = self._agency(cells[Field.AGENCY], ctx)
        op_id = self._operation(self._document_operation(doc, cells), ctx,
                                year=_year(cells.get(Field.DATE, "")))
        role = cells.get(Field.ROLE) or cells.get(Field.FUNCTION) or None
        impact = cells.get(Field.IMPACT) or None
        props = self._participation.get((role, impact))
        if props is None:
            props = {"role": role, "impact": impact}
            if len(self._participation) < _CACHE_SIZE:
                self._participation[(role, impact)] = props
        ctx.rel_props(RelType.PARTICIPATED_IN, (Label.AGENCY, agency.id),
                      (Label.OPERATION, op_id), props)
        if cells.get(Field.SECTOR):
            self._stated_sectors(cells[Field.SECTOR], (Label.OPERATION, op_id), RelType.TARGETS,
                                 ctx)
        else:
            text = " ".join(filter(None, (role, impact)))
            self._infer_sectors(text, (Label.OPERATION, op_id), RelType.TARGETS, ctx)
        if role:
            self._infer_sectors(role, (Label.AGENCY, agency.id), RelType.FOCUSES_ON, ctx)

    def _operation_row(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        outcome = cells.get(Field.OUTCOME) or None
        op_id = self._operation(cells[Field.OPERATION], ctx, outcome=outcome,
                                year=_year(cells.get(Field.DATE, "")))
        for country in resolve_countries(cells.get(Field.COUNTRIES, "")):
            self._country(country, ctx)
            ctx.rel(RelType.PARTICIPATED_IN, (Label.COUNTRY, country.code),
                    (Label.OPERATION, op_id))
        for raw in _split_list(cells.get(Field.AGENCIES, "")):
            agency = self._agency(raw, ctx)
            ctx.rel(RelType.PARTICIPATED_IN, (Label.AGENCY, agency.id), (Label.OPERATION, op_id))
        if cells.get(Field.SECTOR):
            self._stated_sectors(cells[Field.SECTOR], (Label.OPERATION, op_id), RelType.TARGETS,
                                 ctx)
        elif outcome:
            self._infer_sectors(outcome, (Label.OPERATION, op_id), RelType.TARGETS, ctx)

    def _sector_row(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        sector = resolve_sector(cells[Field.SECTOR])
        money = parse_money(cells.get(Field.REVENUE, ""))
        if cells.get(Field.REVENUE) and money is None:
            raise ValueError(f"no amount of money in {cells[Field.REVENUE]!r}")
        ctx.node(
            Label.CRIME_SECTOR, sector.id, name=sector.name, iccs=sector.iccs,
            annual_revenue=money[0] if money else None,
            revenue_currency=money[1] if money else None,
            revenue_text=cells.get(Field.REVENUE) or None,
            disruptions=cells.get(Field.DISRUPTIONS) or None,
        )

    def _metric_row(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        indicator = check_name("indicator", cells[Field.INDICATOR])
        values: dict[str, Any] = {"indicator": indicator}
        for f in (Field.BEFORE, Field.AFTER):
            number = parse_number(cells[f])
            values[f.value] = cells[f] if number is None else number
        metric = json.dumps(values, ensure_ascii=False, sort_keys=True)
        self._operation(self._document_operation(doc, cells), ctx, {"metrics": [metric]})


    def _market_row(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        table, r, row = self._table, self._recognised, self._row
        assert table is not None and r is not None and row is not None
        countries = resolve_countries(cells[Field.COUNTRY])
        if len(countries) != 1:
            raise ValueError(f"expected one country, found {cells[Field.COUNTRY]!r}")
        country = countries[0]
        self._country(country, ctx)
        row_year = _year(cells.get(Field.DATE, ""))
        for index in r.markets:
            value = row.cells[index] if index < len(row.cells) else ""
            if not value.strip():
                continue
            score = parse_number(value)
            if score is None:
                raise ValueError(f"{table.headers[index]!r} value {value!r} is not a number")
            header = table.headers[index]
            year = _year(header) or row_year
            sector = resolve_sector(_YEAR_SUFFIX.sub("", header))
            ctx.node(Label.CRIME_SECTOR, sector.id, name=sector.name, iccs=sector.iccs)
            ctx.rel(RelType.HAS_MARKET, (Label.COUNTRY, country.code),
                    (Label.CRIME_SECTOR, sector.id), score=score, year=year)


_INFERRED: dict[str, Any] = {"inferred": True}

_YEAR_SUFFIX = re.compile(r"\s*[\(\[]?\b(19|20)\d{2}\b[\)\]]?\s*")


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@lru_cache(maxsize=4096)
def _year(text: str) -> int | None:
    """The first plausible year (1900-2099) in ``text``, e.g. "2023" or "(2023)"."""
    match = _YEAR.search(text)
    return int(match[0]) if match else None


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def describe_unknown_table(doc: Document, table: SkippedTable) -> str:
    """Help for a table no shape fits: its headers, the known shapes, a mapping example."""
    shapes = "\n".join(f"  - {s}" for s in KNOWN_SHAPES)
    example = json.dumps(
        {h: f.value for h, f in zip(table.headers, EXAMPLE_FIELDS, strict=False)},
        ensure_ascii=False,
    )
    return (
        f"table {table.index} (line {table.line}) with headers {list(table.headers)} "
        f"matches no known shape:\n{shapes}\n"
        f"map its headers onto fields with --mapping FILE, a JSON object such as {example}"
    )
