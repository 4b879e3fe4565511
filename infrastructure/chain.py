"""The hash chain over stored events, and the store-wide checkpoints over positions.

Each event row of `<app>_events` carries `chain_hash`, a SHA-256 over the hash of the
aggregate's previous event (32 zero bytes before version 1) and the row itself:

    chain_hash = sha256(previous chain_hash                     32 bytes
                        || originator_id                        16 bytes (uuid_send)
                        || originator_version                    8 bytes, big-endian
                        || recorded_at, µs since 1970-01-01 UTC  8 bytes, big-endian
                        || sha256(topic, UTF-8)                 32 bytes
                        || sha256(state))                       32 bytes

`recorded_at` is the event's own timestamp, also stored plainly beside it. Every field is
of fixed length, so no two rows hash alike by shifting bytes between fields, and the
formula can be checked in SQL (`LINK`) as well as in Python (`link`) without the keys:
an auditor verifies a copy of the store without being able to read it.

`<app>_event_heads` holds each aggregate's last version and chain hash, written with
every insert, so dropping the newest event shows too. `<app>_checkpoints` chains the
store's positions: checkpoint k commits to every event up to its position,

    digest_k = sha256(digest_{k-1} (32 zero bytes for the first)
                      || position_k || events up to position_k    8 bytes each
                      || sha256(for each event in (position_{k-1}, position_k], in order:
                                notification_id (8 bytes) || chain_hash))
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from psycopg.sql import SQL, Composed, Identifier

from application.integrity import BreakKind, HistoryBroken

GENESIS = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_GENESIS_SQL = "'\\x" + "00" * 32 + "'::bytea"


def micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def link(
    previous: bytes, originator_id: UUID, version: int, topic: str, recorded_at: datetime,
    state: bytes,
) -> bytes:  # fmt: skip
    """The chain hash of one event row, given the hash of the aggregate's event before."""
    return hashlib.sha256(
        previous
        + originator_id.bytes
        + struct.pack(">qq", version, micros(recorded_at))
        + hashlib.sha256(topic.encode()).digest()
        + hashlib.sha256(state).digest()
    ).digest()


def checkpoint_digest(previous: bytes, position: int, events: int, range_digest: bytes) -> bytes:
    return hashlib.sha256(previous + struct.pack(">qq", position, events) + range_digest).digest()


def link_sql(previous: str = "lag(chain_hash) OVER w") -> Composed:
    """`link` as SQL over a row of the events table; `previous` is the hash before it
    (by default the row before in window `w`, ordered by version per aggregate). NULL
    when anything it covers is NULL, as for a row written without a chain hash."""
    return SQL(
        "sha256(coalesce({previous}, {genesis}) || uuid_send(originator_id)"
        " || int8send(originator_version)"
        " || int8send((extract(epoch FROM recorded_at) * 1000000)::bigint)"
        " || sha256(convert_to(topic, 'UTF8')) || sha256(state))"
    ).format(previous=SQL(previous), genesis=SQL(_GENESIS_SQL))


# One position's part of a checkpoint's range digest (see the module's docstring).
RANGE_DIGEST = SQL(
    "count(*), sha256(coalesce(string_agg(int8send(notification_id)"
    " || coalesce(chain_hash, ''::bytea), ''::bytea ORDER BY notification_id), ''::bytea))"
)


class ChainTables:
    """The names of the chain's columns' table and of its own two tables, per application."""

    def __init__(self, schema: str, events_table: str) -> None:
        prefix = events_table.removesuffix("_events")
        self.schema = schema
        self.events_name = events_table
        self.events = Identifier(schema, events_table)
        self.heads = Identifier(schema, f"{prefix}_event_heads")
        self.checkpoints = Identifier(schema, f"{prefix}_checkpoints")

    def create_statements(self) -> list[Composed]:
        return [
            SQL(
                "CREATE TABLE IF NOT EXISTS {heads} ("
                "originator_id uuid PRIMARY KEY, originator_version bigint NOT NULL, "
                "chain_hash bytea NOT NULL)"
            ).format(heads=self.heads),
            SQL(
                "CREATE TABLE IF NOT EXISTS {checkpoints} ("
                "position bigint PRIMARY KEY, events bigint NOT NULL, "
                "digest bytea NOT NULL, reason text NOT NULL, "
                "created_at timestamptz NOT NULL DEFAULT now(), "
                "verified_at timestamptz, breaks integer)"
            ).format(checkpoints=self.checkpoints),
        ]

    def add_columns(self) -> Composed:
        return SQL(
            "ALTER TABLE {events} ADD COLUMN IF NOT EXISTS chain_hash bytea, "
            "ADD COLUMN IF NOT EXISTS recorded_at timestamptz"
        ).format(events=self.events)

    def columns_missing(self) -> SQL:
        return SQL(
            "SELECT count(*) < 2 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s AND column_name IN ('chain_hash', 'recorded_at')"
        )


class Remembered(NamedTuple):
    """What this process knows of an aggregate's stored history."""

    version: int  # its head, as last read or written here
    chain_hash: bytes
    checked: int  # the version up to which its rows were hashed and held
    seen: str  # the fingerprint of those rows (see ChainedRecorder._select_checked)


def check_chain(id_: UUID, head: Any, events: list[Any]) -> tuple[int, bytes] | None:
    """The aggregate's head (version, chain hash) if its rows hold; HistoryBroken if not;
    None for an aggregate with neither rows nor head."""
    expected, last = 1, GENESIS
    for row in events:
        version = row["originator_version"]
        if version != expected:
            raise HistoryBroken(id_, expected, BreakKind.MISSING)
        if row["chain_hash"] is None:
            raise HistoryBroken(id_, version, BreakKind.UNCHAINED)
        if not row["intact"]:
            raise HistoryBroken(id_, version, BreakKind.CHANGED)
        expected, last = version + 1, bytes(row["chain_hash"])
    newest = expected - 1
    if head is None:
        if events:  # rows the service never chained a head for
            raise HistoryBroken(id_, newest, BreakKind.UNCHAINED)
        return None
    if head["originator_version"] > newest:
        raise HistoryBroken(id_, newest + 1, BreakKind.MISSING)
    if head["originator_version"] < newest:
        raise HistoryBroken(id_, head["originator_version"] + 1, BreakKind.UNCHAINED)
    if bytes(head["chain_hash"]) != last:
        raise HistoryBroken(id_, newest, BreakKind.CHANGED)
    return newest, last
