"""``PARTNERS_WITH`` derived in memory, as columns.

Two agencies are partners when they took part in the same operation; the
edge goes from the smaller id to the larger and carries the shared
operations, their count, the first and last year among them and the union
of the participation sources (see :data:`graph.writer.REBUILD_PARTNERS`, the
Cypher that derives the same edges inside a store).

A million participation rows make about as many partnerships, so they are
derived with array operations rather than a Python loop per pair, and kept
as columns (index arrays into sorted id lists) that the bulk encoder turns
into bytes without building a row per edge. :meth:`Partnerships.rows` gives
the same edges as the writer's dict rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.model import RelColumns

Ints = npt.NDArray[np.int64]

_NO_MIN = np.iinfo(np.int64).max
_NO_MAX = np.iinfo(np.int64).min


@dataclass(frozen=True, slots=True, eq=False)
class Partnerships:
    """One entry per agency pair; ``*_index`` arrays index the sorted id lists.

    The operations of pair ``i`` are ``operations[op_index[op_offsets[i]:
    op_offsets[i + 1]]]`` (sorted), and likewise its sources. A year of
    :data:`None` is an operation without one; ``first_year``/``last_year``
    hold ``None`` for pairs whose operations have no year.
    """

    agencies: list[str]
    operations: list[str]
    sources: list[str]
    start: Ints
    end: Ints
    op_offsets: Ints
    op_index: Ints
    source_offsets: Ints
    source_index: Ints
    first_year: list[Any]
    last_year: list[Any]

    def __len__(self) -> int:
        return len(self.start)

    def rows(self) -> Iterator[dict[str, Any]]:
        """The writer's relationship rows ``{start, end, props}``, lists sorted."""
        agencies, operations, sources = self.agencies, self.operations, self.sources
        op_offsets, op_index = self.op_offsets.tolist(), self.op_index.tolist()
        src_offsets, src_index = self.source_offsets.tolist(), self.source_index.tolist()
        for i, (a, b) in enumerate(zip(self.start.tolist(), self.end.tolist(), strict=True)):
            ops = [operations[k] for k in op_index[op_offsets[i] : op_offsets[i + 1]]]
            yield {
                "start": agencies[a],
                "end": agencies[b],
                "props": {
                    "weight": len(ops),
                    "operations": ops,
                    "sources": [sources[k] for k in src_index[src_offsets[i] : src_offsets[i + 1]]],
                    "first_year": self.first_year[i],
                    "last_year": self.last_year[i],
                    "derived": True,
                },
            }


def _ints(values: Iterable[int]) -> Ints:
    return np.fromiter(values, dtype=np.int64)


def _segments(sorted_keys: Ints) -> Ints:
    """Start positions of the runs of equal values in ``sorted_keys``, then its length."""
    starts = np.flatnonzero(np.diff(sorted_keys, prepend=sorted_keys[:1] - 1))
    return np.append(starts, len(sorted_keys)).astype(np.int64)


