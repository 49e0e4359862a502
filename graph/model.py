"""The user-facing graph schema: labels, relationship types and node ids.

Labels and relationship types only ever reach Cypher texts through these
Enums, never from user input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any


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
