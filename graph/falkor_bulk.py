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

import numpy as np

from graph.partners import Ints, Partnerships

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
TOKEN_BYTES = 32 * 1024 * 1024

Row = Mapping[str, Any]


class Unencodable(ValueError):
    """A value that cannot travel in a bulk token (a NUL character, a map...)."""


def _string(text: str) -> bytes:
    if "\x00" in text:
        raise Unencodable(f"string contains a NUL character: {text[:80]!r}")
    try:
        return b"\x03" + text.encode() + b"\x00"
    except UnicodeEncodeError as exc:
        raise Unencodable(f"string is not valid Unicode text: {text[:80]!r}") from exc


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


# Per property, this many distinct encoded strings and string lists are kept:
# repeated values (roles, sources) are encoded once, unique ones (evidence)
# stop filling the cache once it is full.
_CACHE_SIZE = 4096


class _Columns:
    """Encodes rows of values, with caches per property for strings and string lists."""

    __slots__ = ("caches",)

    def __init__(self, width: int) -> None:
        self.caches: list[tuple[dict[str, bytes], dict[tuple[str, ...], bytes]]] = [
            ({}, {}) for _ in range(width)
        ]

    def encode(self, values: Sequence[Any]) -> bytes:
        parts = []
        for (strings, lists), value in zip(self.caches, values, strict=True):
            kind = type(value)
            if kind is str:
                encoded = strings.get(value)
                if encoded is None:
                    encoded = _string(value)
                    if len(strings) < _CACHE_SIZE:
                        strings[value] = encoded
            elif value is None:
                encoded = _NULL
            elif kind is list and all(type(item) is str for item in value):
                key = tuple(value)
                encoded = lists.get(key)
                if encoded is None:
                    encoded = b"\x05" + _LONG.pack(len(value)) + b"".join(map(_string, value))
                    if len(lists) < _CACHE_SIZE:
                        lists[key] = encoded
            else:
                encoded = encode_value(value)
            parts.append(encoded)
        return b"".join(parts)


_PROVENANCE = ("sources", "evidence")


