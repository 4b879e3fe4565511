"""Stored events round-trip exactly, and their state is encrypted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

from domain.model import Aggregate
from infrastructure.eventstore import OrjsonTranscoder, PydanticMapper
from tests.conftest import TEST_CIPHER_KEY


class Ledger(Aggregate):
    class Opened(Aggregate.Created):
        amount: Decimal
        value_date: date
        at: datetime
        counterparty: str


def test_decimal_date_datetime_and_uuid_round_trip_exactly() -> None:
    cipher = AESCipher(Environment(env={"CIPHER_KEY": TEST_CIPHER_KEY}))
    mapper = PydanticMapper(transcoder=OrjsonTranscoder(), cipher=cipher)
    event = Ledger.Opened(
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
    stored = mapper.to_stored_event(event)
    assert b"6222021234567890123" not in stored.state
    assert b"1234567890.10" not in stored.state
    restored = mapper.to_domain_event(stored)
    assert restored == event
    assert str(restored.amount) == "1234567890.10"  # type: ignore[attr-defined]
