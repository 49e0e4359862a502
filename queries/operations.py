"""Joint operations: list with filters, and detail with everything that took part."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graph.model import Label, RelType, fold
from graph.store import GraphStore
from queries.agencies import find_agency
from queries.lookup import check_page, find_country, find_operation, find_sector

_OPERATION_FIELDS = (
    "RETURN o.id AS id, o.name AS name, o.year AS year, o.outcome AS outcome, "
    f"size([(x:{Label.AGENCY})-[:{RelType.PARTICIPATED_IN}]->(o) | x.id]) AS agencies, "
    f"[(c:{Label.COUNTRY})-[:{RelType.PARTICIPATED_IN}]->(o) | c.id] AS countries, "
    f"[(o)-[:{RelType.TARGETS}]->(s:{Label.CRIME_SECTOR}) | s.id] AS sectors "
    "ORDER BY name SKIP $offset LIMIT $limit"
)
_FILTERS = {
    "agency": f"(:{Label.AGENCY} {{id: $agency}})-[:{RelType.PARTICIPATED_IN}]->(o)",
    "country": f"(:{Label.COUNTRY} {{id: $country}})-[:{RelType.PARTICIPATED_IN}]->(o)",
    "sector": f"(o)-[:{RelType.TARGETS}]->(:{Label.CRIME_SECTOR} {{id: $sector}})",
}


@cache
def operations_query(agency: bool, country: bool, sector: bool, text: bool, year: bool) -> str:
    """The operation list for the filters in use, starting from the most selective node.

    An agency or country filter starts the match at that node (an index
    lookup) instead of testing every operation; the text filter folds like
    agency search ("sentinel" finds "Project Sentinel").
    """
    used = [name for name, on in (("agency", agency), ("country", country), ("sector", sector))
            if on]
    match = f"MATCH {_FILTERS[used[0]]} " if used else ""
    match = match.replace("->(o)", f"->(o:{Label.OPERATION})")
    match = match.replace("(o)-", f"(o:{Label.OPERATION})-")
    if not used:
        match = f"MATCH (o:{Label.OPERATION}) "
    where = [_FILTERS[name] for name in used[1:]]
    if text:
        where.append("(toLower(o.name) CONTAINS $q OR o.id CONTAINS $q_id)")
    if year:
        where.append("o.year = $year")
    return match + (f"WHERE {' AND '.join(where)} " if where else "") + _OPERATION_FIELDS


OPERATION = (
    f"MATCH (o:{Label.OPERATION} {{id: $id}}) "
    "RETURN o.id AS id, o.name AS name, o.year AS year, o.outcome AS outcome, "
    "coalesce(o.metrics, []) AS metrics, coalesce(o.sources, []) AS sources, "
    "coalesce(o.evidence, []) AS evidence"
)

OPERATION_AGENCIES = (
    f"MATCH (a:{Label.AGENCY})-[r:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION} {{id: $id}}) "
    "RETURN a.id AS id, a.name AS name, a.acronym AS acronym, a.country AS country, "
    "r.role AS role, r.impact AS impact, coalesce(r.sources, []) AS sources, "
    "coalesce(r.evidence, []) AS evidence ORDER BY name"
)

OPERATION_COUNTRIES = (
    f"MATCH (c:{Label.COUNTRY})-[r:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION} {{id: $id}}) "
    "RETURN c.id AS code, c.name AS name, r.role AS role, r.impact AS impact, "
    "coalesce(r.sources, []) AS sources, coalesce(r.evidence, []) AS evidence ORDER BY name"
)

OPERATION_SECTORS = (
    f"MATCH (o:{Label.OPERATION} {{id: $id}})-[r:{RelType.TARGETS}]->(s:{Label.CRIME_SECTOR}) "
    "RETURN s.id AS id, s.name AS name, s.iccs AS iccs, coalesce(r.inferred, false) AS inferred, "
    "coalesce(r.sources, []) AS sources ORDER BY name"
)


@dataclass(slots=True)
class OperationSummary:
    id: str
    name: str
    year: int | None
    outcome: str | None
    agencies: int
    countries: list[str]
    sectors: list[str]


@dataclass(slots=True)
class OperationDetail:
    id: str
    name: str
    year: int | None
    outcome: str | None
    agencies: list[dict[str, Any]] = field(default_factory=list)
    countries: list[dict[str, Any]] = field(default_factory=list)
    sectors: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def list_operations(
    store: GraphStore, q: str = "", *, country: str | None = None, agency: str | None = None,
    sector: str | None = None, year: int | None = None, limit: int = 50, offset: int = 0,
) -> list[OperationSummary]:
    """Operations by name, narrowed by a country or agency that took part, a sector
    they targeted or their year. Unknown filter values raise ``NotFound``."""
    check_page(limit, offset)
    key = fold(q)
    params = {
        "q": " ".join(q.lower().split()) if key else "",
        "q_id": key.replace(" ", "-"),
        "year": year,
        "country": find_country(store, country).id if country else None,
        "agency": find_agency(store, agency, field="agency").id if agency else None,
        "sector": find_sector(store, sector).id if sector else None,
        "limit": limit,
        "offset": offset,
    }
    query = operations_query(params["agency"] is not None, params["country"] is not None,
                             params["sector"] is not None, bool(key), year is not None)
    rows = store.read(query, params)
    return [
        OperationSummary(
            id=r["id"], name=r["name"], year=r["year"], outcome=r["outcome"],
            agencies=int(r["agencies"]), countries=sorted(r["countries"]),
            sectors=sorted(r["sectors"]),
        )
        for r in rows
    ]


def _metric(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"indicator": text}
    return value if isinstance(value, dict) else {"indicator": text}


def operation_detail(store: GraphStore, ref: str) -> OperationDetail:
    """An operation with its agencies (role, impact), countries, sectors, metrics and sources."""
    found = find_operation(store, ref, field="ref")
    params = {"id": found.id}
    row = store.read(OPERATION, params)[0]
    return OperationDetail(
        id=row["id"], name=row["name"], year=row["year"], outcome=row["outcome"],
        agencies=store.read(OPERATION_AGENCIES, params),
        countries=store.read(OPERATION_COUNTRIES, params),
        sectors=store.read(OPERATION_SECTORS, params),
        metrics=sorted((_metric(m) for m in row["metrics"]),
                       key=lambda m: str(m.get("indicator", ""))),
        sources=list(row["sources"]),
        evidence=list(row["evidence"]),
    )
