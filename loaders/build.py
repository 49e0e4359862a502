"""Graph records from recognised tables, each with its source and row.

Every node and relationship a row asserts carries the document's ``Source``
id and an evidence reference ``file:line (table T, row R)``. Facts the loader
derives rather than reads (a sector guessed from role text, an agency's home
country from the reference catalogue) are marked ``inferred: true``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

import numpy as np

from graph.errors import LoadError
from graph.model import Label, RelType, slug
from graph.partners import Ints
from graph.writer import Grouped
from loaders.normalise import (
    Agency,
    AgencyResolver,
    Country,
    UnknownValue,
    check_name,
    country_name,
    header_money,
    infer_sectors,
    is_placeholder,
    market_sector,
    parse_money_range,
    parse_number,
    resolve_countries,
    resolve_regions,
    resolve_sector,
    split_list,
)
from loaders.read import Document, Table, TableRow, caption_operation, title_operation
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


@dataclass(frozen=True, slots=True)
class IgnoredColumns:
    """Columns of a recognised table that its shape has no field for."""

    index: int
    line: int | None
    headers: tuple[str, ...]


@dataclass(slots=True)
class Extraction:
    """What one document yields: records to write, tables skipped, rows rejected."""

    source_id: str
    grouped: Grouped = field(default_factory=Grouped)
    skipped: list[SkippedTable] = field(default_factory=list)
    ignored: list[IgnoredColumns] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    rows_loaded: int = 0
    shapes: dict[str, int] = field(default_factory=dict)


def source_id(doc: Document) -> str:
    """A document's Source id: its content hash, so the same bytes are one source."""
    return f"src-{doc.sha256[:16]}"


# (label, id, props, list properties) and (type, start, end, props)
NodeFact = tuple[Label, str, dict[str, Any], dict[str, list[str]] | None]
RelFact = tuple[RelType, tuple[Label, str], tuple[Label, str], dict[str, Any]]


