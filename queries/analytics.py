"""Graph metrics on the agency projection: brokers, communities, likely partners.

Each result is computed once per data version and cached on the projection,
so repeated requests are instant until the next load.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph.errors import InvalidInput
from graph.projection import (
    BROKER_EXACT_MAX,
    SEED,
    AgencyProjection,
    Projections,
    adamic_adar,
    adjacency,
    brokers,
    communities,
)
from queries.agencies import AgencySummary, find_agency
from queries.lookup import check_page


@dataclass(slots=True)
class Broker:
    rank: int
    id: str
    name: str
    country: str | None
    score: float
    degree: int


@dataclass(slots=True)
class BrokerList:
    items: list[Broker]
    agencies: int
    method: str
    exact_max: int
    error: float | None
    confidence: float | None
    samples: int | None
    data_version: str


@dataclass(slots=True)
class Community:
    index: int
    size: int
    members: list[dict[str, str]]
    countries: dict[str, int]


@dataclass(slots=True)
class CommunityList:
    items: list[Community]
    total: int
    seed: int
    data_version: str


@dataclass(slots=True)
class LikelyPartner:
    id: str
    name: str
    score: float
    shared_partners: list[dict[str, str]]


@dataclass(slots=True)
class LikelyPartnerList:
    agency: AgencySummary
    method: str
    items: list[LikelyPartner]
    data_version: str


def _node(projection: AgencyProjection, agency_id: str) -> dict[str, str]:
    return {"id": agency_id, "name": projection.name(agency_id)}


def top_brokers(projections: Projections, *, limit: int = 20, offset: int = 0) -> BrokerList:
    """Agencies by betweenness on the agency projection (who links separate groups).

    Exact up to ``BROKER_EXACT_MAX`` agencies; above, a seeded estimate whose
    scores are within ``error`` of the exact ones with probability
    ``confidence`` (``method`` says which).
    """
    check_page(limit, offset)
    projection = projections.agencies()
    result = projections.memo(projection, "brokers", lambda: brokers(projection.graph))
    graph = projection.graph
    items = [
        Broker(rank=offset + i + 1, id=agency_id, name=projection.name(agency_id),
               country=graph.nodes[agency_id].get("country"), score=round(score, 6),
               degree=graph.degree(agency_id))
        for i, (agency_id, score) in enumerate(result.scores[offset: offset + limit])
    ]
    return BrokerList(items, graph.number_of_nodes(), result.method, BROKER_EXACT_MAX,
                      result.error, result.confidence, result.samples, projection.version.tag)


def _ranked_communities(graph: nx.Graph[str]) -> list[tuple[list[str], dict[str, int]]]:
    """Each community's members, most connected (by shared operations) first,
    and its agencies per home country; computed once per data version."""
    strength = dict(graph.degree(weight="weight"))
    out = []
    for group in communities(graph):
        countries: dict[str, int] = {}
        for agency_id in group:
            code = graph.nodes[agency_id].get("country") or "unknown"
            countries[code] = countries.get(code, 0) + 1
        out.append((sorted(group, key=lambda n: (-strength[n], n)),
                    dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])))))
    return out


def agency_communities(
    projections: Projections, *, limit: int = 20, offset: int = 0, members: int = 50
) -> CommunityList:
    """Louvain communities of partnering agencies (seeded), largest first.

    Each lists at most ``members`` agencies (the most connected first) and the
    count of its agencies per home country.
    """
    check_page(limit, offset)
    if not 1 <= members <= 1000:
        raise InvalidInput(f"members must be between 1 and 1000, not {members}",
                           field="members")
    projection = projections.agencies()
    found = projections.memo(projection, "communities",
                             lambda: _ranked_communities(projection.graph))
    items = [
        Community(index=index, size=len(ranked),
                  members=[_node(projection, n) for n in ranked[:members]],
                  countries=countries)
        for index, (ranked, countries) in enumerate(found[offset: offset + limit], start=offset)
    ]
    return CommunityList(items, len(found), SEED, projection.version.tag)


def likely_partners(projections: Projections, ref: str, *, limit: int = 20) -> LikelyPartnerList:
    """Agencies ``ref`` has not worked with yet but likely will (Adamic-Adar).

    The reason for each is the list of partners they share, most telling
    first (partners with few partners of their own weigh more).
    """
    check_page(limit, 0)
    agency = find_agency(projections.store, ref)
    projection = projections.agencies()
    graph = projection.graph
    if agency.id not in graph:
        return LikelyPartnerList(agency, "adamic_adar", [], projection.version.tag)
    index = projections.memo(projection, "adjacency", lambda: adjacency(graph))
    predictions = adamic_adar(graph, agency.id, limit=limit, index=index)
    items = [
        LikelyPartner(
            id=p.id, name=projection.name(p.id), score=p.score,
            shared_partners=[
                _node(projection, w) for w in sorted(p.shared, key=lambda w: (graph.degree(w), w))
            ],
        )
        for p in predictions
    ]
    return LikelyPartnerList(agency, "adamic_adar", items, projection.version.tag)
