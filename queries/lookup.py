"""References to countries, operations, sectors and regions, as users type them.

Each ``find_*`` turns what a user typed ("U.S.", "narcotics", "project
sentinel") into the node id the store uses, or raises ``NotFound`` with the
closest names the store holds. Agencies are looked up in ``queries.agencies``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz import process as fuzzy_process

from graph.errors import InvalidInput, NotFound
from graph.model import Label, fold, slug
from graph.store import GraphStore
from loaders.normalise import UnknownValue, resolve_country, resolve_region, resolve_sector

MAX_LIMIT = 1000

# Node lookups by id; the label comes from the Enum, never from the caller.
_BY_ID = {
    label: f"MATCH (n:{label} {{id: $id}}) RETURN n.id AS id, n.name AS name"
    for label in (Label.COUNTRY, Label.OPERATION, Label.CRIME_SECTOR, Label.REGION)
}
_NAMES = {
    label: f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name"
    for label in (Label.COUNTRY, Label.OPERATION, Label.CRIME_SECTOR, Label.REGION)
}
_KIND = {
    Label.COUNTRY: "country",
    Label.OPERATION: "operation",
    Label.CRIME_SECTOR: "crime sector",
    Label.REGION: "region",
}


@dataclass(frozen=True, slots=True)
class Ref:
    """A node found from a user's reference."""

    id: str
    name: str


def check_page(limit: int, offset: int) -> None:
    """Raise ``InvalidInput`` naming ``limit`` or ``offset`` when out of range."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, not {limit}", field="limit")
    if offset < 0:
        raise InvalidInput(f"offset must be 0 or more, not {offset}", field="offset")


def _text(kind: str, ref: str, field: str) -> str:
    text = " ".join(ref.split())
    if not text or not fold(text):
        raise InvalidInput(f"{kind} reference {ref!r} is empty", field=field)
    return text


def closest(choices: dict[str, str], ref: str, limit: int) -> list[str]:
    """The values of ``choices`` (folded key -> value) whose keys are closest to ``ref``,
    best first, each once."""
    matches = fuzzy_process.extract(
        fold(ref), list(choices), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=50
    )
    found: list[str] = []
    for key, _score, _ in matches:
        if choices[key] not in found:
            found.append(choices[key])
    return found[:limit]


def suggest(store: GraphStore, label: Label, ref: str, limit: int = 5) -> list[str]:
    """Names of the ``label`` nodes closest to ``ref``."""
    choices: dict[str, str] = {}
    for row in store.read(_NAMES[label]):
        for value in (row["name"], row["id"]):
            if value:
                choices.setdefault(fold(str(value)), str(row["name"] or row["id"]))
    return closest(choices, ref, limit)


def _find(store: GraphStore, label: Label, candidates: list[str], ref: str) -> Ref:
    for node_id in candidates:
        rows = store.read(_BY_ID[label], {"id": node_id})
        if rows:
            return Ref(rows[0]["id"], rows[0]["name"] or rows[0]["id"])
    raise NotFound(_KIND[label], ref, suggest(store, label, ref))


def _slug_or_none(text: str) -> list[str]:
    try:
        return [slug(text)]
    except ValueError:
        return []


def find_country(store: GraphStore, ref: str, field: str = "country") -> Ref:
    """A country by ISO code, name or alias ("US", "U.S.", "Holland")."""
    text = _text("country", ref, field)
    candidates = [text.upper()] if len(text) == 2 and text.isalpha() else []
    with contextlib.suppress(UnknownValue):
        candidates.append(resolve_country(text).code)
    return _find(store, Label.COUNTRY, candidates, text)


def find_sector(store: GraphStore, ref: str, field: str = "sector") -> Ref:
    """A crime sector by id, name or synonym ("narcotics" is drug trafficking)."""
    text = _text("crime sector", ref, field)
    candidates = _slug_or_none(text)
    with contextlib.suppress(ValueError):
        candidates.append(resolve_sector(text).id)
    return _find(store, Label.CRIME_SECTOR, candidates, text)


def find_operation(store: GraphStore, ref: str, field: str = "operation") -> Ref:
    """An operation by id or name (case, spacing and punctuation insensitive)."""
    text = _text("operation", ref, field)
    return _find(store, Label.OPERATION, _slug_or_none(text), text)


def find_region(store: GraphStore, ref: str, field: str = "region") -> Ref:
    """A region by id or name ("Southwest U.S." finds "Southwestern United States")."""
    text = _text("region", ref, field)
    candidates = _slug_or_none(text)
    with contextlib.suppress(ValueError):
        candidates.append(resolve_region(text).id)
    return _find(store, Label.REGION, candidates, text)