def _layout(rows: Sequence[Row], extra: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """The property names of a token: props keys, then list and provenance keys."""
    props: set[str] = set()
    lists: set[str] = set(extra)
    for row in rows:
        props.update(row.get("props", ()))
        if row.get("lists"):
            lists.update(row["lists"])
    provenance = [key for key in _PROVENANCE if key in rows[0]]
    return sorted(props - lists - set(provenance)), [*sorted(lists), *provenance]


class Encoder:
    """Encodes writer rows into tokens and keeps the internal id of every node."""

    def __init__(self, first_id: int = 0) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.next_id = first_id

    def node_tokens(
        self, label: str, rows: Sequence[Row], list_keys: Sequence[str] = ()
    ) -> Iterator[tuple[int, bytes]]:
        """``(count, token)`` for the nodes of ``label``; ids are assigned as they go.

        ``list_keys`` are list properties every node of the label carries,
        empty when a row has none (as the Cypher writer leaves them).
        """
        if not rows:
            return
        ids = self.ids
        prop_keys, other_keys = _layout(rows, list_keys)
        list_names = [key for key in other_keys if key not in _PROVENANCE]
        provenance = [key for key in other_keys if key in _PROVENANCE]
        columns = _Columns(1 + len(prop_keys) + len(other_keys))
        token = _Token(_header(label, ["id", *prop_keys, *other_keys]))
        empty: dict[str, Any] = {}
        for row in rows:
            node_id = row["id"]
            if (label, node_id) in ids:
                raise Unencodable(f"node {label} {node_id!r} given twice")
            ids[(label, node_id)] = self.next_id
            self.next_id += 1
            props = row.get("props", empty)
            lists = row.get("lists") or empty
            full = token.add(columns.encode([
                node_id,
                *[props.get(key) for key in prop_keys],
                *[lists.get(key, []) for key in list_names],
                *[row.get(key) for key in provenance],
            ]))
            if full:
                yield token.take()
        if token.count:
            yield token.take()

    def edge_tokens(
        self, rel_type: str, start_label: str, end_label: str, rows: Sequence[Row]
    ) -> Iterator[tuple[int, bytes]]:
        """``(count, token)`` for edges between nodes already given to this encoder.

        An edge whose endpoint is unknown is skipped, as the Cypher writer's
        ``MATCH`` of a missing endpoint writes nothing.
        """
        if not rows:
            return
        ids = self.ids
        prop_keys, provenance = _layout(rows)
        columns = _Columns(len(prop_keys) + len(provenance))
        token = _Token(_header(rel_type, [*prop_keys, *provenance]))
        pack = _ENDPOINTS.pack
        for row in rows:
            start = ids.get((start_label, row["start"]))
            end = ids.get((end_label, row["end"]))
            if start is None or end is None:
                continue
            props = row["props"]
            full = token.add(pack(start, end) + columns.encode(
                [*[props.get(key) for key in prop_keys], *[row[key] for key in provenance]]
            ))
            if full:
                yield token.take()
        if token.count:
            yield token.take()


# Bytes gathered per array operation when records are built from columns: the
# index arrays are eight times the size of what they gather.
_GATHER_BYTES = 4 * 1024 * 1024
_TAGGED_INT = np.dtype([("type", "u1"), ("value", "<i8")])


def _tagged_ints(values: Ints) -> np.ndarray:
    """``values`` as bulk-format integers (type byte 4, then 8 bytes), back to back."""
    out = np.empty(len(values), dtype=_TAGGED_INT)
    out["type"] = 4
    out["value"] = values
    return out.view(np.uint8)


def _tagged_arrays(counts: Ints) -> np.ndarray:
    """Array headers (type byte 5, then the 8-byte count) for ``counts``."""
    out = _tagged_ints(counts)
    out[::9] = 5
    return out


class _Pool:
    """Byte strings laid end to end; records are lists of their indexes."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        self.count = 0

    def add(self, items: Sequence[bytes]) -> int:
        """Add ``items``; returns the index of the first."""
        return self._add(
            np.frombuffer(b"".join(items), dtype=np.uint8),
            np.fromiter(map(len, items), dtype=np.int64, count=len(items)),
        )

    def add_fixed(self, data: np.ndarray, width: int) -> int:
        """Add ``data`` cut into items of ``width`` bytes; returns the index of the first."""
        return self._add(data.reshape(-1), np.full(data.size // width, width, dtype=np.int64))

    def _add(self, data: np.ndarray, lengths: np.ndarray) -> int:
        first = self.count
        self.blocks.append(data)
        self.lengths.append(lengths)
        self.count += len(lengths)
        return first

    def freeze(self) -> tuple[np.ndarray, Ints, Ints]:
        data = np.concatenate(self.blocks) if self.blocks else np.empty(0, np.uint8)
        lengths = np.concatenate(self.lengths) if self.lengths else np.empty(0, np.int64)
        return data, np.cumsum(lengths) - lengths, lengths


def _gather(data: np.ndarray, starts: Ints, lengths: Ints, items: Ints) -> bytes:
    """The pool items ``items`` laid end to end."""
    sizes = lengths[items]
    total = int(sizes.sum())
    index = np.repeat(starts[items] - (np.cumsum(sizes) - sizes), sizes)
    index += np.arange(total, dtype=np.int64)
    gathered: bytes = data[index].tobytes()
    return gathered


def partner_tokens(
    encoder: Encoder, rel_type: str, label: str, partners: Partnerships
) -> Iterator[tuple[int, bytes]]:
    """``(count, token)`` for derived partnerships between nodes already given to ``encoder``.

    The same bytes :meth:`Encoder.edge_tokens` makes of ``partners.rows()``,
    built with array operations: every record is a list of pool items (its
    endpoints, values, array headers and the encoded operation and source
    ids), and a token is those items gathered.
    """
    if not len(partners):
        return
    internal = np.fromiter(
        (encoder.ids.get((label, agency), -1) for agency in partners.agencies),
        dtype=np.int64, count=len(partners.agencies),
    )
    start, end = internal[partners.start], internal[partners.end]
    if (start < 0).any() or (end < 0).any():
        raise Unencodable(f"a partnership joins an agency that is not a {label} node")
    count = len(start)
    op_counts = np.diff(partners.op_offsets)
    source_counts = np.diff(partners.source_offsets)
    first_year = np.array([0 if y is None else y for y in partners.first_year], dtype=np.int64)
    last_year = np.array([0 if y is None else y for y in partners.last_year], dtype=np.int64)

    pool = _Pool()
    true = pool.add([_TRUE, _NULL])
    null = true + 1
    ops = pool.add([_string(op) for op in partners.operations])
    sources = pool.add([_string(source) for source in partners.sources])
    endpoints = pool.add_fixed(
        np.stack((start, end), axis=1).astype("<u8").view(np.uint8), 16
    )
    firsts = pool.add_fixed(_tagged_ints(first_year), 9)
    lasts = pool.add_fixed(_tagged_ints(last_year), 9)
    op_heads = pool.add_fixed(_tagged_arrays(op_counts), 9)
    source_heads = pool.add_fixed(_tagged_arrays(source_counts), 9)
    weights = pool.add_fixed(_tagged_ints(op_counts), 9)
    data, starts, lengths = pool.freeze()

    # record r: endpoints, derived, first_year, last_year, operations (header,
    # items), sources (header, items), weight: the header order of _layout
    per_record = 7 + op_counts + source_counts
    first_item = np.cumsum(per_record) - per_record
    items = np.empty(int(per_record.sum()), dtype=np.int64)
    records = np.arange(count, dtype=np.int64)
    no_first = np.fromiter((y is None for y in partners.first_year), dtype=bool, count=count)
    no_last = np.fromiter((y is None for y in partners.last_year), dtype=bool, count=count)
    items[first_item] = endpoints + records
    items[first_item + 1] = true
    items[first_item + 2] = np.where(no_first, null, firsts + records)
    items[first_item + 3] = np.where(no_last, null, lasts + records)
    items[first_item + 4] = op_heads + records
    _place(items, first_item + 5, op_counts, ops + partners.op_index)
    after_ops = first_item + 5 + op_counts
    items[after_ops] = source_heads + records
    _place(items, after_ops + 1, source_counts, sources + partners.source_index)
    items[after_ops + 1 + source_counts] = weights + records

    header = _header(rel_type, ["derived", "first_year", "last_year", "operations", "sources",
                                "weight"])
    record_bytes = np.add.reduceat(lengths[items], first_item)
    yield from _cut(header, data, starts, lengths, items, first_item, record_bytes)


def _place(items: Ints, at: Ints, counts: Ints, values: Ints) -> None:
    """Write ``values`` (``counts[r]`` of them for record r) from ``at[r]`` on."""
    within = np.arange(len(values), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    items[np.repeat(at, counts) + within] = values


def _cut(
    header: bytes, data: np.ndarray, starts: Ints, lengths: Ints, items: Ints,
    first_item: Ints, record_bytes: Ints,
) -> Iterator[tuple[int, bytes]]:
    """Tokens of whole records, each closing once it reaches :data:`TOKEN_BYTES`."""
    ends = np.cumsum(record_bytes)
    item_ends = np.append(first_item[1:], len(items))
    count = len(record_bytes)
    record = 0
    while record < count:
        done = int(ends[record - 1]) if record else 0
        # the record that reaches the limit closes the token, as in _Token.add
        reach = int(np.searchsorted(ends, done + TOKEN_BYTES - len(header), "left"))
        last = min(max(reach, record), count - 1)
        parts = [header]
        piece = record
        while piece <= last:
            base = int(ends[piece - 1]) if piece else 0
            stop = min(int(np.searchsorted(ends, base + _GATHER_BYTES, "left")), last)
            parts.append(_gather(data, starts, lengths,
                                 items[first_item[piece] : item_ends[stop]]))
            piece = stop + 1
        yield last + 1 - record, b"".join(parts)
        record = last + 1


class _Token:
    """Records under one header, cut when they reach :data:`TOKEN_BYTES`."""

    __slots__ = ("count", "header", "parts", "size")

    def __init__(self, header: bytes) -> None:
        self.header = header
        self.parts = [header]
        self.size = len(header)
        self.count = 0

    def add(self, record: bytes) -> bool:
        self.parts.append(record)
        self.size += len(record)
        self.count += 1
        return self.size >= TOKEN_BYTES

    def take(self) -> tuple[int, bytes]:
        done = (self.count, b"".join(self.parts))
        self.parts = [self.header]
        self.size = len(self.header)
        self.count = 0
        return done
