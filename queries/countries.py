"""Countries: their agencies and operations, and which countries cooperate with them.

A country takes part in an operation when it is listed among the countries
involved, or when one of its agencies (by home country) took part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.model import Label, RelType
from graph.store import GraphStore
from queries.lookup import Ref, check_page, find_country, find_sector

COUNTRIES = (
    f"MATCH (c:{Label.COUNTRY}) "
    f"OPTIONAL MATCH (a:{Label.AGENCY}) WHERE a.country = c.id "
    "WITH c, count(a) AS agencies "
    f"RETURN c.id AS code, c.name AS name, agencies, "
    f"size([(c)-[:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION}) | o.id]) AS operations, "
    f"size([(c)-[:{RelType.HAS_MARKET}]->(s:{Label.CRIME_SECTOR}) | s.id]) AS markets "
    "ORDER BY name SKIP $offset LIMIT $limit"
)

COUNTRY = (
    f"MATCH (c:{Label.COUNTRY} {{id: $code}}) "
    "RETURN c.id AS code, c.name AS name, coalesce(c.sources, []) AS sources"
)

COUNTRY_AGENCIES = (
    f"MATCH (a:{Label.AGENCY}) WHERE a.country = $code "
    "RETURN a.id AS id, a.name AS name, a.acronym AS acronym ORDER BY name"
)

COUNTRY_REGIONS = (
    f"MATCH (g:{Label.REGION})-[:{RelType.PART_OF}]->(c:{Label.COUNTRY} {{id: $code}}) "
    "RETURN g.id AS id, g.name AS name ORDER BY name"
)

# Operations a country took part in, directly or through one of its agencies.
COUNTRY_OPERATIONS = (
    f"MATCH (x)-[:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION}) "
    f"WHERE (x:{Label.COUNTRY} AND x.id = $code) OR (x:{Label.AGENCY} AND x.country = $code) "
    "WITH DISTINCT o "
    "RETURN o.id AS id, o.name AS name, o.year AS year ORDER BY name"
)

COUNTRY_MARKETS = (
    f"MATCH (c:{Label.COUNTRY} {{id: $code}})-[m:{RelType.HAS_MARKET}]->(s:{Label.CRIME_SECTOR}) "
    "RETURN s.id AS id, s.name AS name, m.score AS score, m.year AS year ORDER BY name"
)

# Countries sharing operations with $code, how often and on which sectors.
COOPERATION = (
    f"MATCH (x)-[:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION}) "
    f"WHERE (x:{Label.COUNTRY} AND x.id = $code) OR (x:{Label.AGENCY} AND x.country = $code) "
    "WITH DISTINCT o "
    f"WHERE $sector IS NULL OR (o)-[:{RelType.TARGETS}]->(:{Label.CRIME_SECTOR} {{id: $sector}}) "
    f"MATCH (y)-[:{RelType.PARTICIPATED_IN}]->(o) "
    f"WITH o, CASE WHEN y:{Label.COUNTRY} THEN y.id ELSE y.country END AS other "
    "WHERE other IS NOT NULL AND other <> $code "
    "WITH DISTINCT other, o "
    f"MATCH (d:{Label.COUNTRY} {{id: other}}) "
    f"OPTIONAL MATCH (o)-[:{RelType.TARGETS}]->(s:{Label.CRIME_SECTOR}) "
    "WITH d, collect(DISTINCT {id: o.id, name: o.name, year: o.year}) AS operations, "
    "collect(DISTINCT s.name) AS sectors "
    "RETURN d.id AS code, d.name AS name, size(operations) AS weight, operations, sectors "
    "ORDER BY weight DESC, name SKIP $offset LIMIT $limit"
)


@dataclass(slots=True)
class CountrySummary:
    code: str
    name: str
    agencies: int
    operations: int
    markets: int


@dataclass(slots=True)
class CountryDetail:
    code: str
    name: str
    sources: list[str]
    agencies: list[dict[str, Any]] = field(default_factory=list)
    regions: list[dict[str, Any]] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)
    markets: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class PartnerCountry:
    code: str
    name: str
    weight: int
    operations: list[dict[str, Any]]
    sectors: list[str]


def list_countries(store: GraphStore, *, limit: int = 300, offset: int = 0) -> list[
    CountrySummary
]:
    """Every country in the graph with its agency, operation and market counts."""
    check_page(limit, offset)
    return [
        CountrySummary(r["code"], r["name"], int(r["agencies"]), int(r["operations"]),
                       int(r["markets"]))
        for r in store.read(COUNTRIES, {"limit": limit, "offset": offset})
    ]


def country_detail(store: GraphStore, ref: str) -> CountryDetail:
    """A country (code, name or alias) with its agencies, regions, operations and markets."""
    found = find_country(store, ref, field="code")
    params = {"code": found.id}
    row = store.read(COUNTRY, params)[0]
    return CountryDetail(
        code=row["code"], name=row["name"], sources=list(row["sources"]),
        agencies=store.read(COUNTRY_AGENCIES, params),
        regions=store.read(COUNTRY_REGIONS, params),
        operations=store.read(COUNTRY_OPERATIONS, params),
        markets=store.read(COUNTRY_MARKETS, params),
    )


def country_partners(
    store: GraphStore, ref: str, *, sector: str | None = None, limit: int = 100,
    offset: int = 0,
) -> tuple[Ref, list[PartnerCountry]]:
    """Countries that shared operations with ``ref``, most shared first, with the
    operations and the sectors they targeted; ``sector`` keeps only operations
    against that sector."""
    check_page(limit, offset)
    found = find_country(store, ref, field="code")
    sector_id = find_sector(store, sector).id if sector else None
    rows = store.read(COOPERATION, {"code": found.id, "sector": sector_id, "limit": limit,
                                    "offset": offset})
    return found, [
        PartnerCountry(
            code=r["code"], name=r["name"], weight=int(r["weight"]),
            operations=sorted((dict(o) for o in r["operations"]), key=lambda o: str(o["name"])),
            sectors=sorted(s for s in r["sectors"] if s is not None),
        )
        for r in rows
    ]
