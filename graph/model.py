"""The user-facing graph schema: labels, relationship types and node ids.

Labels and relationship types only ever reach Cypher texts through these
Enums, never from user input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from itertools import compress
from typing import Any, overload


class Label(StrEnum):
    AGENCY = "Agency"
    COUNTRY = "Country"
    REGION = "Region"
    OPERATION = "Operation"
    CRIME_SECTOR = "CrimeSector"
    SOURCE = "Source"


class RelType(StrEnum):
    OPERATES_IN = "OPERATES_IN"
    PART_OF = "PART_OF"
    BASED_IN = "BASED_IN"
    PARTICIPATED_IN = "PARTICIPATED_IN"
    TARGETS = "TARGETS"
    FOCUSES_ON = "FOCUSES_ON"
    HAS_MARKET = "HAS_MARKET"
    PARTNERS_WITH = "PARTNERS_WITH"


# Properties that hold lists merged as sets across loads (never overwritten).
LIST_PROPERTIES: dict[Label, tuple[str, ...]] = {
    Label.AGENCY: ("aliases", "keys"),
    Label.OPERATION: ("metrics",),
}

# Anything that is not a letter or digit in any script (underscore included)
# separates words.
_SEPARATORS = re.compile(r"[\W_]+")
# Apostrophes join the letters around them: "People's" reads as "peoples".
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`\u00b4.")


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Fold ``text`` for comparison: accents, case, punctuation and spacing removed.

    ``"Fédéral  Bureau, of Investigation."`` and ``"federal bureau of
    investigation"`` fold to the same string. Ampersands read as "and".
    Letters of every script are kept (``"Полиция"`` folds to ``"полиция"``),
    so names written in Cyrillic, Greek, Arabic or Chinese are names too.
    """
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("&", " and ").translate(_APOSTROPHES)
    return _SEPARATORS.sub(" ", plain).strip()


def slug(text: str) -> str:
    """The stable node id of a canonical name: folded words joined by ``-``.

    Raises ``ValueError`` when nothing of ``text`` survives folding.
    """
    value = fold(text).replace(" ", "-")
    if not value:
        raise ValueError(f"no id can be made from {text!r}")
    return value


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One node to MERGE by ``(label, id)``, with the source and row asserting it."""

    label: Label
    id: str
    props: dict[str, Any]
    source: str
    evidence: str
    lists: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RelRecord:
    """One relationship to MERGE between two nodes identified by label and id."""

    type: RelType
    start_label: Label
    start_id: str
    end_label: Label
    end_id: str
    props: dict[str, Any]
    source: str
    evidence: str


class RelColumns(Sequence[dict[str, Any]]):
    """Relationship rows of one type held as columns.

    Row ``i`` is ``{"start": starts[i], "end": ends[i], "props": props[i],
    "sources": [...], "evidence": [...]}`` (the writer's row), made only when
    asked for: an import of a million relationships reads the columns
    themselves and never builds a dict per row. ``sources`` and ``evidence``
    are ``None`` for rows without provenance (derived partnerships); their
    items are lists or tuples. The lists are shared, not copied.
    """

    __slots__ = ("ends", "evidence", "props", "sources", "starts")

    def __init__(
        self,
        starts: list[str],
        ends: list[str],
        props: list[dict[str, Any]],
        sources: list[Sequence[str]] | None = None,
        evidence: list[Sequence[str]] | None = None,
    ) -> None:
        lengths = {len(starts), len(ends), len(props)}
        lengths.update(len(c) for c in (sources, evidence) if c is not None)
        if len(lengths) > 1:
            raise ValueError(f"relationship columns of different lengths: {sorted(lengths)}")
        self.starts = starts
        self.ends = ends
        self.props = props
        self.sources = sources
        self.evidence = evidence

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]]) -> RelColumns:
        """``rows`` as columns (``rows`` itself when it is already); provenance
        columns when the first row has them."""
        if isinstance(rows, RelColumns):
            return rows
        first = rows[0] if rows else {}
        return cls(
            [row["start"] for row in rows],
            [row["end"] for row in rows],
            [row.get("props", {}) for row in rows],
            [row["sources"] for row in rows] if "sources" in first else None,
            [row["evidence"] for row in rows] if "evidence" in first else None,
        )

    def select(self, keep: Sequence[bool]) -> RelColumns:
        """The rows whose ``keep`` item is true."""
        return RelColumns(
            list(compress(self.starts, keep)), list(compress(self.ends, keep)),
            list(compress(self.props, keep)),
            None if self.sources is None else list(compress(self.sources, keep)),
            None if self.evidence is None else list(compress(self.evidence, keep)),
        )

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> RelColumns: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | RelColumns:
        if isinstance(index, slice):
            return RelColumns(
                self.starts[index], self.ends[index], self.props[index],
                None if self.sources is None else self.sources[index],
                None if self.evidence is None else self.evidence[index],
            )
        row: dict[str, Any] = {
            "start": self.starts[index], "end": self.ends[index], "props": self.props[index]
        }
        if self.sources is not None:
            row["sources"] = list(self.sources[index])
        if self.evidence is not None:
            row["evidence"] = list(self.evidence[index])
        return row
