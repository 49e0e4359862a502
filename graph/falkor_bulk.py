"""FalkorDB's bulk import (``GRAPH.BULK``): binary tokens of nodes and edges.

A token is one label's nodes or one type's edges: a header (the label or
type, then the property names) followed by one record per entity. A node
record is its property values in header order; an edge record is the
internal ids of its two endpoints, then its values. Values are a type byte
and a payload: null (skipped by the server, so the property is absent, as
after a Cypher ``SET`` to null), bool, 64-bit float, 64-bit integer,
NUL-terminated UTF-8 string, or an array (count, then values).

Nodes get consecutive internal ids in the order they are sent, starting at
the graph's node count, which is why the importer only ever builds a graph
that starts empty and checks the ids it assumed once the import is done.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

_LONG = struct.Struct("<q")
_DOUBLE = struct.Struct("<d")
_COUNT = struct.Struct("<I")
_ENDPOINTS = struct.Struct("<QQ")
_NULL = b"\x00"
_TRUE = b"\x01\x01"
_FALSE = b"\x01\x00"
_MIN_LONG = -(2**63)
_MAX_LONG = 2**63 - 1

# A token is sent as one command argument; the server's limit is 512 MB.
TOKEN_BYTES = 8 * 1024 * 1024

Row = Mapping[str, Any]


class Unencodable(ValueError):
    """A value that cannot travel in a bulk token (a NUL character, a map...)."""


def _string(text: str) -> bytes:
    if "\x00" in text:
        raise Unencodable(f"string contains a NUL character: {text[:80]!r}")
    return b"\x03" + text.encode("utf-8", "surrogatepass") + b"\x00"


def encode_value(value: Any) -> bytes:
    """One property value in the bulk format; raises :class:`Unencodable`."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return _NULL
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is int:
        if not _MIN_LONG <= value <= _MAX_LONG:
            raise Unencodable(f"integer out of the 64-bit range: {value}")
        return b"\x04" + _LONG.pack(value)
    if kind is float:
        if not math.isfinite(value):
            raise Unencodable(f"not a finite number: {value!r}")
        return b"\x02" + _DOUBLE.pack(value)
    if kind is list or kind is tuple:
        return b"\x05" + _LONG.pack(len(value)) + b"".join([encode_value(v) for v in value])
    if isinstance(value, str):  # str subclasses such as the model's Enums
        return _string(str.__str__(value))
    if isinstance(value, bool | int | float | list | tuple):
        return encode_value(
            bool(value) if isinstance(value, bool)
            else int(value) if isinstance(value, int)
            else float(value) if isinstance(value, float)
            else list(value)
        )
    raise Unencodable(f"unsupported property value of type {kind.__name__}")


def _header(name: str, keys: Sequence[str]) -> bytes:
    if ":" in name or "\x00" in name or any("\x00" in key for key in keys):
        raise Unencodable(f"unusable name in {name!r} {list(keys)!r}")
    return (
        name.encode() + b"\x00" + _COUNT.pack(len(keys))
        + b"".join(key.encode() + b"\x00" for key in keys)
    )


def entity_values(row: Row) -> dict[str, Any]:
    """The properties a writer row (``props`` plus provenance and lists) sets."""
    values = dict(row.get("props", {}))
    for key in ("sources", "evidence"):
        if key in row:
            values[key] = row[key]
    lists = row.get("lists")
    if lists:
        values.update(lists)
    return values


class Encoder:
    """Encodes writer rows into tokens and keeps the internal id of every node."""

    def __init__(self, first_id: int = 0) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.next_id = first_id
        self.skipped_rels = 0

    def node_tokens(
        self, label: str, rows: Sequence[Row], list_keys: Sequence[str] = ()
    ) -> Iterator[tuple[int, bytes]]:
        """``(count, token)`` for the nodes of ``label``; ids are assigned as they go.

        ``list_keys`` are list properties every node of the label carries,
        empty when a row has none (as the Cypher writer leaves them).
        """
        for chunk in _chunks(rows):
            values = []
            for row in chunk:
                props = entity_values(row)
                props["id"] = row["id"]
                for key in list_keys:
                    props.setdefault(key, [])
                values.append(props)
            keys = sorted({key for props in values for key in props})
            parts = [_header(label, keys)]
            ids = self.ids
            for props in values:
                node_id = props["id"]
                if (label, node_id) in ids:
                    raise Unencodable(f"node {label} {node_id!r} given twice")
                ids[(label, node_id)] = self.next_id
                self.next_id += 1
                parts.append(b"".join([encode_value(props.get(key)) for key in keys]))
            yield len(chunk), b"".join(parts)

    def edge_tokens(
        self, rel_type: str, start_label: str, end_label: str, rows: Sequence[Row]
    ) -> Iterator[tuple[int, bytes]]:
        """``(count, token)`` for edges between nodes already given to this encoder.

        An edge whose endpoint is unknown is skipped and counted, as the
        Cypher writer's ``MATCH`` of a missing endpoint writes nothing.
        """
        ids = self.ids
        for chunk in _chunks(rows):
            values = [entity_values(row) for row in chunk]
            keys = sorted({key for props in values for key in props})
            parts = [_header(rel_type, keys)]
            count = 0
            for row, props in zip(chunk, values, strict=True):
                start = ids.get((start_label, row["start"]))
                end = ids.get((end_label, row["end"]))
                if start is None or end is None:
                    self.skipped_rels += 1
                    continue
                parts.append(
                    _ENDPOINTS.pack(start, end)
                    + b"".join([encode_value(props.get(key)) for key in keys])
                )
                count += 1
            if count:
                yield count, b"".join(parts)


def _chunks(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    """Slices of ``rows`` small enough for one token, judged from a sample's size."""
    if not rows:
        return
    sample = rows[: min(len(rows), 64)]
    estimate = sum(len(repr(row)) for row in sample) / len(sample)
    size = max(1, int(TOKEN_BYTES / max(estimate, 1.0)))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
