"""Store-wide checkpoints: each commits to every event up to its position (chain.py).

A checkpoint is appended at each close of business and on demand (`lending audit
checkpoint`), then the events it added are verified (infrastructure/audit.py), which
marks it verified when they hold. The first, written by the chain's one-time start
(chain_migration.py), commits to every event stored before the chain existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Cursor
from psycopg.sql import SQL

from infrastructure.chain import GENESIS, RANGE_DIGEST, ChainTables, checkpoint_digest

# Serialises the writers of checkpoints (and the chain's start) across processes.
CHECKPOINT_LOCK = 0x6C656E64  # "lend"
STARTED = "chain started"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    events: int  # events stored up to the position
    digest: bytes
    reason: str
    created_at: datetime
    verified_at: datetime | None
    breaks: int | None  # breaks found the last time it was verified

    @classmethod
    def of(cls, row: dict[str, Any]) -> Checkpoint:
        return cls(
            position=row["position"], events=row["events"], digest=bytes(row["digest"]),
            reason=row["reason"], created_at=row["created_at"], verified_at=row["verified_at"],
            breaks=row["breaks"],
        )  # fmt: skip

    def payload(self) -> dict[str, Any]:
        """What an export signs, as JSON values."""
        return {
            "position": self.position,
            "events": self.events,
            "digest": self.digest.hex(),
            "reason": self.reason,
            "created_at": self.created_at.isoformat(),
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
            "algorithm": "sha256 event chain, v1",
        }


def range_digest(curs: Cursor[Any], chain: ChainTables, after: int, upto: int) -> tuple[int, bytes]:
    """How many events lie in (after, upto], and the digest of their positions and hashes."""
    curs.execute(
        SQL(
            "SELECT {digest} FROM {events} WHERE notification_id > %s AND notification_id <= %s"
        ).format(digest=RANGE_DIGEST, events=chain.events),
        (after, upto),
    )
    row = curs.fetchone()
    assert row is not None
    count, digest = row.values()
    return int(count), bytes(digest)


def latest(curs: Cursor[Any], chain: ChainTables, *, verified: bool = False) -> Checkpoint | None:
    where = SQL(" WHERE verified_at IS NOT NULL AND breaks = 0") if verified else SQL("")
    curs.execute(
        SQL("SELECT * FROM {checkpoints}{where} ORDER BY position DESC LIMIT 1").format(
            checkpoints=chain.checkpoints, where=where
        )
    )
    row = curs.fetchone()
    return Checkpoint.of(row) if row else None


def at(curs: Cursor[Any], chain: ChainTables, position: int) -> Checkpoint | None:
    curs.execute(SQL("SELECT * FROM {} WHERE position = %s").format(chain.checkpoints), (position,))
    row = curs.fetchone()
    return Checkpoint.of(row) if row else None


def append(curs: Cursor[Any], chain: ChainTables, reason: str) -> tuple[Checkpoint, int]:
    """A checkpoint at the store's head (the last one, if nothing was stored since), and
    the position of the checkpoint before it. The caller holds CHECKPOINT_LOCK."""
    previous = latest(curs, chain)
    curs.execute(SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(chain.events))
    row = curs.fetchone()
    assert row is not None
    head = int(next(iter(row.values())))
    after, before, counted = (
        (previous.position, previous.digest, previous.events) if previous else (0, GENESIS, 0)
    )
    if previous is not None and head <= previous.position:
        return previous, after
    count, digest = range_digest(curs, chain, after, head)
    events = counted + count
    curs.execute(
        SQL(
            "INSERT INTO {} (position, events, digest, reason) VALUES (%s, %s, %s, %s) RETURNING *"
        ).format(chain.checkpoints),
        (head, events, checkpoint_digest(before, head, events, digest), reason),
    )
    written = curs.fetchone()
    assert written is not None
    return Checkpoint.of(written), after


def lock(curs: Cursor[Any]) -> None:
    curs.execute("SELECT pg_advisory_xact_lock(%s)", (CHECKPOINT_LOCK,))


def mark_verified(curs: Cursor[Any], chain: ChainTables, results: dict[int, int]) -> None:
    """Record, per checkpoint position, how many breaks its last verification found."""
    if results:
        curs.execute(
            SQL(
                "UPDATE {} c SET verified_at = now(), breaks = r.breaks FROM "
                "unnest(%s::bigint[], %s::integer[]) AS r(position, breaks) "
                "WHERE c.position = r.position"
            ).format(chain.checkpoints),
            (list(results), list(results.values())),
        )
