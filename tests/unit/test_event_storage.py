"""Stored events round-trip exactly, and their state is encrypted."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Cipher, StoredEvent
from eventsourcing.utils import Environment, get_topic, resolve_topic

from domain.model import Aggregate
from infrastructure.eventstore import OrjsonTranscoder, PydanticMapper, store_env
from tests.support.settings import TEST_CIPHER_KEY


class Ledger(Aggregate):
    class Opened(Aggregate.Created):
        amount: Decimal
        value_date: date
        at: datetime
        counterparty: str


def store_mapper() -> PydanticMapper:
    """The mapper with the cipher the event store is configured with."""
    env = store_env({}, TEST_CIPHER_KEY)
    cipher: Cipher = resolve_topic(env["CIPHER_TOPIC"])(Environment(env=env))
    return PydanticMapper(transcoder=OrjsonTranscoder(), cipher=cipher)


def opened() -> Ledger.Opened:
    return Ledger.Opened(
        originator_id=uuid4(),
        originator_version=1,
        timestamp=datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC),
        originator_topic="tests:Ledger",
        actor="officer.zhang",
        amount=Decimal("1234567890.10"),
        value_date=date(2024, 2, 29),
        at=datetime(2026, 1, 31, 8, 0, tzinfo=UTC),
        counterparty="6222021234567890123",
    )


def test_decimal_date_datetime_and_uuid_round_trip_exactly() -> None:
    mapper = store_mapper()
    event = opened()
    stored = mapper.to_stored_event(event)
    assert b"6222021234567890123" not in stored.state
    assert b"1234567890.10" not in stored.state
    restored = mapper.to_domain_event(stored)
    assert restored == event
    assert str(restored.amount) == "1234567890.10"  # type: ignore[attr-defined]


def test_states_stored_as_nonce_tag_and_ciphertext_are_read() -> None:
    """The layout every store so far was written in: a 12-byte nonce, the 16-byte GCM
    tag, then the AES-GCM ciphertext of the JSON state."""
    event = opened()
    nonce = os.urandom(12)
    plain = orjson.dumps(event.model_dump(mode="json"))
    sealed = AESGCM(base64.b64decode(TEST_CIPHER_KEY)).encrypt(nonce, plain, None)
    state = nonce + sealed[-16:] + sealed[:-16]
    stored = StoredEvent(event.originator_id, 1, get_topic(Ledger.Opened), state)
    assert store_mapper().to_domain_event(stored) == event
