"""Agencies: lookup by id, name, acronym or alias; search; partners."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz import process as fuzzy_process

from graph.errors import InvalidInput, NotFound
from graph.model import Label, RelType, fold, slug
from graph.store import GraphStore

MAX_LIMIT = 1000

_AGENCY_FIELDS = (
    "a.id AS id, a.name AS name, a.acronym AS acronym, a.country AS country, "
    "coalesce(a.aliases, []) AS aliases, coalesce(a.sources, []) AS sources"
)

# A reference matches an agency by exact id, or by any folded key (name,
# acronym, alias), so lookups are case-, accent- and punctuation-insensitive.
AGENCY_BY_REF = (
    f"MATCH (a:{Label.AGENCY}) WHERE a.id = $id OR $key IN a.keys "
    f"RETURN {_AGENCY_FIELDS}, a.id = $id AS exact ORDER BY exact DESC, a.name"
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
    "AND ($country IS NULL OR a.country = $country) "
    f"RETURN {_AGENCY_FIELDS} ORDER BY a.name SKIP $offset LIMIT $limit"
)

# Partners are computed from participation, not from the derived
# PARTNERS_WITH edges, so they are right even between a load and its rebuild.
PARTNERS = (
    f"MATCH (a:{Label.AGENCY} {{id: $id}})-[ra:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION})"
    f"<-[rb:{RelType.PARTICIPATED_IN}]-(b:{Label.AGENCY}) "
    "WHERE a <> b "
    "WITH b, collect(DISTINCT {id: o.id, name: o.name}) AS operations, "
    "collect(ra.sources) + collect(rb.sources) AS source_lists "
    "RETURN b.id AS id, b.name AS name, b.acronym AS acronym, b.country AS country, "
    "size(operations) AS weight, operations, source_lists "
    "ORDER BY weight DESC, name SKIP $offset LIMIT $limit"
)


@dataclass(slots=True)
class AgencySummary:
    id: str
    name: str
    acronym: str | None
    country: str | None
    aliases: list[str]
    sources: list[str]


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
    operations: list[dict[str, str]]
    sources: list[str]


def _summary(row: dict[str, Any]) -> AgencySummary:
    return AgencySummary(
        id=row["id"], name=row["name"], acronym=row["acronym"], country=row["country"],
        aliases=list(row["aliases"]), sources=list(row["sources"]),
    )


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, not {limit}", field="limit")
    if offset < 0:
        raise InvalidInput(f"offset must be 0 or more, not {offset}", field="offset")


def suggest_agencies(store: GraphStore, ref: str, limit: int = 5) -> list[str]:
    """Names of the agencies closest to ``ref`` (by name, acronym or id)."""
    choices: dict[str, str] = {}
    for row in store.read(AGENCY_NAMES):
        for value in (row["name"], row["acronym"], row["id"]):
            if value:
                choices.setdefault(fold(str(value)), row["name"])
    matches = fuzzy_process.extract(
        fold(ref), list(choices), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=50
    )
    names: list[str] = []
    for key, _score, _ in matches:
        if choices[key] not in names:
            names.append(choices[key])
    return names[:limit]


def find_agency(store: GraphStore, ref: str) -> AgencySummary:
    """The agency ``ref`` names (id, name, acronym or alias; case-insensitive).

    Raises ``NotFound`` with near-match suggestions when nothing matches.
    """
    text = ref.strip()
    if not text or not fold(text):
        raise InvalidInput(f"agency reference {ref!r} is empty", field="ref")
    try:
        agency_id = slug(text)
    except ValueError:
        agency_id = text
    rows = store.read(AGENCY_BY_REF, {"id": agency_id, "key": fold(text)})
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
    store: GraphStore, q: str = "", *, country: str | None = None, limit: int = 50,
    offset: int = 0,
) -> list[AgencySummary]:
    """Agencies whose name, acronym or alias contains ``q`` (folded), by name."""
    check_page(limit, offset)
    rows = store.read(
        SEARCH_AGENCIES,
        {"q": fold(q), "country": country.upper() if country else None, "limit": limit,
         "offset": offset},
    )
    return [_summary(row) for row in rows]


def partners(store: GraphStore, ref: str, *, limit: int = 100, offset: int = 0) -> list[Partner]:
    """Agencies sharing at least one operation with ``ref``, most shared first.

    ``weight`` is the number of shared operations; ``sources`` are the
    documents asserting either side's participation.
    """
    check_page(limit, offset)
    return partners_by_id(store, find_agency(store, ref).id, limit=limit, offset=offset)


def partners_by_id(
    store: GraphStore, agency_id: str, *, limit: int = 100, offset: int = 0
) -> list[Partner]:
    """:func:`partners` of an agency id already resolved (no lookup, no 404)."""
    rows = store.read(PARTNERS, {"id": agency_id, "limit": limit, "offset": offset})
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
                    ({"id": o["id"], "name": o["name"]} for o in row["operations"]),
                    key=lambda o: o["name"],
                ),
                sources=sources,
            )
        )
    return result
