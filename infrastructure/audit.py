"""`lending audit verify`: walk the store and report every break of its hash chain.

PostgreSQL hashes every row (chain.link_sql) a slice of aggregates at a time, so only
the rows that fail travel: the walk reads no event's state unless it is broken. Then
each aggregate's head is compared with its last row, and each checkpoint's range is
digested again. A broken row is decrypted to say what it holds: another version of the
same aggregate (duplicated), another aggregate's event (moved), or bytes that are not
what was encrypted (changed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import Application
from psycopg import Cursor
from psycopg.sql import SQL

from application.integrity import BreakKind
from infrastructure import checkpoints
from infrastructure.chain import RANGE_DIGEST, ChainTables, checkpoint_digest, link_sql
from infrastructure.chain_recorder import ChainedRecorder

SLICES = 16  # of the aggregate id space, each one query (and one step of progress)


@dataclass(frozen=True)
class Break:
    kind: BreakKind
    aggregate_id: UUID | None  # None for a checkpoint
    version: int | None
    position: int | None  # where in the store; None for a head that lost its events
    detail: str

    def line(self) -> str:
        where = f"aggregate {self.aggregate_id}" if self.aggregate_id else "store"
        version = f" version {self.version}" if self.version is not None else ""
        position = f" position {self.position}" if self.position is not None else ""
        return f"{self.kind}: {where}{version}{position}: {self.detail}"


@dataclass
class Verification:
    events: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    breaks: list[Break] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def verify(
    app: Application[UUID],
    from_position: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Every break in the store (from `from_position` on); marks the checkpoints checked."""
    recorder = app.recorder
    assert isinstance(recorder, ChainedRecorder)
    chain, began, found = recorder.chain, time.perf_counter(), Verification()
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(
            "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0"
        )
        for lower, upper in _slices(SLICES if not from_position else 1):
            events, breaks = _rows(curs, chain, lower, upper, from_position)
            found.events += events
            found.breaks += [_classified(app, curs, chain, b) for b in breaks]
            if progress:
                progress(events)
        found.breaks += _heads(curs, chain, from_position)
        results, mismatched = _checkpoints(curs, chain, from_position)
        found.breaks += mismatched
        found.checkpoints = len(results)
        # A checkpoint holds if nothing at or before its position broke (a head that lost
        # its newest events says not where: it counts against every checkpoint).
        at = [b.position or 0 for b in found.breaks]
        checkpoints.mark_verified(curs, chain, {p: sum(a <= p for a in at) for p in results})
    found.breaks = _deduplicated(found.breaks)
    found.seconds = time.perf_counter() - began
    return found


def checkpoint(app: Application[UUID], reason: str) -> tuple[checkpoints.Checkpoint, Verification]:
    """A checkpoint at the store's head, then the events it added verified (see verify)."""
    recorder = app.recorder
    assert isinstance(recorder, ChainedRecorder)
    with recorder.datastore.transaction(commit=True) as curs:
        checkpoints.lock(curs)
        written, after = checkpoints.append(curs, recorder.chain, reason)
    if written.position == after:  # nothing stored since the last checkpoint
        return written, Verification()
    verification = verify(app, from_position=after + 1)
    with recorder.datastore.transaction(commit=False) as curs:
        marked = checkpoints.at(curs, recorder.chain, written.position)
    return marked or written, verification


def _slices(count: int) -> list[tuple[str, str | None]]:
    """The aggregate id space in `count` slices (one for a walk from a position: it reads
    only the aggregates written since)."""
    bounds = [f"{n * 256 // count:02x}000000-0000-0000-0000-000000000000" for n in range(count)]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


def _touched(from_position: int) -> SQL:
    if not from_position:
        return SQL("")
    return SQL(
        " AND originator_id IN "
        "(SELECT originator_id FROM {events} WHERE notification_id >= %(from)s)"
    )


def _rows(
    curs: Cursor[Any], chain: ChainTables, lower: str, upper: str | None, from_position: int
) -> tuple[int, list[Break]]:
    curs.execute(
        SQL(
            "WITH r AS (SELECT originator_id, originator_version, notification_id, "
            "chain_hash IS NULL AS unchained, lag(originator_version) OVER w AS previous, "
            "chain_hash = {link} AS intact FROM {events} WHERE originator_id >= %(lower)s "
            "AND (%(upper)s::uuid IS NULL OR originator_id < %(upper)s::uuid){touched} "
            "WINDOW w AS (PARTITION BY originator_id ORDER BY originator_version)) "
            "SELECT NULL::uuid AS originator_id, count(*) AS originator_version, NULL::bigint "
            "AS notification_id, NULL::boolean AS unchained, NULL::bigint AS previous, "
            "NULL::boolean AS intact FROM r WHERE notification_id >= %(from)s UNION ALL "
            "SELECT * FROM r WHERE notification_id >= %(from)s AND (intact IS NOT TRUE OR "
            "originator_version <> coalesce(previous, 0) + 1)"
        ).format(
            link=link_sql(),
            events=chain.events,
            touched=_touched(from_position).format(events=chain.events),
        ),
        {"lower": lower, "upper": upper, "from": from_position},
    )
    summary, *broken = curs.fetchall()
    return int(summary["originator_version"]), [_row_break(row) for row in broken]


def _row_break(row: dict[str, Any]) -> Break:
    version, expected = row["originator_version"], (row["previous"] or 0) + 1
    if version != expected:  # this row links to the missing one: it is not judged itself
        missing = f"{expected}" if version == expected + 1 else f"{expected}..{version - 1}"
        kind, version, detail = (
            BreakKind.MISSING, expected, f"version {missing} deleted from the middle of the history"
        )  # fmt: skip
    elif row["unchained"]:
        kind, detail = BreakKind.UNCHAINED, "written without a chain hash, outside the service"
    else:
        kind, detail = BreakKind.CHANGED, "its bytes are not what was chained"
    return Break(kind, row["originator_id"], version, row["notification_id"], detail)


