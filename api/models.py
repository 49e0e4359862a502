"""Response models: the JSON contract of the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    store: str = Field(description="embedded, falkordb or neo4j")
    location: str
    nodes: int
    relationships: int
    labels: dict[str, int]
    relationship_types: dict[str, int]


class Agency(BaseModel):
    id: str
    name: str
    acronym: str | None = None
    country: str | None = None
    aliases: list[str] = []
    sources: list[str] = []
    match: str = Field("exact", description="exact, or fuzzy when nothing contained the text")


class Ref(BaseModel):
    id: str
    name: str


class AgencyDetail(Agency):
    parent: Ref | None = None
    offices: list[Ref] = []
    regions: list[dict[str, Any]] = []
    operations: list[dict[str, Any]] = []
    sectors: list[dict[str, Any]] = []


class Page(BaseModel):
    limit: int
    offset: int
    count: int


class AgencyList(BaseModel):
    items: list[Agency]
    page: Page


class PartnerOperation(BaseModel):
    id: str
    name: str
    year: int | None = None


class Partner(BaseModel):
    id: str
    name: str
    acronym: str | None = None
    country: str | None = None
    weight: int = Field(description="number of shared operations")
    operations: list[PartnerOperation]
    sources: list[str]
    first_year: int | None = None
    last_year: int | None = None


class PartnerList(BaseModel):
    agency: Agency
    items: list[Partner]
    page: Page


class ErrorBody(BaseModel):
    code: str
    message: str
    suggestions: list[str] | None = None
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
