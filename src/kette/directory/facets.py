"""Facet counts of search results from an in-memory index of the filter keys.

Counting the `ServiceFacet` rows of the matching offers with a GROUP BY reads
about ten index entries per match at random: ~1 s for 50,000 matches among
100,000 offers on SQLite, far more than the search itself. Instead, each
process keeps per search scope (one municipality, one programme, or all) the
facet keys of every offer as compressed sparse rows in numpy arrays: the offer
ids sorted, where each offer's keys start, and the keys as small integers.
Counting a result is then a binary search of its ids, a gather and a
`bincount`, a few milliseconds even for half of 100,000 offers.

Freshness: `services._write_facets` gives every municipality whose rows it
changed a new random token (`FacetVersion`) in the same transaction. Before
each count a process reads the tokens of the scope (one indexed query) and
rebuilds its index when they differ from those it was built with. Tokens are
random rather than counters, so an index built inside a transaction that was
rolled back never looks current afterwards. Rows of deleted offers may stay in
an index until the next change; they are never counted, because only ids that
the full-text query matched are looked up. At most `MAX_SCOPES` indexes are
kept per process (least recently used go first).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connections

MAX_SCOPES = 32
BUILD_CHUNK = 50_000

# (database alias, "m" | "p" | "all", id or 0)
Scope = tuple[str, str, int]


@dataclass(frozen=True)
class FacetIndex:
    signature: tuple[tuple[int, str], ...]
    ids: np.ndarray  # sorted offer ids
    starts: np.ndarray  # len(ids) + 1 offsets into codes
    codes: np.ndarray  # key numbers, offer by offer
    keys: tuple[str, ...]  # key number -> key

    def count(self, service_ids: Sequence[int]) -> dict[str, int]:
        """How many of the offers `service_ids` carry each key (keys with none left out)."""
        if not len(service_ids) or not len(self.ids):
            return {}
        wanted = np.asarray(service_ids, dtype=np.int64)
        positions = np.searchsorted(self.ids, wanted)
        inside = positions < len(self.ids)
        positions, wanted = positions[inside], wanted[inside]
        positions = positions[self.ids[positions] == wanted]
        if not len(positions):
            return {}
        starts = self.starts[positions]
        lengths = self.starts[positions + 1] - starts
        total = int(lengths.sum())
        if not total:
            return {}
        # Indices of every key of every wanted offer: each offer's start repeated
        # once per key, plus the key's place within the offer.
        ends = np.cumsum(lengths)
        gather = np.repeat(starts - (ends - lengths), lengths) + np.arange(total)
        counts = np.bincount(self.codes[gather], minlength=len(self.keys))
        return {self.keys[i]: int(counts[i]) for i in np.flatnonzero(counts)}


_indexes: OrderedDict[Scope, FacetIndex] = OrderedDict()
_lock = threading.Lock()


def _scope_sql(kind: str) -> str:
    """The WHERE clause selecting the scope's rows of a table with municipality_id."""
    if kind == "m":
        return "WHERE municipality_id = %s"
    if kind == "p":
        return "WHERE municipality_id IN (SELECT id FROM core_municipality WHERE programme_id = %s)"
    return ""


def _signature(scope: Scope) -> tuple[tuple[int, str], ...]:
    alias, kind, scope_id = scope
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT municipality_id, token FROM directory_facetversion "  # noqa: S608
            f"{_scope_sql(kind)} ORDER BY municipality_id",
            [scope_id] if kind != "all" else [],
        )
        return tuple((int(m), str(t)) for m, t in cursor.fetchall())


def _build(scope: Scope, signature: tuple[tuple[int, str], ...]) -> FacetIndex:
    alias, kind, scope_id = scope
    numbers: dict[str, int] = {}
    owner_parts, code_parts = [], []
    # Streamed (a server-side cursor on PostgreSQL): a programme of a million
    # offers has ten million rows, which as Python tuples would need gigabytes;
    # as arrays they take twelve bytes each.
    with connections[alias].chunked_cursor() as cursor:
        cursor.execute(
            "SELECT service_id, key FROM directory_servicefacet "  # noqa: S608
            f"{_scope_sql(kind)} ORDER BY service_id",
            [scope_id] if kind != "all" else [],
        )
        while rows := cursor.fetchmany(BUILD_CHUNK):
            owner_parts.append(
                np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            )
            code_parts.append(
                np.fromiter(
                    (numbers.setdefault(row[1], len(numbers)) for row in rows),
                    dtype=np.int32,
                    count=len(rows),
                )
            )
    owners = np.concatenate(owner_parts) if owner_parts else np.empty(0, dtype=np.int64)
    codes = np.concatenate(code_parts) if code_parts else np.empty(0, dtype=np.int32)
    ids, first = np.unique(owners, return_index=True)  # rows come sorted by offer
    starts = np.append(first, len(owners)).astype(np.int64)
    return FacetIndex(signature=signature, ids=ids, starts=starts, codes=codes, keys=tuple(numbers))


def facet_index(scope: Scope) -> FacetIndex:
    """The current index of the scope's filter keys (rebuilt when they changed)."""
    signature = _signature(scope)
    with _lock:
        cached = _indexes.get(scope)
        if cached is not None and cached.signature == signature:
            _indexes.move_to_end(scope)
            return cached
    index = _build(scope, signature)
    with _lock:
        _indexes[scope] = index
        _indexes.move_to_end(scope)
        while len(_indexes) > MAX_SCOPES:
            _indexes.popitem(last=False)
    return index


def count_facets(scope: Scope, service_ids: Sequence[int]) -> dict[str, int]:
    """Key -> number of the offers `service_ids` (all within `scope`) that carry it."""
    return facet_index(scope).count(service_ids)


def touch(municipality_ids: Iterable[int], *, using: str = "default") -> None:
    """Mark the municipalities' facet rows as changed (call inside the writing
    transaction)."""
    ids = sorted(set(municipality_ids))
    if not ids:
        return
    from kette.directory.models import FacetVersion

    manager = FacetVersion.objects.using(using)
    have = set(manager.filter(municipality_id__in=ids).values_list("municipality_id", flat=True))
    # Rows another transaction may insert at the same time are left to it
    # (ignore_conflicts); the update below then gives them our own new token.
    manager.bulk_create(
        [FacetVersion(municipality_id=m, token="") for m in ids if m not in have],
        ignore_conflicts=True,
    )
    for municipality_id in ids:
        manager.filter(municipality_id=municipality_id).update(token=uuid.uuid4().hex)