def _classified(app: Application[UUID], curs: Cursor[Any], chain: ChainTables, b: Break) -> Break:
    """What a broken row holds, if it can be read: another version or aggregate's event."""
    if b.kind not in (BreakKind.CHANGED, BreakKind.UNCHAINED) or b.position is None:
        return b
    curs.execute(
        SQL("SELECT state FROM {} WHERE notification_id = %s").format(chain.events), (b.position,)
    )
    row = curs.fetchone()
    cipher = app.mapper.cipher
    try:
        state = bytes(row["state"]) if row else b""
        held = orjson.loads(cipher.decrypt(state) if cipher else state)
        held_id, held_version = UUID(held["originator_id"]), int(held["originator_version"])
    except (ValueError, KeyError, TypeError):
        if b.kind is BreakKind.CHANGED:
            return replace(b, detail="its bytes were changed: they no longer decrypt")
        return replace(b, detail=f"{b.detail}; it cannot be read (its bytes were changed)")
    if held_id != b.aggregate_id:
        return replace(
            b, kind=BreakKind.MOVED, detail=f"it holds version {held_version} of {held_id}"
        )
    if held_version != b.version:
        return replace(b, kind=BreakKind.DUPLICATED, detail=f"it repeats version {held_version}")
    return replace(b, detail=f"{b.detail} (its topic, recorded time or chain hash were changed)")


def _heads(curs: Cursor[Any], chain: ChainTables, from_position: int) -> list[Break]:
    curs.execute(
        SQL(
            "SELECT coalesce(h.originator_id, l.originator_id) AS id, h.originator_version AS "
            "head, l.originator_version AS last FROM {heads} h FULL JOIN (SELECT DISTINCT ON "
            "(originator_id) originator_id, originator_version, chain_hash FROM {events} "
            "WHERE true{touched} ORDER BY originator_id, originator_version DESC) l "
            "USING (originator_id) WHERE (h.originator_version IS DISTINCT FROM "
            "l.originator_version OR h.chain_hash IS DISTINCT FROM l.chain_hash){touched_h}"
        ).format(
            heads=chain.heads,
            events=chain.events,
            touched=_touched(from_position).format(events=chain.events),
            touched_h=SQL(
                " AND h.originator_id IN (SELECT originator_id FROM {events} "
                "WHERE notification_id >= %(from)s)"
            ).format(events=chain.events)
            if from_position
            else SQL(""),
        ),
        {"from": from_position},
    )
    return [_head_break(row["id"], row["head"], row["last"]) for row in curs.fetchall()]


def _head_break(id_: UUID, head: int | None, last: int | None) -> Break:
    if last is None or (head is not None and head > last):
        first = (last or 0) + 1
        return Break(BreakKind.MISSING, id_, first, None,
                     f"versions {first}..{head} are gone: the newest dropped")  # fmt: skip
    if head is None or head < last:
        added = f"{(head or 0) + 1}..{last}"
        return Break(BreakKind.UNCHAINED, id_, (head or 0) + 1, None,
                     f"versions {added} were added past the head the service wrote")  # fmt: skip
    return Break(BreakKind.CHANGED, id_, head, None,
                 "the newest chain hash is not the head the service wrote")  # fmt: skip


def _checkpoints(
    curs: Cursor[Any], chain: ChainTables, from_position: int
) -> tuple[list[int], list[Break]]:
    """Each checkpoint (from the one covering `from_position`) digested again."""
    curs.execute(
        SQL(
            "WITH c AS (SELECT position, events, digest, lag(position, 1, 0::bigint) OVER o "
            "AS after, lag(events, 1, 0::bigint) OVER o AS events_before, lag(digest) OVER o "
            "AS digest_before FROM {checkpoints} WINDOW o AS (ORDER BY position)) "
            "SELECT c.*, r.* FROM c CROSS JOIN LATERAL (SELECT {digest} FROM {events} WHERE "
            "notification_id > c.after AND notification_id <= c.position) r(counted, found) "
            "WHERE c.position >= %s ORDER BY c.position"
        ).format(checkpoints=chain.checkpoints, digest=RANGE_DIGEST, events=chain.events),
        (from_position,),
    )
    positions, breaks = [], []
    for row in curs.fetchall():
        position, before = row["position"], bytes(row["digest_before"] or bytes(32))
        positions.append(position)
        expected = checkpoint_digest(before, position, row["events"], bytes(row["found"]))
        counted = row["events_before"] + row["counted"]
        if expected != bytes(row["digest"]) or counted != row["events"]:
            breaks.append(
                Break(
                    BreakKind.CHECKPOINT,
                    None,
                    None,
                    position,
                    f"positions {row['after'] + 1}..{position} no longer digest to "
                    f"the checkpoint ({counted} events where it counted "
                    f"{row['events']})",
                )
            )
    return positions, breaks


def _deduplicated(breaks: list[Break]) -> list[Break]:
    """One break per aggregate and version (a row's own finding before its head's)."""
    seen: set[tuple[UUID, int]] = set()
    kept = []
    for b in breaks:
        if b.aggregate_id is not None and b.version is not None:
            if (b.aggregate_id, b.version) in seen:
                continue
            seen.add((b.aggregate_id, b.version))
        kept.append(b)
    return sorted(kept, key=lambda b: (str(b.aggregate_id or ""), b.version or 0))
