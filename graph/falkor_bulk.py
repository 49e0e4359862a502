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

Tokens are built column by column with array operations rather than a
Python loop per record: every distinct value of a column is encoded once
into a pool of byte strings (unique strings all at once, as one joined
string), a record is the list of its pool items (endpoints, values, array
headers, array elements), and a token is those items gathered end to end.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from operator import methodcaller
from typing import Any

import numpy as np

from graph.model import RelColumns
from graph.partners import Ints, Partnerships

_LONG = struct.Struct("<q")
_DOUBLE = struct.Struct("<d")
_COUNT = struct.Struct("<I")
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


_PROVENANCE = ("sources", "evidence")


def _layout(rows: Sequence[Row], extra: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """The property names of a token: props keys, then list and provenance keys."""
    props = set(chain.from_iterable(map(methodcaller("get", "props", ()), rows)))
    lists = set(chain.from_iterable(filter(None, map(methodcaller("get", "lists"), rows))))
    lists.update(extra)
    provenance = [key for key in _PROVENANCE if key in rows[0]]
    return sorted(props - lists - set(provenance)), [*sorted(lists), *provenance]


# Rows encoded at a time: the server stores one chunk's tokens while the next
# chunk is encoded (a chunk's last token may be short of TOKEN_BYTES). The
# first chunks of a label or type are smaller, so the server has a token to
# store soon instead of waiting for a whole chunk.
_CHUNK_ROWS = 131_072
_FIRST_CHUNK_ROWS = 8_192


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    """``(first, end)`` of each chunk of ``count`` rows, growing to :data:`_CHUNK_ROWS`."""
    first, size = 0, _FIRST_CHUNK_ROWS
    while first < count:
        yield first, min(first + size, count)
        first += size
        size = min(size * 2, _CHUNK_ROWS)


# Bytes gathered per array operation when records are built from columns: the
# index arrays are eight times the size of what they gather.
_GATHER_BYTES = 4 * 1024 * 1024
_TAGGED_INT = np.dtype([("type", "u1"), ("value", "<i8")])
_NONE = type(None)


def _tagged_ints(values: Ints) -> np.ndarray:
    """``values`` as bulk-format integers (type byte 4, then 8 bytes), back to back."""
    out = np.empty(len(values), dtype=_TAGGED_INT)
    out["type"] = 4
    out["value"] = values
    return out.view(np.uint8)


_TAGGED_FLOAT = np.dtype([("type", "u1"), ("value", "<f8")])


def _tagged_floats(values: np.ndarray) -> np.ndarray:
    """``values`` as bulk-format doubles (type byte 2, then 8 bytes), back to back."""
    out = np.empty(len(values), dtype=_TAGGED_FLOAT)
    out["type"] = 2
    out["value"] = values
    return out.view(np.uint8)


def _tagged_arrays(counts: Ints) -> np.ndarray:
    """Array headers (type byte 5, then the 8-byte count) for ``counts``."""
    out = _tagged_ints(counts)
    out[::9] = 5
    return out


def _encoded_strings(strings: list[str]) -> tuple[bytes, Ints]:
    """``strings`` as bulk-format strings laid end to end, and the length of each.

    One join and one encode for all of them; a string the format cannot carry
    is found and named only when there is one.
    """
    joined = "\x00".join(strings)
    if joined.count("\x00") != max(len(strings) - 1, 0):
        for text in strings:
            _string(text)  # raises for the string holding a NUL
    try:
        data = joined.encode()
    except UnicodeEncodeError:
        for text in strings:
            _string(text)  # raises for the string that is not valid Unicode
        raise
    if len(data) == len(joined):  # ASCII: one byte per character
        sizes = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    else:
        sizes = np.fromiter(map(len, map(str.encode, strings)), dtype=np.int64,
                            count=len(strings))
    if not strings:
        return b"", sizes
    return b"\x03" + data.replace(b"\x00", b"\x00\x03") + b"\x00", sizes + 2


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

    def add_strings(self, strings: list[str]) -> int:
        """Add ``strings`` as bulk-format strings; returns the index of the first."""
        data, sizes = _encoded_strings(strings)
        return self._add(np.frombuffer(data, dtype=np.uint8), sizes)

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


class _Records:
    """Records built column by column, each a list of pool items."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.pool = _Pool()
        self.null = self.pool.add([_NULL])
        self.columns: list[tuple[Ints | None, Ints]] = []

    def fixed(self, data: np.ndarray, width: int) -> None:
        """A column of one ``width``-byte item per record, taken from ``data``."""
        first = self.pool.add_fixed(data, width)
        self.columns.append((None, np.arange(first, first + self.count, dtype=np.int64)))

    def items(self, counts: Ints | None, items: Ints) -> None:
        """A column of ``counts[r]`` pool items for record r (one each when ``None``)."""
        self.columns.append((counts, items))

    def values(self, values: list[Any]) -> None:
        """A column of property values.

        Strings are encoded once per distinct value (roles, names), the
        strings of string lists once per occurrence (evidence is unique to
        its row); booleans, integers and floats as arrays.
        """
        kinds = set(map(type, values))
        kinds.discard(_NONE)
        flat = (list(chain.from_iterable(values))
                if kinds and kinds <= {list, tuple} and None not in values else None)
        if kinds <= {str}:
            self.columns.append((None, self._strings(values)))
        elif kinds == {bool}:
            true = self.pool.add([_TRUE, _FALSE])
            false = true + 1
            item_of = {True: true, False: false, None: self.null}
            self.columns.append((None, self._map(item_of, values)))
        elif kinds == {int} and all(_MIN_LONG <= v <= _MAX_LONG for v in values if v is not None):
            self._numbers(values, _tagged_ints)
        elif kinds == {float} and all(math.isfinite(v) for v in values if v is not None):
            self._numbers(values, _tagged_floats)
        elif flat is not None and set(map(type, flat)) <= {str}:
            counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
            heads = self.pool.add_fixed(_tagged_arrays(counts), 9)
            elements = self.pool.add_strings(flat)
            self.columns.append((counts + 1, _interleave(
                counts, np.arange(heads, heads + len(values), dtype=np.int64),
                np.arange(elements, elements + int(counts.sum()), dtype=np.int64),
            )))
        else:  # mixed or unusual values: one by one
            first = self.pool.add([encode_value(value) for value in values])
            self.columns.append((None, np.arange(first, first + len(values), dtype=np.int64)))

    def _numbers(self, values: list[Any], tagged: Callable[[np.ndarray], np.ndarray]) -> None:
        present = [value for value in values if value is not None]
        first = self.pool.add_fixed(tagged(np.array(present)), 9)
        if len(present) == len(values):
            self.columns.append((None, np.arange(first, first + len(values), dtype=np.int64)))
            return
        missing = np.fromiter((value is None for value in values), dtype=bool, count=len(values))
        items = np.full(len(values), self.null, dtype=np.int64)
        items[~missing] = np.arange(first, first + len(present), dtype=np.int64)
        self.columns.append((None, items))

    @staticmethod
    def _map(item_of: Mapping[Any, int], values: list[Any]) -> Ints:
        return np.fromiter(map(item_of.__getitem__, values), dtype=np.int64, count=len(values))

    def _strings(self, values: list[Any]) -> Ints:
        """The pool item of each string (or ``None``), every distinct one encoded once."""
        strings = list(dict.fromkeys(values))
        if None in strings:
            strings.remove(None)
        first = self.pool.add_strings(strings)
        item_of: dict[Any, int] = dict(zip(strings, range(first, first + len(strings)),
                                           strict=True))
        item_of[None] = self.null
        return self._map(item_of, values)

    def tokens(self, header: bytes) -> Iterator[tuple[int, bytes]]:
        """The records under ``header``, cut into tokens of about :data:`TOKEN_BYTES`."""
        if not self.count:
            return
        per_record = np.zeros(self.count, dtype=np.int64)
        for counts, _ in self.columns:
            per_record += 1 if counts is None else counts
        first_item = np.cumsum(per_record) - per_record
        items = np.empty(int(per_record.sum()), dtype=np.int64)
        at = first_item.copy()
        for counts, column in self.columns:
            if counts is None:
                items[at] = column
                at += 1
            else:
                _place(items, at, counts, column)
                at += counts
        data, starts, lengths = self.pool.freeze()
        record_bytes = np.add.reduceat(lengths[items], first_item)
        yield from _cut(header, data, starts, lengths, items, first_item, record_bytes)


def _interleave(counts: Ints, heads: Ints, elements: Ints) -> Ints:
    """Per record, its head item followed by its ``counts[r]`` element items."""
    out = np.empty(len(heads) + len(elements), dtype=np.int64)
    first = np.cumsum(counts + 1) - (counts + 1)
    out[first] = heads
    _place(out, first + 1, counts, elements)
    return out


def _place(items: Ints, at: Ints, counts: Ints, values: Ints) -> None:
    """Write ``values`` (``counts[r]`` of them for record r) from ``at[r]`` on."""
    within = np.arange(len(values), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    items[np.repeat(at, counts) + within] = values


def _gather(data: np.ndarray, starts: Ints, lengths: Ints, items: Ints) -> bytes:
    """The pool items ``items`` laid end to end."""
    sizes = lengths[items]
    total = int(sizes.sum())
    index = np.repeat(starts[items] - (np.cumsum(sizes) - sizes), sizes)
    index += np.arange(total, dtype=np.int64)
    gathered: bytes = data[index].tobytes()
    return gathered


def _cut(
    header: bytes, data: np.ndarray, starts: Ints, lengths: Ints, items: Ints,
    first_item: Ints, record_bytes: Ints,
) -> Iterator[tuple[int, bytes]]:
    """Tokens of whole records, each closed by the record that takes it to
    :data:`TOKEN_BYTES` (the server's limit on one argument is 512 MB)."""
    ends = np.cumsum(record_bytes)
    item_ends = np.append(first_item[1:], len(items))
    count = len(record_bytes)
    record = 0
    while record < count:
        done = int(ends[record - 1]) if record else 0
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


def _endpoints(start: Ints, end: Ints) -> np.ndarray:
    """Edge endpoints as the two little-endian 64-bit internal ids of each record."""
    return np.stack((start, end), axis=1).astype("<u8").view(np.uint8)


class Encoder:
    """Encodes writer rows into tokens and keeps the internal id of every node."""

    def __init__(self, first_id: int = 0) -> None:
        # label -> node id -> internal id
        self.ids: dict[str, dict[str, int]] = {}
        self.next_id = first_id
        # labels whose nodes were given ids by plan(), with how many
        self._planned: dict[str, int] = {}

    def plan(self, label: str, rows: Sequence[Row]) -> None:
        """Give the nodes of ``label`` their internal ids before they are encoded.

        Nodes are stored in the order they are sent, so the ids of every node
        are known once each label is planned in that order, and edges can be
        encoded (elsewhere, too) before the nodes are.
        """
        self._assign(label, [row["id"] for row in rows])
        self._planned[label] = len(rows)

    def _assign(self, label: str, node_ids: list[str]) -> None:
        known = self.ids.setdefault(label, {})
        fresh = dict(zip(node_ids, range(self.next_id, self.next_id + len(node_ids)),
                         strict=True))
        if len(fresh) != len(node_ids) or not fresh.keys().isdisjoint(known):
            seen = set(known)
            for node_id in node_ids:
                if node_id in seen:
                    raise Unencodable(f"node {label} {node_id!r} given twice")
                seen.add(node_id)
        known.update(fresh)
        self.next_id += len(node_ids)

    def node_tokens(
        self, label: str, rows: Sequence[Row], list_keys: Sequence[str] = ()
    ) -> Iterator[tuple[int, bytes]]:
        """``(count, token)`` for the nodes of ``label``; ids are assigned as they go
        unless :meth:`plan` gave them.

        ``list_keys`` are list properties every node of the label carries,
        empty when a row has none (as the Cypher writer leaves them).
        """
        if not rows:
            return
        node_ids = [row["id"] for row in rows]
        planned = self._planned.pop(label, None)
        if planned is None:
            self._assign(label, node_ids)
        elif planned != len(rows):
            raise ValueError(f"{label}: {planned} nodes were planned, {len(rows)} given")
        empty: dict[str, Any] = {}
        for first, end in _chunks(len(rows)):
            chunk = rows[first:end]
            prop_keys, other_keys = _layout(chunk, list_keys)
            records = _Records(len(chunk))
            records.values(node_ids[first:end])
            props = [row.get("props", empty) for row in chunk]
            for key in prop_keys:
                records.values([p.get(key) for p in props])
            lists = [row.get("lists") or empty for row in chunk]
            for key in other_keys:
                if key in _PROVENANCE:
                    records.values([row.get(key) for row in chunk])
                else:
                    records.values([found.get(key, []) for found in lists])
            yield from records.tokens(_header(label, ["id", *prop_keys, *other_keys]))

    def edge_tokens(
        self, rel_type: str, start_label: str, end_label: str, rows: Sequence[Row]
    ) -> Iterator[tuple[int, bytes]]:
        """``(count, token)`` for edges between nodes already given to this encoder.

        An edge whose endpoint is unknown is skipped, as the Cypher writer's
        ``MATCH`` of a missing endpoint writes nothing. Each chunk of rows is
        looked up and laid out on its own, so the first token is ready (and the
        server busy) before the last rows are looked at.
        """
        columns = RelColumns.of(rows)
        starts = self.ids.get(start_label, {})
        ends = self.ids.get(end_label, {})
        for first, last in _chunks(len(columns)):
            chunk = columns[first:last]
            start = np.fromiter(map(starts.get, chunk.starts, repeat(-1)),
                                dtype=np.int64, count=len(chunk))
            end = np.fromiter(map(ends.get, chunk.ends, repeat(-1)),
                              dtype=np.int64, count=len(chunk))
            keep = (start >= 0) & (end >= 0)
            if not keep.all():
                chunk = chunk.select(keep.tolist())
                start, end = start[keep], end[keep]
            if not len(chunk):
                continue
            props = chunk.props
            provenance = [(key, column) for key, column in
                          (("sources", chunk.sources), ("evidence", chunk.evidence))
                          if column is not None]
            prop_keys = sorted(set(chain.from_iterable(props)) - {key for key, _ in provenance})
            records = _Records(len(chunk))
            records.fixed(_endpoints(start, end), 16)
            for key in prop_keys:
                records.values([p.get(key) for p in props])
            for _, column in provenance:
                records.values(column)
            yield from records.tokens(
                _header(rel_type, [*prop_keys, *(key for key, _ in provenance)])
            )


def partner_tokens(
    encoder: Encoder, rel_type: str, label: str, partners: Partnerships
) -> Iterator[tuple[int, bytes]]:
    """``(count, token)`` for derived partnerships between nodes already given to ``encoder``.

    The same bytes :meth:`Encoder.edge_tokens` makes of ``partners.rows()``,
    without a row per edge: the operation and source ids are encoded once
    each and every list is built from the partnership's index arrays.
    """
    if not len(partners):
        return
    known = encoder.ids.get(label, {})
    internal = np.fromiter(map(known.get, partners.agencies, repeat(-1)), dtype=np.int64,
                           count=len(partners.agencies))
    start, end = internal[partners.start], internal[partners.end]
    if (start < 0).any() or (end < 0).any():
        raise Unencodable(f"a partnership joins an agency that is not a {label} node")
    count = len(start)
    op_counts = np.diff(partners.op_offsets)
    source_counts = np.diff(partners.source_offsets)
    records = _Records(count)
    pool = records.pool
    ops = pool.add_strings(partners.operations)
    sources = pool.add_strings(partners.sources)
    # header order (as _layout sorts props): derived, first_year, last_year,
    # operations, sources, weight
    records.fixed(_endpoints(start, end), 16)
    records.items(None, np.full(count, pool.add([_TRUE]), dtype=np.int64))
    for years in (partners.first_year, partners.last_year):
        first = pool.add_fixed(
            _tagged_ints(np.array([0 if y is None else y for y in years], dtype=np.int64)), 9
        )
        missing = np.fromiter((y is None for y in years), dtype=bool, count=count)
        records.items(None, np.where(missing, records.null, first + np.arange(count)))
    for counts, index, first in ((op_counts, partners.op_index, ops),
                                 (source_counts, partners.source_index, sources)):
        heads = pool.add_fixed(_tagged_arrays(counts), 9)
        records.items(counts + 1, _interleave(
            counts, np.arange(heads, heads + count, dtype=np.int64), first + index
        ))
    records.fixed(_tagged_ints(op_counts), 9)
    yield from records.tokens(_header(
        rel_type, ["derived", "first_year", "last_year", "operations", "sources", "weight"]
    ))
