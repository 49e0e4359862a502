"""Agencies: lookup by id, name, acronym or alias; search; partners."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.errors import InvalidInput, NotFound
from graph.model import Label, RelType, fold, slug
from graph.store import GraphStore
from queries.lookup import (
    check_page,
    closest,
    find_country,
    find_region,
    find_sector,
)

_AGENCY_FIELDS = (
    "a.id AS id, a.name AS name, a.acronym AS acronym, a.country AS country, "
    "coalesce(a.aliases, []) AS aliases, coalesce(a.sources, []) AS sources"
)

# A reference matches an agency by exact id, else by any folded key (name,
# acronym, alias), so lookups are case-, accent- and punctuation-insensitive.
# Both are index lookups; two queries keep each one simple enough to use them.
AGENCY_BY_ID = f"MATCH (a:{Label.AGENCY} {{id: $id}}) RETURN {_AGENCY_FIELDS}"
AGENCY_BY_KEY = (
    f"MATCH (a:{Label.AGENCY}) WHERE $key IN a.keys RETURN {_AGENCY_FIELDS} ORDER BY a.name"
)

AGENCY_NAMES = f"MATCH (a:{Label.AGENCY}) RETURN a.id AS id, a.name AS name, a.acronym AS acronym"

AGENCY_PARENT = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[:{RelType.PART_OF}]->(p:{Label.AGENCY}) "
    "RETURN p.id AS id, p.name AS name"
)

AGENCY_OFFICES = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})<-[:{RelType.PART_OF}]-(o:{Label.AGENCY}) "
    "RETURN o.id AS id, o.name AS name ORDER BY name"
)

AGENCY_REGIONS = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[r:{RelType.OPERATES_IN}]->(g:{Label.REGION}) "
    "RETURN g.id AS id, g.name AS name, r.role AS role, g.country AS country ORDER BY name"
)

AGENCY_OPERATIONS = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[r:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION}) "
    "RETURN o.id AS id, o.name AS name, r.role AS role, r.impact AS impact, o.year AS year "
    "ORDER BY name"
)

AGENCY_SECTORS = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[r:{RelType.FOCUSES_ON}]->(s:{Label.CRIME_SECTOR}) "
    "RETURN s.id AS id, s.name AS name, coalesce(r.inferred, false) AS inferred ORDER BY name"
)

SEARCH_AGENCIES = (
    f"MATCH (a:{Label.AGENCY}) "
    "WHERE ($q = '' OR any(k IN a.keys WHERE k CONTAINS $q)) "
    "AND ($ids IS NULL OR a.id IN $ids) "
    "AND ($country IS NULL OR a.country = $country) "
    f"AND ($region IS NULL OR (a)-[:{RelType.OPERATES_IN}]->(:{Label.REGION} {{id: $region}})) "
    f"AND ($sector IS NULL OR "
    f"(a)-[:{RelType.FOCUSES_ON}]->(:{Label.CRIME_SECTOR} {{id: $sector}})) "
    f"RETURN {_AGENCY_FIELDS} ORDER BY a.name SKIP $offset LIMIT $limit"
)

# Partners without an operation filter come from the derived PARTNERS_WITH
# edges (rebuilt in one transaction after every load): one edge per partner,
# then the page's operations by id.
PARTNERS_DERIVED = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[p:{RelType.PARTNERS_WITH}]-(b:{Label.AGENCY}) "
    "WHERE a <> b AND p.weight >= $min_weight AND ($country IS NULL OR b.country = $country) "
    "WITH b, p ORDER BY p.weight DESC, b.name SKIP $offset LIMIT $limit "
    "UNWIND p.operations AS op_id "
    f"MATCH (o:{Label.OPERATION} {{id: op_id}}) "
    "WITH b, p, collect({id: o.id, name: o.name, year: o.year}) AS operations "
    "RETURN b.id AS id, b.name AS name, b.acronym AS acronym, b.country AS country, "
    "p.weight AS weight, operations, [p.sources] AS source_lists, "
    "p.first_year AS first_year, p.last_year AS last_year "
    "ORDER BY weight DESC, name"
)

# With a sector or a time window, partners are computed from participation.
# Filters: the partner's home country, a sector the shared operation targets,
# the operation's year (operations without a year drop out of a time window)
# and a minimum number of shared operations.
PARTNERS = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[ra:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION})"
    f"<-[rb:{RelType.PARTICIPATED_IN}]-(b:{Label.AGENCY}) "
    "WHERE a <> b "
    "AND ($country IS NULL OR b.country = $country) "
    f"AND ($sector IS NULL OR (o)-[:{RelType.TARGETS}]->(:{Label.CRIME_SECTOR} {{id: $sector}})) "
    "AND ($year_from IS NULL OR o.year >= $year_from) "
    "AND ($year_to IS NULL OR o.year <= $year_to) "
    "WITH b, collect(DISTINCT {id: o.id, name: o.name, year: o.year}) AS operations, "
    "collect(ra.sources) + collect(rb.sources) AS source_lists, "
    "min(o.year) AS first_year, max(o.year) AS last_year "
    "WITH b, operations, source_lists, first_year, last_year, size(operations) AS weight "
    "WHERE weight >= $min_weight "
    "RETURN b.id AS id, b.name AS name, b.acronym AS acronym, b.country AS country, "
    "weight, operations, source_lists, first_year, last_year "
    "ORDER BY weight DESC, name SKIP $offset LIMIT $limit"
)

SHARED_OPERATIONS = (
    f"MATCH (a:{Label.AGENCY} {{id: $a}})-[ra:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION})"
    f"<-[rb:{RelType.PARTICIPATED_IN}]-(b:{Label.AGENCY} {{id: $b}}) "
    "RETURN o.id AS id, o.name AS name, o.year AS year, o.outcome AS outcome, "
    "ra.role AS role_a, ra.impact AS impact_a, rb.role AS role_b, rb.impact AS impact_b, "
    "coalesce(ra.sources, []) + coalesce(rb.sources, []) AS sources, "
    "coalesce(ra.evidence, []) + coalesce(rb.evidence, []) AS evidence "
    "ORDER BY name"
)


@dataclass(slots=True)
class AgencySummary:
    id: str
    name: str
    acronym: str | None
    country: str | None
    aliases: list[str]
    sources: list[str]
    match: str = "exact"


@dataclass(slots=True)
class AgencyDetail(AgencySummary):
    parent: dict[str, str] | None = None
    offices: list[dict[str, str]] = field(default_factory=list)
    regions: list[dict[str, Any]] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)
    sectors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Partner:
    id: str
    name: str
    acronym: str | None
    country: str | None
    weight: int
    operations: list[dict[str, Any]]
    sources: list[str]
    first_year: int | None = None
    last_year: int | None = None


@dataclass(frozen=True, slots=True)
class PartnerFilters:
    """Narrow an agency's partners: partner's country, operation sector and years."""

    country: str | None = None
    sector: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_weight: int = 1


@dataclass(slots=True)
class SharedOperation:
    id: str
    name: str
    year: int | None
    outcome: str | None
    roles: dict[str, str | None]
    impacts: dict[str, str | None]
    sources: list[str]
    evidence: list[str]


def _summary(row: dict[str, Any], match: str = "exact") -> AgencySummary:
    return AgencySummary(
        id=row["id"], name=row["name"], acronym=row["acronym"], country=row["country"],
        aliases=list(row["aliases"]), sources=list(row["sources"]), match=match,
    )


def _closest(store: GraphStore, ref: str, limit: int) -> list[tuple[str, str]]:
    """(id, name) of the agencies closest to ``ref`` (name, acronym or id), best first."""
    names: dict[str, str] = {}
    choices: dict[str, str] = {}
    for row in store.read(AGENCY_NAMES):
        names[row["id"]] = row["name"]
        for value in (row["name"], row["acronym"], row["id"]):
            if value:
                choices.setdefault(fold(str(value)), row["id"])
    return [(i, names[i]) for i in closest(choices, ref, limit)]


def suggest_agencies(store: GraphStore, ref: str, limit: int = 5) -> list[str]:
    """Names of the agencies closest to ``ref`` (by name, acronym or id)."""
    return [name for _id, name in _closest(store, ref, limit)]


def find_agency(store: GraphStore, ref: str, field: str = "ref") -> AgencySummary:
    """The agency ``ref`` names (id, name, acronym or alias; case-insensitive).

    Raises ``InvalidInput`` for an empty reference and ``NotFound`` with
    near-match suggestions when nothing matches.
    """
    text = ref.strip()
    if not text or not fold(text):
        raise InvalidInput(f"agency reference {ref!r} is empty", field=field)
    try:
        agency_id = slug(text)
    except ValueError:
        agency_id = text
    rows = store.read(AGENCY_BY_ID, {"id": agency_id}) or store.read(
        AGENCY_BY_KEY, {"key": fold(text)}
    )
    if not rows:
        raise NotFound("agency", ref, suggest_agencies(store, text))
    return _summary(rows[0])


def agency_detail(store: GraphStore, ref: str) -> AgencyDetail:
    """An agency with its parent, field offices, regions, operations and sectors."""
    summary = find_agency(store, ref)
    params = {"id": summary.id}
    parent = store.read(AGENCY_PARENT, params)
    return AgencyDetail(
        **{name: getattr(summary, name) for name in AgencySummary.__dataclass_fields__},
        parent=parent[0] if parent else None,
        offices=store.read(AGENCY_OFFICES, params),
        regions=store.read(AGENCY_REGIONS, params),
        operations=store.read(AGENCY_OPERATIONS, params),
        sectors=store.read(AGENCY_SECTORS, params),
    )


def search_agencies(
    store: GraphStore, q: str = "", *, country: str | None = None, region: str | None = None,
    sector: str | None = None, limit: int = 50, offset: int = 0, fuzzy: bool = True,
) -> list[AgencySummary]:
    """Agencies whose name, acronym or alias contains ``q`` (folded), by name.

    ``country`` (home country), ``region`` (operates in) and ``sector``
    (focuses on) narrow the list; each is resolved like a user would type it
    and an unknown one raises ``NotFound``. When nothing contains ``q``, the
    first page holds the closest fuzzy matches instead, marked ``match="fuzzy"``.
    """
    check_page(limit, offset)
    params = {
        "q": fold(q),
        "country": find_country(store, country).id if country else None,
        "region": find_region(store, region).id if region else None,
        "sector": find_sector(store, sector).id if sector else None,
        "limit": limit,
        "offset": offset,
        "ids": None,
    }
    found = [_summary(row) for row in store.read(SEARCH_AGENCIES, params)]
    if found or not fuzzy or not params["q"] or offset:
        return found
    ids = [agency_id for agency_id, _name in _closest(store, q, limit)]
    rows = store.read(SEARCH_AGENCIES, {**params, "q": "", "ids": ids})
    rank = {agency_id: i for i, agency_id in enumerate(ids)}
    return sorted((_summary(row, match="fuzzy") for row in rows), key=lambda a: rank[a.id])


def check_filters(filters: PartnerFilters) -> None:
    if filters.min_weight < 1:
        raise InvalidInput(f"min_weight must be 1 or more, not {filters.min_weight}",
                           field="min_weight")
    if (filters.year_from is not None and filters.year_to is not None
            and filters.year_from > filters.year_to):
        raise InvalidInput(
            f"year_from ({filters.year_from}) is after year_to ({filters.year_to})",
            field="year_from",
        )


def partners(
    store: GraphStore, ref: str, filters: PartnerFilters | None = None, *, limit: int = 100,
    offset: int = 0,
) -> list[Partner]:
    """Agencies sharing at least one operation with ``ref``, most shared first.

    ``weight`` is the number of shared operations; ``first_year`` and
    ``last_year`` span their years when known; ``sources`` are the documents
    asserting either side's participation.
    """
    check_page(limit, offset)
    return partners_by_id(store, find_agency(store, ref).id, filters, limit=limit, offset=offset)


def partners_by_id(
    store: GraphStore, agency_id: str, filters: PartnerFilters | None = None, *,
    limit: int = 100, offset: int = 0,
) -> list[Partner]:
    """:func:`partners` of an agency id already resolved (no lookup, no 404)."""
    f = filters or PartnerFilters()
    check_filters(f)
    derived = f.sector is None and f.year_from is None and f.year_to is None
    rows = store.read(PARTNERS_DERIVED if derived else PARTNERS, {
        "id": agency_id, "limit": limit, "offset": offset,
        "country": find_country(store, f.country).id if f.country else None,
        "sector": find_sector(store, f.sector).id if f.sector else None,
        "year_from": f.year_from, "year_to": f.year_to, "min_weight": f.min_weight,
    })
    result = []
    for row in rows:
        sources: list[str] = []
        for lst in row["source_lists"]:
            for s in lst or []:
                if s not in sources:
                    sources.append(s)
        result.append(
            Partner(
                id=row["id"], name=row["name"], acronym=row["acronym"], country=row["country"],
                weight=int(row["weight"]),
                operations=sorted(
                    ({"id": o["id"], "name": o["name"], "year": o["year"]}
                     for o in row["operations"]),
                    key=lambda o: o["name"],
                ),
                sources=sources,
                first_year=row["first_year"],
                last_year=row["last_year"],
            )
        )
    return result


def shared_operations(store: GraphStore, a: str, b: str) -> tuple[
    AgencySummary, AgencySummary, list[SharedOperation]
]:
    """The operations both agencies took part in, with each one's role and impact.

    Raises ``InvalidInput`` when both references name the same agency.
    """
    first = find_agency(store, a, field="a")
    second = find_agency(store, b, field="b")
    if first.id == second.id:
        raise InvalidInput(f"{a!r} and {b!r} are the same agency ({first.name})", field="b")
    rows = store.read(SHARED_OPERATIONS, {"a": first.id, "b": second.id})
    return first, second, [
        SharedOperation(
            id=row["id"], name=row["name"], year=row["year"], outcome=row["outcome"],
            roles={first.id: row["role_a"], second.id: row["role_b"]},
            impacts={first.id: row["impact_a"], second.id: row["impact_b"]},
            sources=list(dict.fromkeys(row["sources"])),
            evidence=list(dict.fromkeys(row["evidence"])),
        )
        for row in rows
    ]