def derive_partners(
    participation: Sequence[Mapping[str, Any]],
    agencies: Iterable[Mapping[str, Any]],
    operations: Iterable[Mapping[str, Any]],
) -> Partnerships:
    """Partnerships from the grouped ``(Agency)-[:PARTICIPATED_IN]->(Operation)`` rows.

    ``agencies`` and ``operations`` are the grouped ``Agency`` and
    ``Operation`` rows; participation of an agency or in an operation that is
    not among them is ignored, as the Cypher rebuild's ``MATCH`` would.
    """
    years_by_op = {row["id"]: row["props"].get("year") for row in operations}
    # columns, and map(), keep the per-row work in C: there is a row per participation
    rows = RelColumns.of(participation)
    starts, ends = rows.starts, rows.ends
    source_lists = list(map(tuple, rows.sources)) if rows.sources is not None else [()] * len(rows)
    agency_ids = sorted(set(map(itemgetter("id"), agencies)) & set(starts))
    op_ids = sorted(years_by_op.keys() & set(ends))
    agency_at = {agency: i for i, agency in enumerate(agency_ids)}
    op_at = {op: i for i, op in enumerate(op_ids)}
    set_list = sorted(set(source_lists))
    set_at = {members: i for i, members in enumerate(set_list)}
    edge_op = np.fromiter(map(op_at.get, ends, repeat(-1)), np.int64, len(rows))
    edge_agency = np.fromiter(map(agency_at.get, starts, repeat(-1)), np.int64, len(rows))
    known = (edge_op >= 0) & (edge_agency >= 0)
    edge_op, edge_agency = edge_op[known], edge_agency[known]
    edge_set = np.fromiter(map(set_at.__getitem__, source_lists), np.int64, len(rows))[known]

    # every pair of members of each operation, the smaller agency index first
    width = max(len(agency_ids), 1)
    order = np.argsort(edge_op * width + edge_agency)
    edge_agency, edge_op, edge_set = edge_agency[order], edge_op[order], edge_set[order]
    sizes = np.bincount(edge_op, minlength=len(op_ids))
    firsts = np.cumsum(sizes) - sizes
    left_parts, right_parts = [], []
    for size in np.unique(sizes[sizes >= 2]).tolist():
        i, j = np.triu_indices(size, 1)
        base = firsts[sizes == size][:, None]
        left_parts.append((base + i).ravel())
        right_parts.append((base + j).ravel())
    left = np.concatenate(left_parts) if left_parts else np.empty(0, np.int64)
    right = np.concatenate(right_parts) if right_parts else np.empty(0, np.int64)

    # group the (pair, operation) entries by pair, operations in id order
    key = edge_agency[left] * width + edge_agency[right]
    entry_op = edge_op[left]
    if width * width * max(len(op_ids), 1) < 2**62:
        order = np.argsort(key * len(op_ids) + entry_op)
    else:
        order = np.lexsort((entry_op, key))
    key, entry_op = key[order], entry_op[order]
    left, right = left[order], right[order]
    if not len(key):
        empty = np.empty(0, np.int64)
        offsets = np.zeros(1, np.int64)
        return Partnerships([], [], [], empty, empty, offsets, empty, offsets, empty, [], [])
    op_offsets = _segments(key)
    heads = key[op_offsets[:-1]]
    pair_of_entry = np.repeat(np.arange(len(heads)), np.diff(op_offsets))

    # sources: the union of both members' participation sources over the operations
    sources = sorted({source for sources in set_list for source in sources})
    source_at = {source: i for i, source in enumerate(sources)}
    set_members = [sorted({source_at[s] for s in members}) for members in set_list]
    if len(set_list) == 1:
        shared = np.asarray(set_members[0], dtype=np.int64)
        source_index = np.tile(shared, len(heads))
        source_offsets = np.arange(len(heads) + 1, dtype=np.int64) * len(shared)
    else:
        set_count = len(set_list)
        pair_sets = np.unique(np.concatenate((
            pair_of_entry * set_count + edge_set[left],
            pair_of_entry * set_count + edge_set[right],
        )))
        set_sizes = np.array([len(m) for m in set_members], dtype=np.int64)
        set_flat = _ints(s for members in set_members for s in members)
        set_firsts = np.cumsum(set_sizes) - set_sizes
        chosen = pair_sets % set_count
        counts = set_sizes[chosen]
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        members = set_flat[np.repeat(set_firsts[chosen], counts) + within]
        pair_sources = np.unique(np.repeat(pair_sets // set_count, counts) * len(sources) + members)
        source_index = pair_sources % max(len(sources), 1)
        source_offsets = np.searchsorted(
            pair_sources // max(len(sources), 1), np.arange(len(heads) + 1)
        ).astype(np.int64)

    first_year, last_year = _year_range(
        [years_by_op[op] for op in op_ids], entry_op, op_offsets
    )
    return Partnerships(
        agencies=agency_ids,
        operations=op_ids,
        sources=sources,
        start=heads // width,
        end=heads % width,
        op_offsets=op_offsets,
        op_index=entry_op,
        source_offsets=source_offsets,
        source_index=source_index,
        first_year=first_year,
        last_year=last_year,
    )


def _year_range(years: list[Any], entry_op: Ints, offsets: Ints) -> tuple[list[Any], list[Any]]:
    """Per pair, the smallest and largest year of its operations (``None`` if none has one)."""
    if not all(year is None or (type(year) is int and abs(year) < 2**62) for year in years):
        spans = [
            [y for k in entry_op[a:b].tolist() if (y := years[k]) is not None]
            for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
        ]
        return ([min(s) if s else None for s in spans], [max(s) if s else None for s in spans])
    low = np.array([_NO_MIN if y is None else y for y in years], dtype=np.int64)[entry_op]
    high = np.array([_NO_MAX if y is None else y for y in years], dtype=np.int64)[entry_op]
    first = np.minimum.reduceat(low, offsets[:-1])
    last = np.maximum.reduceat(high, offsets[:-1])
    return (
        [None if y == _NO_MIN else y for y in first.tolist()],
        [None if y == _NO_MAX else y for y in last.tolist()],
    )
