"""A repayment: one payment received from a channel, possibly reversed later.

Its id is derived from (channel, external reference) by the application, so a
repeated notification of the same payment finds the same repayment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import Prepayment
from domain.model import Aggregate, AggregateSnapshot, Immutable, SnapshotState


class RepaymentStatus(StrEnum):
    RECEIVED = "received"
    REVERSED = "reversed"


class Receipt(Immutable):
    loan_id: UUID
    amount: Decimal
    value_date: date
    channel: str
    external_reference: str
    payer: str = ""
    prepayment: Prepayment | None = None


class RepaymentState(SnapshotState):
    receipt: Receipt
    status: RepaymentStatus


class Repayment(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        receipt: Receipt
        status: RepaymentStatus

    class Snapshot(AggregateSnapshot):
        state: RepaymentState

    class Received(Aggregate.Created):
        receipt: Receipt
        value_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.receipt = self.receipt
            aggregate.status = RepaymentStatus.RECEIVED

    @classmethod
    def receive(cls, *, actor: str, repayment_id: UUID, receipt: Receipt) -> Repayment:
        if receipt.amount <= 0:
            raise InvalidValue("amount", "must be more than zero")
        for name in ("channel", "external_reference"):
            if not getattr(receipt, name).strip():
                raise InvalidValue(name, "must not be empty")
        return cls._create(
            cls.Received,
            id=repayment_id,
            actor=actor,
            receipt=receipt,
            value_date=receipt.value_date,
        )

    def reverse(self, *, actor: str, reason: str) -> None:
        if self.status is RepaymentStatus.REVERSED:
            raise InvalidTransition("reverse", "the repayment is already reversed")
        if not reason.strip():
            raise InvalidValue("reason", "must not be empty")
        self._reversed(actor=actor, reason=reason.strip(), value_date=self.receipt.value_date)

    @event("Reversed")
    def _reversed(self, actor: str, reason: str, value_date: date) -> None:
        self.status = RepaymentStatus.REVERSED
