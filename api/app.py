"""The FastAPI application: routes, the store dependency and error mapping.

Errors are JSON ``{"error": {"code", "message", ...}}``: 404 for an unknown
entity (with near-match suggestions), 422 for a bad parameter, 409 for an
ambiguous reference, 503 when the store is down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import maps, models
from api.routes import Limit, Offset, ProjectionsDep, StoreDep, router
from graph.errors import (
    InvalidInput,
    NotFound,
    PartnergraphError,
    QueryError,
    StoreUnavailable,
)
from graph.projection import Projections
from graph.store import GraphStore, open_store
from queries import agencies, network, stats

STATUS: dict[type[PartnergraphError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    QueryError: 400,
    StoreUnavailable: 503,
}


def _status(exc: PartnergraphError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse({"error": body}, status_code=status)




def create_app(db: str | None = None, store: GraphStore | None = None) -> FastAPI:
    """The API on ``store``, or on a store opened from ``db`` for the app's lifetime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store if store is not None else open_store(db)
        app.state.projections = Projections(app.state.store)
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    app = FastAPI(
        title="partnergraph",
        summary="Who works with whom among law-enforcement agencies, countries, joint "
        "operations and crime sectors.",
        version="0.1.0",
        lifespan=lifespan,
        responses={
            404: {"model": models.ErrorResponse},
            422: {"model": models.ErrorResponse},
            503: {"model": models.ErrorResponse},
        },
    )
    if store is not None:
        app.state.store = store
        app.state.projections = Projections(store)

    @app.exception_handler(PartnergraphError)
    async def _domain_error(request: Request, exc: PartnergraphError) -> JSONResponse:
        return _error(
            _status(exc), exc.code, str(exc),
            suggestions=exc.suggestions if isinstance(exc, NotFound) else None,
            field=exc.field if isinstance(exc, InvalidInput) else None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        return _error(422, "invalid_input", f"{where}: {first.get('msg', 'invalid value')}",
                      field=where or None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never leak internals (queries, parameters, paths) to clients.
        return _error(500, "internal_error", "internal error; see the server log")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "http_error"
        return _error(exc.status_code, code, str(exc.detail))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(
        store: StoreDep, request: Request,
        q: Annotated[str, Query(max_length=300)] = "",
    ) -> HTMLResponse:
        """A page for people who open the server in a browser: search agencies, open maps."""
        c = stats.counts(store)
        found = agencies.search_agencies(store, q, limit=50) if q.strip() else []
        root = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(maps.template("home.html").render(
            q=q, agencies=found, nodes=c.nodes, relationships=c.relationships,
            store=store.kind, root=root,
        ))

    @app.get("/health", response_model=models.Health, tags=["meta"])
    def health(store: StoreDep) -> models.Health:
        """Store kind and node/relationship counts; 503 when the store is down."""
        c = stats.counts(store)
        return models.Health(
            status="ok", store=store.kind, location=store.location, nodes=c.nodes,
            relationships=c.relationships, labels=c.labels, relationship_types=c.types,
        )

    @app.get("/agencies", response_model=models.AgencyList, tags=["agencies"])
    def list_agencies(
        store: StoreDep,
        q: Annotated[str, Query(max_length=300, description="text in name, acronym or alias")] = "",
        country: Annotated[str | None, Query(max_length=100, description="home country: "
                                             "ISO code, name or alias")] = None,
        region: Annotated[str | None, Query(max_length=300, description="operates in")] = None,
        sector: Annotated[str | None, Query(max_length=300, description="focuses on")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> models.AgencyList:
        """Agencies whose name, acronym or alias contains ``q``; when none does, the
        closest names (``match: "fuzzy"``)."""
        items = agencies.search_agencies(store, q, country=country, region=region,
                                         sector=sector, limit=limit, offset=offset)
        return models.AgencyList(
            items=[models.Agency.model_validate(a, from_attributes=True) for a in items],
            page=models.Page(limit=limit, offset=offset, count=len(items)),
        )

    @app.get("/agencies/{ref}", response_model=models.AgencyDetail, tags=["agencies"])
    def get_agency(store: StoreDep, ref: str) -> models.AgencyDetail:
        """An agency by id, name, acronym or alias (case-insensitive)."""
        return models.AgencyDetail.model_validate(
            agencies.agency_detail(store, ref), from_attributes=True
        )

    @app.get("/agencies/{ref}/partners", response_model=models.PartnerList, tags=["agencies"])
    def get_partners(
        store: StoreDep, ref: str,
        country: Annotated[str | None, Query(max_length=100,
                                             description="partner's home country")] = None,
        sector: Annotated[str | None, Query(max_length=300, description="sector the shared "
                                            "operation targeted")] = None,
        year_from: Annotated[int | None, Query(ge=1000, le=9999)] = None,
        year_to: Annotated[int | None, Query(ge=1000, le=9999)] = None,
        min_weight: Annotated[int, Query(ge=1)] = 1,
        limit: Limit = 100, offset: Offset = 0,
    ) -> models.PartnerList:
        """Agencies that shared an operation with ``ref``, with the operations, a weight
        (shared operations), their first and last year, and the sources. A time
        window keeps only operations with a known year inside it."""
        agency = agencies.find_agency(store, ref)
        filters = agencies.PartnerFilters(country=country, sector=sector, year_from=year_from,
                                          year_to=year_to, min_weight=min_weight)
        items = agencies.partners_by_id(store, agency.id, filters, limit=limit, offset=offset)
        return models.PartnerList(
            agency=models.Agency.model_validate(agency, from_attributes=True),
            items=[models.Partner.model_validate(p, from_attributes=True) for p in items],
            page=models.Page(limit=limit, offset=offset, count=len(items)),
        )

    app.include_router(router)

    @app.get("/assets/{version}/{name}", include_in_schema=False)
    def asset(version: str, name: str) -> FileResponse:
        if version != maps.ASSET_VERSION or name not in maps.ASSETS:
            raise NotFound("asset", f"{version}/{name}")
        path, media = maps.asset_path(name)
        return FileResponse(
            path, media_type=media,
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    @app.get("/maps/agency/{ref}", response_class=HTMLResponse, tags=["maps"])
    def agency_map(
        projections: ProjectionsDep, request: Request, ref: str,
        hops: Annotated[int, Query(ge=1, le=maps.MAX_MAP_HOPS)] = 1,
    ) -> HTMLResponse:
        """An embeddable map of an agency and its partners up to ``hops`` steps away."""
        return HTMLResponse(maps.agency_map_html(projections, ref, hops,
                                                 asset_base=_asset_base(request)))

    @app.get("/maps/path", response_class=HTMLResponse, tags=["maps"])
    def path_map(
        projections: ProjectionsDep, request: Request,
        source: Annotated[str, Query(max_length=300)],
        target: Annotated[str, Query(max_length=300)],
        max_hops: Annotated[int, Query(ge=1, le=network.MAX_HOPS)] = network.DEFAULT_MAX_HOPS,
    ) -> HTMLResponse:
        """An embeddable map of every shortest collaboration chain between two agencies."""
        return HTMLResponse(maps.path_map_html(projections, source, target, max_hops,
                                               asset_base=_asset_base(request)))

    @app.get("/maps/country/{code}", response_class=HTMLResponse, tags=["maps"])
    def country_map(projections: ProjectionsDep, request: Request, code: str) -> HTMLResponse:
        """A country, its agencies and operations, and the countries it worked with."""
        return HTMLResponse(maps.country_map_html(projections, code,
                                                  asset_base=_asset_base(request)))

    @app.get("/maps/operation/{ref}", response_class=HTMLResponse, tags=["maps"])
    def operation_map(projections: ProjectionsDep, request: Request, ref: str) -> HTMLResponse:
        """An operation with its agencies, countries and crime sectors."""
        return HTMLResponse(maps.operation_map_html(projections, ref,
                                                    asset_base=_asset_base(request)))

    @app.get("/maps/sector/{ref}", response_class=HTMLResponse, tags=["maps"])
    def sector_map(projections: ProjectionsDep, request: Request, ref: str) -> HTMLResponse:
        """A crime sector with its operations, agencies and countries."""
        return HTMLResponse(maps.sector_map_html(projections, ref,
                                                 asset_base=_asset_base(request)))

    @app.get("/maps/network", response_class=HTMLResponse, tags=["maps"])
    def network_map(
        projections: ProjectionsDep, request: Request,
        limit: Annotated[int, Query(ge=1, le=maps.MAX_NETWORK_NODES)] = maps.MAX_MAP_NODES,
        country: Annotated[str | None, Query(max_length=100)] = None,
        sector: Annotated[str | None, Query(max_length=300)] = None,
    ) -> HTMLResponse:
        """The agency network: the ``limit`` most connected agencies, optionally of one
        country or focused on one sector (the page states the cap)."""
        return HTMLResponse(maps.network_map_html(
            projections, limit=limit, country=country, sector=sector,
            asset_base=_asset_base(request)))

    return app


def _asset_base(request: Request) -> str:
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}/assets/{maps.ASSET_VERSION}"
