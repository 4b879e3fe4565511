"""How events are stored: pydantic models, as orjson bytes, AES-GCM encrypted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import orjson
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from application.integrity import BreakKind, HistoryBroken
from infrastructure.personal_fields import FieldSealer


@dataclass(frozen=True)
class TimedStoredEvent(StoredEvent):
    """A stored event with its recorded time beside it, as the hash chain covers it."""

    recorded_at: datetime | None = None


class OrjsonTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class PydanticMapper(Mapper[Any]):
    """Stores a pydantic event's JSON form; pydantic restores the exact types.

    With a `sealer` (the runtime gives it one), the personal fields inside are sealed
    with their owner's data key first (personal_fields.py)."""

    sealer: FieldSealer | None = None

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        state = cast(BaseModel, domain_event).model_dump(mode="json")
        topic = get_topic(type(domain_event))
        if self.sealer is not None:
            state = self.sealer.seal(topic, domain_event.originator_id, state)
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return TimedStoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=stored,
            recorded_at=domain_event.timestamp,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        state = stored_event.state
        if self.cipher:
            try:
                state = self.cipher.decrypt(state)
            except ValueError:  # AES-GCM's tag: the bytes are not what was encrypted
                raise _broken(stored_event, BreakKind.CHANGED) from None
        if self.compressor:
            state = self.compressor.decompress(state)
        event_class = resolve_topic(stored_event.topic)
        decoded = self.transcoder.decode(state)
        if self.sealer is not None:
            decoded = self.sealer.open(stored_event.topic, stored_event.originator_id, decoded)
        event = cast(DomainEventProtocol[Any], event_class.model_validate(decoded))
        _check_placed(stored_event, event)
        return event


def _check_placed(stored: StoredEvent, event: DomainEventProtocol[Any]) -> None:
    """The row an event was read from must be the event's own: AES-GCM proves the bytes
    are as encrypted, not that they were encrypted for this aggregate and version."""
    if event.originator_id != stored.originator_id:
        raise _broken(stored, BreakKind.MOVED)
    if event.originator_version != stored.originator_version:
        raise _broken(stored, BreakKind.DUPLICATED)
    recorded = getattr(stored, "recorded_at", None)
    if recorded is not None and event.timestamp != recorded:
        raise _broken(stored, BreakKind.CHANGED)


def _broken(stored: StoredEvent, kind: BreakKind) -> HistoryBroken:
    return HistoryBroken(stored.originator_id, stored.originator_version, kind)


def store_env(postgres: dict[str, str], cipher_key: str) -> dict[str, str]:
    """The eventsourcing environment for the application and its followers."""
    return {
        # eventsourcing's PostgreSQL persistence, inserting outside pipeline mode.
        "PERSISTENCE_MODULE": "infrastructure.chain_recorder:LendingPostgresFactory",
        **postgres,
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "12",
        # A writer that stalls frees the events table's lock: seconds waiting for the
        # lock, per statement of an insert, and idle inside a transaction.
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_STATEMENT_TIMEOUT": "30",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "5",
        # Keep recently used aggregates in memory; a load then reads only the events
        # recorded since (by any process), instead of decrypting the whole history.
        "AGGREGATE_CACHE_MAXSIZE": "10000",
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
        "CIPHER_TOPIC": get_topic(AESCipher),
        "CIPHER_KEY": cipher_key,
        # eventsourcing reads `<APP NAME>_CIPHER_KEY` before `CIPHER_KEY`, from the process
        # environment too, where LENDING_CIPHER_KEY is the master key, not the data key.
        "LENDING_CIPHER_KEY": cipher_key,
    }
