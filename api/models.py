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


class Partner(BaseModel):
    id: str
    name: str
    acronym: str | None = None
    country: str | None = None
    weight: int = Field(description="number of shared operations")
    operations: list[Ref]
    sources: list[str]


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
