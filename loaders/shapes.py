"""Which kind of table is this? Shapes are recognised from headers by synonyms.

Header matching folds case, spacing and punctuation. A table whose headers
match no shape is reported as skipped with its headers, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph.model import fold


class Field(StrEnum):
    AGENCY = "agency"
    FUNCTION = "function"
    AREA = "area"
    ROLE = "role"
    IMPACT = "impact"
    OPERATION = "operation"
    COUNTRIES = "countries"
    OUTCOME = "outcome"
    DATE = "date"
    AGENCIES = "agencies"
    SECTOR = "sector"
    REVENUE = "revenue"
    DISRUPTIONS = "disruptions"
    INDICATOR = "indicator"
    BEFORE = "before"
    AFTER = "after"
    COUNTRY = "country"  # the key column of a wide country table


class Shape(StrEnum):
    AGENCY_AREAS = "agency-areas"  # agency / function / operational area
    PARTICIPANTS = "participants"  # agency / role / impact (of the document's operation)
    OPERATIONS = "operations"  # operation / countries / outcome
    SECTORS = "sectors"  # crime sector / revenue / disruptions
    METRICS = "metrics"  # indicator / before / after
    MARKETS = "markets"  # wide: one row per country, one numeric column per crime sector


SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.AGENCY: ("agency", "agencies involved", "law enforcement agency", "organization",
                   "organisation", "partner agency", "participating agency", "unit", "department"),
    Field.FUNCTION: ("primary function", "function", "main function", "responsibility",
                     "responsibilities", "mission", "primary role"),
    Field.AREA: ("operational area", "area", "area of operation", "area of operations",
                 "operating area", "region", "jurisdiction", "location", "coverage"),
    Field.ROLE: ("role", "role in operation", "task", "contribution"),
    Field.IMPACT: ("operational impact", "impact", "result", "results", "achievement",
                   "achievements"),
    Field.OPERATION: ("operation", "operation name", "joint operation", "project", "campaign",
                      "initiative name"),
    Field.COUNTRIES: ("countries involved", "countries", "participating countries", "country",
                      "nations", "nations involved", "partner countries"),
    Field.OUTCOME: ("outcome", "outcomes", "result", "results", "key outcome"),
    Field.DATE: ("date", "year", "when", "period"),
    Field.AGENCIES: ("agencies", "agencies involved", "participating agencies", "partners"),
    Field.SECTOR: ("crime sector", "sector", "crime type", "crime", "criminal market", "market"),
    Field.REVENUE: ("estimated annual revenue", "annual revenue", "revenue", "estimated revenue",
                    "estimated value", "annual value"),
    Field.DISRUPTIONS: ("targeted financial disruptions", "disruptions", "financial disruptions",
                        "countermeasures", "measures"),
    Field.INDICATOR: ("indicator", "metric", "measure"),
    Field.BEFORE: ("before operation", "before", "pre operation", "baseline"),
    Field.AFTER: ("after operation", "after", "post operation"),
    Field.COUNTRY: ("country", "country name", "nation", "state", "jurisdiction"),
}

# Fields each shape needs; the first shape whose fields are all present wins.
REQUIRED: tuple[tuple[Shape, frozenset[Field]], ...] = (
    (Shape.OPERATIONS, frozenset({Field.OPERATION, Field.COUNTRIES})),
    (Shape.OPERATIONS, frozenset({Field.OPERATION, Field.AGENCIES})),
    (Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.IMPACT})),
    (Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.ROLE, Field.OPERATION})),
    (Shape.AGENCY_AREAS, frozenset({Field.AGENCY, Field.AREA})),
    (Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.ROLE})),
    (Shape.SECTORS, frozenset({Field.SECTOR, Field.REVENUE})),
    (Shape.METRICS, frozenset({Field.INDICATOR, Field.BEFORE, Field.AFTER})),
)

KNOWN_SHAPES = (
    "agency / primary function / operational area",
    "agency / role / operational impact (participants of the document's operation)",
    "operation / countries involved / outcome [/ date / agencies / crime sector]",
    "crime sector / estimated annual revenue / targeted disruptions",
    "indicator / before / after (metrics of the document's operation)",
    "country / one numeric column per crime sector or market [/ year] (wide country table)",
)
EXAMPLE_FIELDS = (Field.AGENCY, Field.ROLE, Field.IMPACT, Field.OPERATION)


@dataclass(frozen=True, slots=True)
class Recognised:
    shape: Shape
    columns: dict[Field, int]  # field -> column index
    markets: tuple[int, ...] = ()  # wide tables: the numeric columns, one sector each


def _candidates(header: str) -> list[Field]:
    key = fold(header)
    mapped = [f for f in Field if key == f.value]  # e.g. a header a --mapping file renamed
    return mapped + [f for f, names in SYNONYMS.items() if key in names and f not in mapped]


def apply_mapping(headers: tuple[str, ...], mapping: dict[str, str]) -> tuple[str, ...]:
    """Headers renamed by a user mapping ``{header: field}`` (headers matched folded)."""
    folded = {fold(k): v for k, v in mapping.items()}
    return tuple(folded.get(fold(h), h) for h in headers)


def check_mapping(mapping: dict[str, str]) -> None:
    """Raise ValueError naming a mapping target that is no known field."""
    known = {f.value for f in Field}
    for header, target in mapping.items():
        if target not in known:
            raise ValueError(
                f"mapping of {header!r} names unknown field {target!r}; known fields: "
                f"{', '.join(sorted(known))}"
            )


def _mostly_numeric(rows: list[tuple[str, ...]], index: int) -> bool:
    from loaders.normalise import parse_number

    values = [r[index] for r in rows if index < len(r) and r[index].strip()]
    if not values:
        return False
    numeric = sum(parse_number(v) is not None for v in values)
    return numeric >= 0.6 * len(values)


def recognise_wide(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Recognised | None:
    """A wide country table: a country column and numeric columns (one per sector)."""
    options = [_candidates(h) for h in headers]
    country = next((i for i, o in enumerate(options) if Field.COUNTRY in o), None)
    if country is None:
        return None
    year = next((i for i, o in enumerate(options) if fold(headers[i]) == "year"), None)
    markets = tuple(
        i for i, h in enumerate(headers)
        if i not in (country, year) and h.strip() and _mostly_numeric(rows, i)
    )
    if not markets:
        return None
    columns = {Field.COUNTRY: country}
    if year is not None:
        columns[Field.DATE] = year
    return Recognised(Shape.MARKETS, columns, markets)


def recognise(
    headers: tuple[str, ...], rows: list[tuple[str, ...]] | None = None
) -> Recognised | None:
    """The shape of a table with these headers, or None when it is not graph data.

    ``rows`` (cell tuples) let a wide country table be told by its numbers.
    """
    found = _recognise_headers(headers)
    if found is None and rows is not None:
        return recognise_wide(headers, rows)
    return found


def _recognise_headers(headers: tuple[str, ...]) -> Recognised | None:
    options = [_candidates(h) for h in headers]
    for shape, needed in REQUIRED:
        columns: dict[Field, int] = {}
        for index, fields in enumerate(options):
            for f in fields:
                if f not in columns and (f in needed or f in _OPTIONAL[shape]):
                    columns[f] = index
                    break
        if needed <= columns.keys():
            return Recognised(shape, columns)
    return None


_OPTIONAL: dict[Shape, frozenset[Field]] = {
    Shape.OPERATIONS: frozenset({Field.OUTCOME, Field.DATE, Field.AGENCIES, Field.SECTOR}),
    Shape.PARTICIPANTS: frozenset({Field.ROLE, Field.FUNCTION, Field.OPERATION, Field.DATE,
                                   Field.SECTOR}),
    Shape.AGENCY_AREAS: frozenset({Field.FUNCTION, Field.ROLE, Field.SECTOR}),
    Shape.SECTORS: frozenset({Field.DISRUPTIONS}),
    Shape.METRICS: frozenset({Field.OPERATION}),
    Shape.MARKETS: frozenset(),
}
