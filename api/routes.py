"""Query routes: agencies' shared operations, paths, ego networks, operations,
countries, sectors, analytics, read-only Cypher and exports.

Responses are the query modules' dataclasses (FastAPI validates and documents
them); lists that can grow are paged with ``limit`` and ``offset``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.models import Page
from graph.projection import Projections
from graph.store import GraphStore
from queries import analytics, countries, cypher, export, network, operations, sectors
from queries.agencies import AgencySummary, SharedOperation, shared_operations
from queries.lookup import MAX_LIMIT, Ref

T = TypeVar("T")


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_projections(request: Request) -> Projections:
    projections: Projections = request.app.state.projections
    return projections


StoreDep = Annotated[GraphStore, Depends(get_store)]
ProjectionsDep = Annotated[Projections, Depends(get_projections)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0)]
Text = Annotated[str, Query(max_length=300)]
OptText = Annotated[str | None, Query(max_length=300)]
Year = Annotated[int | None, Query(ge=1000, le=9999)]


class Paged(BaseModel, Generic[T]):
    items: list[T]
    page: Page


@dataclass(slots=True)
class SharedOperations:
    a: AgencySummary
    b: AgencySummary
    items: list[SharedOperation]


@dataclass(slots=True)
class CountryPartners:
    country: Ref
    items: list[countries.PartnerCountry]
    page: dict[str, int]


class CypherRequest(BaseModel):
    query: str = Field(max_length=cypher.MAX_QUERY_LENGTH,
                       examples=["MATCH (a:Agency) RETURN a.name AS name LIMIT $n"])
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{"n": 5}])
    limit: int = Field(1000, ge=1, le=cypher.MAX_ROWS, description="row cap")
    timeout: float = Field(10.0, gt=0, le=cypher.MAX_TIMEOUT, description="seconds")


def _page(items: list[T], limit: int, offset: int) -> Paged[T]:
    return Paged[T](items=items, page=Page(limit=limit, offset=offset, count=len(items)))


router = APIRouter()


@router.get("/agencies/{a}/shared/{b}", response_model=SharedOperations, tags=["agencies"])
def get_shared_operations(store: StoreDep, a: str, b: str) -> SharedOperations:
    """The operations two agencies both took part in, with each one's role and impact."""
    first, second, items = shared_operations(store, a, b)
    return SharedOperations(first, second, items)


@router.get("/agencies/{ref}/network", response_model=network.EgoNetwork, tags=["agencies"])
def get_ego_network(
    projections: ProjectionsDep, ref: str,
    hops: Annotated[int, Query(ge=1, le=network.MAX_EGO_HOPS)] = 2,
    max_nodes: Annotated[int, Query(ge=1, le=network.MAX_EGO_NODES)] = 300,
) -> network.EgoNetwork:
    """The agency and every agency within ``hops`` partner steps (at most ``max_nodes``)."""
    return network.ego_network(projections, ref, hops=hops, max_nodes=max_nodes)


@router.get("/agencies/{ref}/likely-partners", response_model=analytics.LikelyPartnerList,
            tags=["analytics"])
