"""Crime sectors: the operations against them, the agencies focused on them, the
countries involved and the countries' market scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.model import Label, RelType
from graph.store import GraphStore
from queries.lookup import check_page, find_sector

SECTORS = (
    f"MATCH (s:{Label.CRIME_SECTOR}) "
    "RETURN s.id AS id, s.name AS name, s.iccs AS iccs, s.annual_revenue AS annual_revenue, "
    "s.annual_revenue_high AS annual_revenue_high, s.revenue_currency AS revenue_currency, "
    f"size([(o:{Label.OPERATION})-[:{RelType.TARGETS}]->(s) | o.id]) AS operations, "
    f"size([(a:{Label.AGENCY})-[:{RelType.FOCUSES_ON}]->(s) | a.id]) AS agencies, "
    f"size([(c:{Label.COUNTRY})-[:{RelType.HAS_MARKET}]->(s) | c.id]) AS markets "
    "ORDER BY name SKIP $offset LIMIT $limit"
)

SECTOR = (
    f"MATCH (s:{Label.CRIME_SECTOR} {{id: $id}}) "
    "RETURN s.id AS id, s.name AS name, s.iccs AS iccs, s.annual_revenue AS annual_revenue, "
    "s.annual_revenue_high AS annual_revenue_high, s.revenue_currency AS revenue_currency, "
    "s.revenue_text AS revenue_text, "
    "s.disruptions AS disruptions, coalesce(s.sources, []) AS sources"
)

SECTOR_OPERATIONS = (
    f"MATCH (o:{Label.OPERATION})-[r:{RelType.TARGETS}]->(s:{Label.CRIME_SECTOR} {{id: $id}}) "
    "RETURN o.id AS id, o.name AS name, o.year AS year, coalesce(r.inferred, false) AS inferred "
    "ORDER BY name"
)

SECTOR_AGENCIES = (
    f"MATCH (a:{Label.AGENCY})-[r:{RelType.FOCUSES_ON}]->(s:{Label.CRIME_SECTOR} {{id: $id}}) "
    "RETURN a.id AS id, a.name AS name, a.country AS country, "
    "coalesce(r.inferred, false) AS inferred ORDER BY name"
)

# Countries involved in operations against the sector (directly or through
# one of their agencies), with how many such operations.
SECTOR_COUNTRIES = (
    f"MATCH (o:{Label.OPERATION})-[:{RelType.TARGETS}]->(:{Label.CRIME_SECTOR} {{id: $id}}) "
    f"MATCH (x)-[:{RelType.PARTICIPATED_IN}]->(o) "
    f"WITH o, CASE WHEN x:{Label.COUNTRY} THEN x.id ELSE x.country END AS code "
    "WHERE code IS NOT NULL "
    "WITH code, count(DISTINCT o) AS operations "
    f"MATCH (c:{Label.COUNTRY} {{id: code}}) "
    "RETURN c.id AS code, c.name AS name, operations ORDER BY operations DESC, name"
)

SECTOR_MARKETS = (
    f"MATCH (c:{Label.COUNTRY})-[m:{RelType.HAS_MARKET}]->(s:{Label.CRIME_SECTOR} {{id: $id}}) "
    "RETURN c.id AS code, c.name AS name, m.score AS score, m.year AS year, "
    "coalesce(m.sources, []) AS sources ORDER BY score DESC, name"
)


@dataclass(slots=True)
class SectorSummary:
    id: str
    name: str
    iccs: str | None
    annual_revenue: float | None  # the low end of a range ("$30-50 billion")
    annual_revenue_high: float | None  # its high end; None for one figure
    revenue_currency: str | None
    operations: int
    agencies: int
    markets: int


@dataclass(slots=True)
class SectorDetail:
    id: str
    name: str
    iccs: str | None
    annual_revenue: float | None  # the low end of a range ("$30-50 billion")
    annual_revenue_high: float | None  # its high end; None for one figure
    revenue_currency: str | None
    revenue_text: str | None
    disruptions: str | None
    sources: list[str]
    operations: list[dict[str, Any]] = field(default_factory=list)
    agencies: list[dict[str, Any]] = field(default_factory=list)
    countries: list[dict[str, Any]] = field(default_factory=list)
    markets: list[dict[str, Any]] = field(default_factory=list)


def list_sectors(store: GraphStore, *, limit: int = 100, offset: int = 0) -> list[SectorSummary]:
    """Every crime sector with its ICCS code, revenue and counts of what links to it."""
    check_page(limit, offset)
    return [
        SectorSummary(
            id=r["id"], name=r["name"], iccs=r["iccs"], annual_revenue=r["annual_revenue"],
            annual_revenue_high=r["annual_revenue_high"],
            revenue_currency=r["revenue_currency"], operations=int(r["operations"]),
            agencies=int(r["agencies"]), markets=int(r["markets"]),
        )
        for r in store.read(SECTORS, {"limit": limit, "offset": offset})
    ]


def sector_detail(store: GraphStore, ref: str) -> SectorDetail:
    """A sector (id, name or synonym) with operations, agencies, countries and market scores."""
    found = find_sector(store, ref, field="ref")
    params = {"id": found.id}
    row = store.read(SECTOR, params)[0]
    return SectorDetail(
        id=row["id"], name=row["name"], iccs=row["iccs"], annual_revenue=row["annual_revenue"],
        annual_revenue_high=row["annual_revenue_high"],
        revenue_currency=row["revenue_currency"], revenue_text=row["revenue_text"],
        disruptions=row["disruptions"], sources=list(row["sources"]),
        operations=store.read(SECTOR_OPERATIONS, params),
        agencies=store.read(SECTOR_AGENCIES, params),
        countries=store.read(SECTOR_COUNTRIES, params),
        markets=store.read(SECTOR_MARKETS, params),
    )