class _RowContext:
    """Collects the facts one row asserts; they join the extraction only if the
    whole row resolves, all with the row's provenance."""

    __slots__ = ("evidence", "nodes", "out", "rels")

    def __init__(self, out: Extraction, evidence: str) -> None:
        self.out = out
        self.evidence = evidence
        self.nodes: list[NodeFact] = []
        self.rels: list[RelFact] = []

    def node(self, label: Label, node_id: str, lists: dict[str, list[str]] | None = None,
             **props: Any) -> None:
        self.nodes.append((label, node_id, props, lists))

    def rel(self, rel: RelType, start: tuple[Label, str], end: tuple[Label, str],
            **props: Any) -> None:
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
        # (agency id, country) -> (state, node fact), so names repeated on many
        # rows do not recompute their keys
        self._agency_state: dict[tuple[str, str | None], tuple[tuple[Any, ...], NodeFact]] = {}
        # cells and operation names repeat on many rows: cleaned and checked once
        self._clean: dict[str, str] = {}
        self._operations: dict[str, tuple[str, str]] = {}
        self._sector_facts: dict[tuple[str, bool], list[NodeFact]] = {}

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
                unused = _unused_columns(table, shape)
                if unused:
                    out.ignored.append(IgnoredColumns(table.index, table.line, unused))
        self.agencies.begin_document()
        # participation tables (the long ones) are built a column at a time
        grids = {id(table): _grid(table.rows) for table, r in recognised
                 if r.shape is Shape.PARTICIPANTS}
        # Full names with acronyms first, so a bare "FBI" anywhere joins its agency.
        named: dict[int, dict[str, None]] = {}  # table -> its distinct agency cells
        for table, r in recognised:
            column = r.columns.get(Field.AGENCY)
            if column is None:
                continue
            grid = grids.get(id(table))
            if grid is not None:
                named[id(table)] = dict.fromkeys(grid[column] if column < len(grid) else ())
            else:
                named[id(table)] = dict.fromkeys(
                    row.cells[column] for row in table.rows if column < len(row.cells))
        self.agencies.register_full_names(
            list(dict.fromkeys(itertools.chain.from_iterable(named.values()))))
        # a cell naming several known agencies ("FBI & HSI") is a row for each
        for i, (table, r) in enumerate(recognised):
            split = self._split_agencies(table, r, named.get(id(table), {}))
            if split is not table:
                recognised[i] = (split, r)
                if id(table) in grids:
                    grids[id(split)] = _grid(split.rows)
        for table, r in recognised:
            out.shapes[r.shape.value] = out.shapes.get(r.shape.value, 0) + 1
            place = f"{doc.name}:{table.sheet}" if table.sheet else doc.name
            if r.shape is Shape.PARTICIPANTS:
                self._participants(doc, table, r, out, place, grids[id(table)])
                continue
            handler = self._handlers()[r.shape]
            self._table = table
            self._recognised = r
            for row in table.rows:
                ctx = _RowContext(out, _evidence(place, table.index, row))
                try:
                    cells = self._cells(row, table, r)
                    self._row = row
                    handler(doc, cells, ctx)
                except (ValueError, UnknownValue) as exc:
                    out.errors.append(LoadError(doc.name, str(exc), line=row.line))
                    continue
                ctx.commit()
        return out

    def _split_agencies(self, table: Table, r: Recognised, cells: dict[str, None]) -> Table:
        """``table`` with each row whose agency cell names several known agencies
        ("FBI & HSI") repeated for each of them, on the same line; ``table``
        itself when none of its distinct agency ``cells`` does."""
        column = r.columns.get(Field.AGENCY)
        if column is None:
            return table
        parts = {
            cell: names for cell in cells
            if len(names := self.agencies.split(cell)) > 1
        }
        if not parts:
            return table
        rows: list[TableRow] = []
        for row in table.rows:
            named = parts.get(row.cells[column]) if column < len(row.cells) else None
            if named is None:
                rows.append(row)
                continue
            for name in named:
                cells_of = (*row.cells[:column], name, *row.cells[column + 1:])
                rows.append(TableRow(row.number, row.line, cells_of))
        return Table(table.index, table.headers, rows, table.line, table.caption, table.sheet)

    def _handlers(self) -> dict[Shape, Callable[[Document, dict[Field, str], _RowContext], None]]:
        return {
            Shape.AGENCY_AREAS: self._agency_area,
            Shape.COUNTRY_PARTICIPANTS: self._country_participant,
            Shape.OPERATIONS: self._operation_row,
            Shape.SECTORS: self._sector_row,
            Shape.METRICS: self._metric_row,
            Shape.MARKETS: self._market_row,
        }

    def _cells(self, row: TableRow, table: Table, r: Recognised) -> dict[Field, str]:
        width = len(table.headers)
        ragged = _ragged(row, width)
        if ragged:
            raise ValueError(ragged)
        cells: dict[Field, str] = {}
        for f, index in r.columns.items():
            value = row.cells[index] if index < len(row.cells) else ""
            cells[f] = self._clean_cell(value, table.headers[index])
        return cells

    def _clean_cell(self, value: str, header: str) -> str:
        """``value`` with its white space collapsed; ValueError for text no graph can hold."""
        cleaned = self._clean.get(value)
        if cleaned is not None:
            return cleaned
        if "\x00" in value:
            raise ValueError(f"{header!r} cell contains a NUL character")
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError(
                    f"{header!r} cell is not valid Unicode text (it holds a lone surrogate)"
                ) from None
        if len(value) > MAX_CELL_LENGTH:
            raise ValueError(
                f"{header!r} cell is {len(value)} characters long, more than {MAX_CELL_LENGTH}"
            )
        cleaned = " ".join(value.split())
        if is_placeholder(cleaned) and cleaned:
            cleaned = ""  # "N/A", "Unknown", "—": no value
        if len(self._clean) < _CACHE_SIZE:
            self._clean[value] = cleaned
        return cleaned

    # -- entities -------------------------------------------------------------------
    def _agency(self, raw: str, ctx: _RowContext, home: Country | None = None) -> Agency:
        agency = self.agencies.resolve(raw, home.code if home else None)
        nodes, rels = self._agency_facts(agency, home)
        ctx.nodes += nodes
        ctx.rels += rels
        return agency

    def _agency_facts(self, agency: Agency, stated: Country | None = None
                      ) -> tuple[list[NodeFact], list[RelFact]]:
        """The facts naming ``agency`` asserts: its node, its parent's and country's,
        and the links to them. ``stated`` is the country a row gives for it: its
        BASED_IN is stated rather than inferred when that is the agency's
        country, and is the row's fact for an agency of no known country."""
        code = agency.country or (stated.code if stated else None)
        nodes = [self._agency_node(agency, code)]
        rels: list[RelFact] = []
        if agency.parent:
            parent = self.agencies.get(agency.parent)
            if parent is not None:
                nodes.append(self._agency_node(parent))
                rels.append((RelType.PART_OF, (Label.AGENCY, agency.id),
                             (Label.AGENCY, parent.id), _INFERRED))
        if code:
            country = Country(code, country_name(code))
            nodes.append((Label.COUNTRY, country.code,
                          {"name": country.name, "code": country.code}, None))
            props = _STATED if stated is not None and stated.code == code else _INFERRED
            rels.append((RelType.BASED_IN, (Label.AGENCY, agency.id),
                         (Label.COUNTRY, country.code), props))
        return nodes, rels

    def _agency_node(self, agency: Agency, country: str | None = None) -> NodeFact:
        # One props and lists object per state of the agency: names repeated on
        # many rows neither recompute their keys nor build new dicts, and the
        # grouping recognises a repeat by identity.
        country = agency.country or country
        state = (agency.version, agency.name, agency.acronym)
        key = (agency.id, country)
        cached = self._agency_state.get(key)
        if cached is None or cached[0] != state:
            cached = (state, (
                Label.AGENCY, agency.id,
                {"name": agency.name, "acronym": agency.acronym, "country": country},
                {"aliases": list(agency.aliases), "keys": agency.lookup_keys()},
            ))
            self._agency_state[key] = cached
        return cached[1]

    @staticmethod
    def _country(country: Country, ctx: _RowContext) -> None:
        ctx.node(Label.COUNTRY, country.code, name=country.name, code=country.code)

    def _operation_name(self, name: str) -> tuple[str, str]:
        """The checked name of an operation and its id."""
        known = self._operations.get(name)
        if known is None:
            op_name = check_name("operation", name)
            known = (op_name, slug(op_name))
            if len(self._operations) < _CACHE_SIZE:
                self._operations[name] = known
        return known

    def _operation(self, name: str, ctx: _RowContext, lists: dict[str, list[str]] | None = None,
                   **props: Any) -> str:
        op_name, op_id = self._operation_name(name)
        ctx.node(Label.OPERATION, op_id, lists, name=op_name, **props)
        return op_id

    def _link_sectors(self, stated: str, text: str | None, start: tuple[Label, str],
                      rel: RelType, ctx: _RowContext) -> None:
        sectors, props = self._stated_or_inferred(stated, text)
        for sector in sectors:
            ctx.nodes.append(sector)
            ctx.rels.append((rel, start, (Label.CRIME_SECTOR, sector[1]), props))

    def _stated_or_inferred(self, stated: str, text: str | None
                            ) -> tuple[list[NodeFact], dict[str, Any]]:
        """The sectors a sector cell names or, when it is empty, those ``text``
        suggests, and the props of the links to them."""
        if stated:
            return self._sectors(stated, inferred=False), _STATED
        return (self._sectors(text, inferred=True) if text else []), _INFERRED

    def _sectors(self, text: str, *, inferred: bool) -> list[NodeFact]:
        """The sector nodes free text suggests (``inferred``) or a sector cell names,
        built once per distinct text."""
        known = self._sector_facts.get((text, inferred))
        if known is None:
            found = (infer_sectors(text) if inferred
                     else [resolve_sector(part) for part in split_list(text)])
            known = [
                (Label.CRIME_SECTOR, sector.id, {"name": sector.name, "iccs": sector.iccs}, None)
                for sector in found
            ]
            if len(self._sector_facts) < _CACHE_SIZE:
                self._sector_facts[(text, inferred)] = known
        return known

    def _document_operation(self, doc: Document, cells: dict[Field, str]) -> str:
        caption = caption_operation(self._table.caption) if self._table else None
        return (cells.get(Field.OPERATION) or self.operation or caption
                or title_operation(doc.title) or doc.title)

    # -- shapes ---------------------------------------------------------------------
    def _agency_area(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        agency = self._agency(cells[Field.AGENCY], ctx, _one_country(cells.get(Field.COUNTRY)))
        role = cells.get(Field.FUNCTION) or cells.get(Field.ROLE) or None
        home = Country(agency.country, country_name(agency.country)) if agency.country else None
        for region in resolve_regions(cells.get(Field.AREA, ""), home):
            ctx.node(Label.REGION, region.id, name=region.name,
                     country=region.country.code if region.country else None)
            ctx.rel(RelType.OPERATES_IN, (Label.AGENCY, agency.id), (Label.REGION, region.id),
                    role=role)
            if region.country:
                self._country(region.country, ctx)
                ctx.rel(RelType.PART_OF, (Label.REGION, region.id),
                        (Label.COUNTRY, region.country.code), inferred=True)
        self._link_sectors(cells.get(Field.SECTOR, ""), role, (Label.AGENCY, agency.id),
                           RelType.FOCUSES_ON, ctx)

    def _country_participant(self, doc: Document, cells: dict[Field, str],
                             ctx: _RowContext) -> None:
        """A country's part in the document's (or the row's) operation."""
        countries = resolve_countries(cells[Field.COUNTRY])
        if not countries:
            raise ValueError(f"no country named in {cells[Field.COUNTRY]!r}")
        role = cells.get(Field.ROLE) or None
        impact = cells.get(Field.IMPACT) or None
        op_id = self._operation(self._document_operation(doc, cells), ctx,
                                year=_year(cells.get(Field.DATE, "")))
        for country in countries:
            self._country(country, ctx)
            ctx.rel(RelType.PARTICIPATED_IN, (Label.COUNTRY, country.code),
                    (Label.OPERATION, op_id), role=role, impact=impact)
        self._link_sectors(cells.get(Field.SECTOR, ""), " ".join(filter(None, (role, impact))),
                           (Label.OPERATION, op_id), RelType.TARGETS, ctx)

    def _participants(self, doc: Document, table: Table, r: Recognised, out: Extraction,
                      place: str, grid: list[tuple[str, ...]]) -> None:
        """Agency / role / impact rows of operations, built a column at a time.

        Participation tables are the long ones (a row per agency and
        operation), and their cells repeat: each column becomes a code per
        row for its distinct cleaned values, each distinct value (or
        combination of them) is resolved once, and rows are grouped by their
        codes with array operations. The result is what building the rows
        one by one gives: a row is rejected for its first bad cell (in column
        order, then agency, operation, sector), the others keep their
        evidence, and agencies resolve in row order.
        """
        rows = table.rows
        if not rows:
            return
        n = len(rows)
        errors: dict[int, str] = {}
        width = len(table.headers)
        if len(grid) > width:
            for i, row in enumerate(rows):
                ragged = _ragged(row, width)
                if ragged:
                    errors[i] = ragged
        blank = _Coded(np.zeros(n, dtype=np.int64), [""])
        columns: dict[Field, _Coded] = {}
        for f, index in r.columns.items():
            if index >= len(grid):
                columns[f] = blank
                continue
            columns[f] = self._clean_column(grid[index], table.headers[index], errors)

        def column(f: Field) -> _Coded:
            return columns.get(f, blank)

        # Agencies in the order rows name them, as the resolver learns from each;
        # with a country column, an agency is its name and its country.
        stated = Field.COUNTRY in columns
        named = (_combine(n, [columns[Field.AGENCY], columns[Field.COUNTRY]]) if stated
                 else columns[Field.AGENCY])
        agencies: dict[int, Agency] = {}
        homes: dict[int, Country | None] = {}
        bad: dict[int, str] = {}
        for code in _in_order_of_rows(named.codes, errors):
            try:
                if stated:
                    name, country = named.values[code]
                    homes[code] = _one_country(country)
                else:
                    name, homes[code] = named.values[code], None
                home = homes[code]
                agencies[code] = self.agencies.resolve(name, home.code if home else None)
            except (ValueError, UnknownValue) as exc:
                bad[code] = str(exc)
        _reject(errors, named.codes, bad)
        # the facts of each agency in its final state, once every name is known
        agency_facts = {code: self._agency_facts(a, homes[code]) for code, a in agencies.items()}

        default = (self.operation or caption_operation(table.caption)
                   or title_operation(doc.title) or doc.title)
        op_keys = _combine(n, [column(Field.OPERATION), column(Field.DATE)])
        operations: dict[int, NodeFact] = {}
        bad = {}
        for code, (name, date) in enumerate(op_keys.values):
            try:
                op_name, op_id = self._operation_name(name or default)
            except (ValueError, UnknownValue) as exc:
                bad[code] = str(exc)
                continue
            year = _year(date)
            props = {"name": op_name} if year is None else {"name": op_name, "year": year}
            operations[code] = (Label.OPERATION, op_id, props, None)
        _reject(errors, op_keys.codes, bad)
        part_keys = _combine(n, [column(Field.ROLE), column(Field.FUNCTION),
                                 column(Field.IMPACT), column(Field.SECTOR)])
        parts: dict[int, _Participation] = {}
        bad = {}
        for code, cells in enumerate(part_keys.values):
            try:
                parts[code] = self._participation(*cells)
            except (ValueError, UnknownValue) as exc:
                bad[code] = str(exc)
        _reject(errors, part_keys.codes, bad)

        for i in sorted(errors):
            out.errors.append(LoadError(doc.name, errors[i], line=rows[i].line))
        agency_codes, op_codes, part_codes = named.codes, op_keys.codes, part_keys.codes
        if errors:
            keep = np.ones(n, dtype=bool)
            keep[list(errors)] = False
            good = np.flatnonzero(keep)
            rows = list(map(rows.__getitem__, good.tolist()))
            agency_codes, op_codes, part_codes = (
                codes[good] for codes in (agency_codes, op_codes, part_codes))
        if not rows:
            return
        evidence = _evidence_column(place, table.index, rows)
        agency_ids, agency_id_codes = _node_ids(agency_codes, {
            code: a.id for code, a in agencies.items()})
        op_ids, op_id_codes = _node_ids(op_codes, {
            code: fact[1] for code, fact in operations.items()})

        grouped, source = out.grouped, out.source_id
        _group_nodes(grouped, source, evidence, agency_codes,
                     {code: facts[0] for code, facts in agency_facts.items()})
        _group_nodes(grouped, source, evidence, op_codes,
                     {code: [fact] for code, fact in operations.items()})
        _group_nodes(grouped, source, evidence, part_codes,
                     {code: p.nodes for code, p in parts.items()})
        props_of = [parts[code].props if code in parts else {}
                    for code in range(len(part_keys.values))]
        grouped.rel_columns(
            RelType.PARTICIPATED_IN, Label.AGENCY, Label.OPERATION, agency_ids, op_ids,
            list(map(props_of.__getitem__, part_codes.tolist())), evidence, source=source,
            codes=agency_id_codes * len(operations) + op_id_codes,
        )
        linked = np.zeros(len(named.values), dtype=bool)
        linked[[code for code, facts in agency_facts.items() if facts[1]]] = True
        if linked.any():
            by_type: dict[tuple[RelType, Label, Label], list[tuple[str, str, dict[str, Any], str]]]
            by_type = {}
            codes_of_rows = agency_codes.tolist()
            for j in np.flatnonzero(linked[agency_codes]).tolist():
                for rel, start, end, props in agency_facts[codes_of_rows[j]][1]:
                    by_type.setdefault((rel, start[0], end[0]), []).append(
                        (start[1], end[1], props, evidence[j]))
            for (rel, start_label, end_label), facts in by_type.items():
                grouped.rels(rel, start_label, end_label, facts, source)
        # a fact per row and sector of its part key
        for rel, start_label, start_ids, start_codes, sectors in (
            (RelType.TARGETS, Label.OPERATION, op_ids, op_id_codes,
             [[(sector, parts[code].targets_props) for sector in parts[code].targets]
              if code in parts else [] for code in range(len(part_keys.values))]),
            (RelType.FOCUSES_ON, Label.AGENCY, agency_ids, agency_id_codes,
             [[(sector, _INFERRED) for sector in parts[code].focus]
              if code in parts else [] for code in range(len(part_keys.values))]),
        ):
            fact_rows, items = _expand(part_codes, sectors)
            if not items:
                continue
            sector_ids = [sector for sector, _ in items]
            sector_code = {sector: i for i, sector in enumerate(dict.fromkeys(sector_ids))}
            end_codes = np.fromiter(map(sector_code.__getitem__, sector_ids), dtype=np.int64,
                                    count=len(sector_ids))
            at = fact_rows.tolist()
            grouped.rel_columns(
                rel, start_label, Label.CRIME_SECTOR, list(map(start_ids.__getitem__, at)),
                sector_ids, [props for _, props in items], list(map(evidence.__getitem__, at)),
                source=source, codes=start_codes[fact_rows] * len(sector_code) + end_codes,
            )
        out.rows_loaded += len(evidence)

    def _clean_column(self, raw: Sequence[str], header: str, errors: dict[int, str]) -> _Coded:
        """``raw`` cleaned (:meth:`_clean_cell`) as codes of its distinct values; a
        bad cell rejects its row and reads as empty."""
        first_rows, firsts = _first_rows(raw)
        index: dict[str, int] = {}
        code_at = np.zeros(len(raw), dtype=np.int64)  # the code of the value first at a row
        bad: dict[int, str] = {}
        for j in firsts:
            try:
                value = self._clean_cell(raw[j], header)
            except ValueError as exc:
                bad[j] = str(exc)
                value = ""
            code_at[j] = index.setdefault(value, len(index))
        _reject(errors, first_rows, bad)
        return _Coded(code_at[first_rows], list(index))

    def _participation(self, role: str, function: str, impact: str,
                       sector: str) -> _Participation:
        """What a participation row's role, impact and sector cells assert."""
        role_text = role or function or None
        impact_text = impact or None
        targets, targets_props = self._stated_or_inferred(
            sector, " ".join(filter(None, (role_text, impact_text))))
        focus, _ = self._stated_or_inferred("", role_text)
        props = {"role": role_text, "impact": impact_text}
        return _Participation(
            props={k: v for k, v in props.items() if v is not None},
            targets=[fact[1] for fact in targets],
            targets_props=targets_props,
            focus=[fact[1] for fact in focus],
            nodes=targets + focus,
        )

    def _operation_row(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        outcome = cells.get(Field.OUTCOME) or None
        op_id = self._operation(cells[Field.OPERATION], ctx, outcome=outcome,
                                year=_year(cells.get(Field.DATE, "")))
        for country in resolve_countries(cells.get(Field.COUNTRIES, "")):
            self._country(country, ctx)
            ctx.rel(RelType.PARTICIPATED_IN, (Label.COUNTRY, country.code),
                    (Label.OPERATION, op_id))
        for raw in self.agencies.split_list(cells.get(Field.AGENCIES, "")):
            agency = self._agency(raw, ctx)
            ctx.rel(RelType.PARTICIPATED_IN, (Label.AGENCY, agency.id), (Label.OPERATION, op_id))
        self._link_sectors(cells.get(Field.SECTOR, ""), outcome, (Label.OPERATION, op_id),
                           RelType.TARGETS, ctx)

    def _sector_row(self, doc: Document, cells: dict[Field, str], ctx: _RowContext) -> None:
        sector = resolve_sector(cells[Field.SECTOR])
        text = cells.get(Field.REVENUE) or None
        money = None
        if text:
            assert self._table is not None and self._recognised is not None
            header = self._table.headers[self._recognised.columns[Field.REVENUE]]
            money = parse_money_range(text, *_header_money(header))
        ctx.node(
            Label.CRIME_SECTOR, sector.id, name=sector.name, iccs=sector.iccs,
            annual_revenue=money.amount if money else None,
            annual_revenue_high=money.high if money else None,
            revenue_currency=money.currency if money else None,
            revenue_text=text,  # as written, also when it holds no amount ("Billions")
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
            sector = market_sector(header)
            assert sector is not None, header  # the recogniser takes market columns only
            ctx.node(Label.CRIME_SECTOR, sector.id, name=sector.name, iccs=sector.iccs)
            ctx.rel(RelType.HAS_MARKET, (Label.COUNTRY, country.code),
                    (Label.CRIME_SECTOR, sector.id), score=score, year=year)


@dataclass(frozen=True, slots=True)
class _Participation:
    """The facts of a participation row's role, impact and sector cells."""

    props: dict[str, Any]  # of PARTICIPATED_IN
    targets: list[str]  # sectors the operation TARGETS
    targets_props: dict[str, Any]
    focus: list[str]  # sectors the agency FOCUSES_ON
    nodes: list[NodeFact]


def _evidence(place: str, table: int, row: TableRow) -> str:
    """The evidence reference of a row: ``file:line (table T, row R)``."""
    if row.line:
        return f"{place}:{row.line} (table {table}, row {row.number})"
    return f"{place}#row{row.number} (table {table}, row {row.number})"


def _evidence_column(place: str, table: int, rows: Sequence[TableRow]) -> list[str]:
    """:func:`_evidence` of each of ``rows``, formatted in one pass when every row has a line."""
    lines = list(map(attrgetter("line"), rows))
    if not all(lines):
        return [_evidence(place, table, row) for row in rows]
    escaped = place.replace("{", "{{").replace("}", "}}")
    template = f"{escaped}:{{}} (table {table}, row {{}})"
    return list(map(template.format, lines, map(attrgetter("number"), rows)))


def _grid(rows: Sequence[TableRow]) -> list[tuple[str, ...]]:
    """The cells of ``rows`` as columns, short rows read as ending in empty cells."""
    return list(itertools.zip_longest(*[row.cells for row in rows], fillvalue=""))


def _ragged(row: TableRow, width: int) -> str | None:
    """Why a row with text past the table's ``width`` columns is rejected; None when it has none."""
    if len(row.cells) > width and any(c.strip() for c in row.cells[width:]):
        return f"row has {len(row.cells)} cells but the table has {width} columns"
    return None


@dataclass(frozen=True, slots=True)
class _Coded:
    """A column as a code per row: row ``i`` holds ``values[codes[i]]``."""

    codes: Ints
    values: list[Any]


def _first_rows(values: Sequence[Any]) -> tuple[Ints, list[int]]:
    """For each item of ``values``, the index where its value first appears;
    and those indexes in order."""
    first: dict[Any, int] = {}
    at = np.fromiter(map(first.setdefault, values, itertools.count()), dtype=np.int64,
                     count=len(values))
    return at, list(first.values())


def _combine(n: int, columns: Sequence[_Coded]) -> _Coded:
    """The ``n`` rows' tuples of the cells of ``columns``, coded."""
    codes = np.zeros(n, dtype=np.int64)
    values: list[tuple[Any, ...]] = [()]
    for column in columns:
        width = len(column.values)
        distinct, inverse = np.unique(codes * width + column.codes, return_inverse=True)
        codes = inverse.ravel()
        values = [(*values[k // width], column.values[k % width]) for k in distinct.tolist()]
    return _Coded(codes, values)


def _reject(errors: dict[int, str], codes: Ints, bad: dict[int, str]) -> None:
    """Each row whose code is a key of ``bad`` gets that reason unless it has one."""
    if bad:
        for i in np.flatnonzero(np.isin(codes, list(bad))).tolist():
            errors.setdefault(i, bad[int(codes[i])])


def _in_order_of_rows(codes: Ints, errors: dict[int, str]) -> list[int]:
    """The distinct codes of the rows without errors, in the order rows first hold them."""
    if errors:
        keep = np.ones(len(codes), dtype=bool)
        keep[list(errors)] = False
        codes = codes[keep]
    distinct, first = np.unique(codes, return_index=True)
    return list(distinct[np.argsort(first)].tolist())


def _node_ids(codes: Ints, id_of: dict[int, str]) -> tuple[list[str], Ints]:
    """The node id ``id_of[code]`` of each row, and a code per distinct id."""
    index: dict[str, int] = {}
    id_code = np.zeros(max(id_of, default=0) + 1, dtype=np.int64)
    for code, node_id in id_of.items():
        id_code[code] = index.setdefault(node_id, len(index))
    row_codes = id_code[codes]
    return list(map(list(index).__getitem__, row_codes.tolist())), row_codes


def _expand(codes: Ints, items_of: list[list[Any]]) -> tuple[Ints, list[Any]]:
    """A fact per row and item of ``items_of[codes[row]]``, in row order: the row
    of each fact and its item."""
    sizes = np.array([len(items) for items in items_of], dtype=np.int64)
    counts = sizes[codes]
    total = int(counts.sum())
    if not total:
        return np.empty(0, dtype=np.int64), []
    fact_rows = np.repeat(np.arange(len(codes)), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    flat = list(itertools.chain.from_iterable(items_of))
    at = (np.cumsum(sizes) - sizes)[codes[fact_rows]] + within
    return fact_rows, list(map(flat.__getitem__, at.tolist()))


def _group_nodes(grouped: Grouped, source: str, evidence: list[str], codes: Ints,
                 facts: dict[int, list[NodeFact]]) -> None:
    """Give ``grouped`` the node facts ``facts[codes[j]]`` of each row ``j``.

    A node keeps the evidence of the first row naming it, the latest value
    of each property and every list item, and each code always gives the
    same facts. So the first row of each code is enough, and for a node
    named by more than one code, the last row of each of those codes: the
    rows in between would change nothing.
    """
    n = len(codes)
    distinct, first = np.unique(codes, return_index=True)
    rows = set(first.tolist())
    naming = Counter((fact[0], fact[1]) for code in distinct.tolist() for fact in facts[code])
    if naming and max(naming.values()) > 1:
        _, from_end = np.unique(codes[::-1], return_index=True)
        last = (n - 1 - from_end).tolist()
        rows.update(
            last[i] for i, code in enumerate(distinct.tolist())
            if any(naming[(fact[0], fact[1])] > 1 for fact in facts[code])
        )
    row_codes = codes.tolist()
    for j in sorted(rows):
        for label, node_id, props, lists in facts[row_codes[j]]:
            grouped.node(label, node_id, props, source, evidence[j], lists)


_INFERRED: dict[str, Any] = {"inferred": True}
_STATED: dict[str, Any] = {"inferred": False}

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# a sector table's revenue header, read once for all its rows
_header_money = lru_cache(maxsize=256)(header_money)


@lru_cache(maxsize=4096)
def _year(text: str) -> int | None:
    """The first plausible year (1900-2099) in ``text``, e.g. "2023" or "(2023)"."""
    match = _YEAR.search(text)
    return int(match[0]) if match else None


def _one_country(text: str | None) -> Country | None:
    """The one country a cell names, None for an empty cell; ValueError for a list."""
    if not text:
        return None
    countries = resolve_countries(text)
    if len(countries) > 1:
        raise ValueError(f"expected one country, found {text!r}")
    return countries[0] if countries else None


def _unused_columns(table: Table, r: Recognised) -> tuple[str, ...]:
    """Headers of the columns of a recognised table that no field reads."""
    used = set(r.columns.values()) | set(r.markets)
    return tuple(h for i, h in enumerate(table.headers) if i not in used and h.strip())


def brief_headers(headers: Sequence[str], shown: int = 12) -> tuple[list[str], int]:
    """The headers a message shows (the first dozen, each cut at 60 characters) and
    how many it leaves out."""
    brief = [h if len(h) <= 60 else h[:60] + "..." for h in headers[:shown]]
    return brief, max(0, len(headers) - shown)


def _shown_headers(headers: Sequence[str]) -> str:
    brief, more = brief_headers(headers)
    return f"{brief} and {more} more" if more else str(brief)


def describe_unknown_table(doc: Document, table: SkippedTable) -> str:
    """Help for a table no shape fits: its headers, the known shapes, a mapping example."""
    shapes = "\n".join(f"  - {s}" for s in KNOWN_SHAPES)
    example = json.dumps(
        {h: f.value for h, f in zip(brief_headers(table.headers)[0], EXAMPLE_FIELDS,
                                    strict=False)},
        ensure_ascii=False,
    )
    return (
        f"table {table.index} (line {table.line}) with headers {_shown_headers(table.headers)} "
        f"matches no known shape:\n{shapes}\n"
        f"map its headers onto fields with --mapping FILE, a JSON object such as {example}"
    )