def get_likely_partners(
    projections: ProjectionsDep, ref: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> analytics.LikelyPartnerList:
    """Agencies this one has not worked with but shares partners with (Adamic-Adar),
    each with the shared partners as the reason."""
    return analytics.likely_partners(projections, ref, limit=limit)


@router.get("/paths", response_model=network.PathResult, tags=["paths"])
def get_paths(
    projections: ProjectionsDep,
    source: Annotated[str, Query(max_length=300, description="agency id, name or acronym")],
    target: Annotated[str, Query(max_length=300, description="agency id, name or acronym")],
    max_hops: Annotated[int, Query(ge=1, le=network.MAX_HOPS)] = network.DEFAULT_MAX_HOPS,
    limit: Annotated[int, Query(ge=1, le=network.MAX_PATHS)] = 25,
) -> network.PathResult:
    """All shortest agency-operation-agency chains between two agencies."""
    return network.collaboration_paths(projections, source, target, max_hops=max_hops,
                                       limit=limit)


@router.get("/operations", response_model=Paged[operations.OperationSummary],
            tags=["operations"])
def get_operations(
    store: StoreDep, q: Text = "", country: OptText = None, agency: OptText = None,
    sector: OptText = None, year: Year = None, limit: Limit = 50, offset: Offset = 0,
) -> Paged[operations.OperationSummary]:
    """Operations by name, filtered by a country or agency that took part, a sector or a year."""
    items = operations.list_operations(store, q, country=country, agency=agency, sector=sector,
                                       year=year, limit=limit, offset=offset)
    return _page(items, limit, offset)


@router.get("/operations/{ref}", response_model=operations.OperationDetail, tags=["operations"])
def get_operation(store: StoreDep, ref: str) -> operations.OperationDetail:
    """An operation with its agencies, countries, sectors, outcome, metrics and sources."""
    return operations.operation_detail(store, ref)


@router.get("/countries", response_model=Paged[countries.CountrySummary], tags=["countries"])
def get_countries(
    store: StoreDep, limit: Limit = 300, offset: Offset = 0
) -> Paged[countries.CountrySummary]:
    """Every country in the graph with its agency, operation and market counts."""
    return _page(countries.list_countries(store, limit=limit, offset=offset), limit, offset)


@router.get("/countries/{code}", response_model=countries.CountryDetail, tags=["countries"])
def get_country(store: StoreDep, code: str) -> countries.CountryDetail:
    """A country (ISO code, name or alias) with its agencies, regions, operations, markets."""
    return countries.country_detail(store, code)


@router.get("/countries/{code}/partners", response_model=CountryPartners, tags=["countries"])
def get_country_partners(
    store: StoreDep, code: str, sector: OptText = None, limit: Limit = 100, offset: Offset = 0
) -> CountryPartners:
    """Countries that shared operations with this one, how often and on which sectors."""
    found, items = countries.country_partners(store, code, sector=sector, limit=limit,
                                              offset=offset)
    return CountryPartners(found, items, {"limit": limit, "offset": offset, "count": len(items)})


@router.get("/sectors", response_model=Paged[sectors.SectorSummary], tags=["sectors"])
def get_sectors(
    store: StoreDep, limit: Limit = 100, offset: Offset = 0
) -> Paged[sectors.SectorSummary]:
    """Crime sectors with their ICCS codes, revenue and counts of what links to them."""
    return _page(sectors.list_sectors(store, limit=limit, offset=offset), limit, offset)


@router.get("/sectors/{ref}", response_model=sectors.SectorDetail, tags=["sectors"])
def get_sector(store: StoreDep, ref: str) -> sectors.SectorDetail:
    """A sector (id, name or synonym) with its operations, agencies, countries and markets."""
    return sectors.sector_detail(store, ref)


@router.get("/analytics/brokers", response_model=analytics.BrokerList, tags=["analytics"])
def get_brokers(
    projections: ProjectionsDep, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Offset = 0,
) -> analytics.BrokerList:
    """Agencies by betweenness centrality on the agency projection: exact up to
    1,000 agencies, above that an estimate within ``error`` of the exact score
    with probability ``confidence`` (``method`` says which)."""
    return analytics.top_brokers(projections, limit=limit, offset=offset)


@router.get("/analytics/communities", response_model=analytics.CommunityList,
            tags=["analytics"])
def get_communities(
    projections: ProjectionsDep, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Offset = 0, members: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> analytics.CommunityList:
    """Louvain communities of partnering agencies (seeded, so results repeat)."""
    return analytics.agency_communities(projections, limit=limit, offset=offset,
                                        members=members)


@router.post("/cypher", response_model=cypher.CypherResult, tags=["cypher"])
def post_cypher(store: StoreDep, body: Annotated[CypherRequest, Body()]) -> cypher.CypherResult:
    """Read-only Cypher with parameters; writes are refused, rows capped at ``limit``."""
    return cypher.run_cypher(store, body.query, body.parameters, limit=body.limit,
                             timeout=body.timeout)


@router.get("/export/{fmt}", tags=["export"],
            responses={200: {"content": {t: {} for t in export.MEDIA_TYPES.values()}}})
def get_export(projections: ProjectionsDep, fmt: str) -> Response:
    """The whole graph as graphml, gexf, json (node-link), csv or cypher."""
    kind = export.parse_format(fmt)
    text, media = export.export_graph(projections, kind)
    return Response(
        text, media_type=media,
        headers={"Content-Disposition": f'attachment; filename="partnergraph.{kind.value}"'},
    )
