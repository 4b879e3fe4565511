"""Auditors' reads of the event store: every recorded event of a borrower or a loan.

A loan's history holds the loan's events and those of every repayment ever made to it,
in recorded order. Each event comes back as a plain record: who recorded it, when,
for which business date, and what it said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from domain.arrears import Bucket, Classification
from domain.errors import NotFound
from domain.loan import Loan

# What every event carries besides what it says; a record has its own fields for them.
ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "actor", "originator_topic"}
)

# The @event decorator makes these classes, which type checkers cannot see.
DELINQUENCY_CHANGED: type[Any] = Loan.DelinquencyChanged
REPAYMENT_ALLOCATED: type[Any] = Loan.RepaymentAllocated  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RecordedEvent:
    version: int
    type: str  # the aggregate's name and the event's: LoanApplicationSubmitted
    recorded_at: datetime
    value_date: date | None
    actor: str
    data: dict[str, Any]  # the event's own fields, as JSON values

    @classmethod
    def of(cls, event: Any) -> RecordedEvent:
        data = {k: v for k, v in event.model_dump(mode="json").items() if k not in ENVELOPE}
        return cls(
            version=event.originator_version,
            type=type(event).__qualname__.replace(".", ""),
            recorded_at=event.timestamp,
            value_date=getattr(event, "value_date", None),
            actor=event.actor,
            data=data,
        )


@dataclass(frozen=True)
class DelinquencyChange:
    """A change of the loan's bucket or tier, as close of business or a payment found it."""

    on: date  # the business date it was recorded for
    days_past_due: int
    bucket: Bucket
    classification: Classification
    recorded_at: datetime
    actor: str


def history_of(app: LendingApplication, aggregate_id: UUID) -> list[RecordedEvent]:
    """Every event recorded for `aggregate_id`, oldest first (none for an unknown id)."""
    return [RecordedEvent.of(event) for event in app.events_of(aggregate_id)]


def loan_history(app: LendingApplication, loan_id: UUID) -> list[RecordedEvent]:
    """The loan's events and its repayments', in recorded order. NotFound for no loan."""
    return [RecordedEvent.of(event) for event in _loan_and_repayment_events(app, loan_id)]


def delinquency_history(app: LendingApplication, loan_id: UUID) -> list[DelinquencyChange]:
    """Each change of the loan's delinquency, oldest first. NotFound for no loan."""
    return [
        DelinquencyChange(
            on=event.value_date,
            days_past_due=event.delinquency.days_past_due,
            bucket=event.delinquency.bucket,
            classification=event.delinquency.classification,
            recorded_at=event.timestamp,
            actor=event.actor,
        )
        # In the order the loan's history shows them (its repayments' events aside).
        for event in sorted(loan_events(app, loan_id), key=lambda event: event.timestamp)
        if isinstance(event, DELINQUENCY_CHANGED)
    ]


def loan_events(app: LendingApplication, loan_id: UUID) -> list[Any]:
    """The loan's own events, oldest first. NotFound for no loan."""
    events = app.events_of(loan_id)
    if not events or not isinstance(events[0], Loan.ApplicationSubmitted):
        raise NotFound("loan", loan_id)
    return events


def _loan_and_repayment_events(app: LendingApplication, loan_id: UUID) -> list[Any]:
    events = loan_events(app, loan_id)
    repayments = dict.fromkeys(
        UUID(event.payment.id) for event in events if isinstance(event, REPAYMENT_ALLOCATED)
    )
    return _merged_events(app, [loan_id, *repayments])


def _merged_events(app: LendingApplication, ids: Iterable[UUID]) -> list[Any]:
    """Every event of the given aggregates (the loan first), in recorded order.

    The sort is stable, so the first aggregate's event comes first on a tie: a
    loan's submission precedes anything recorded against it in the same instant.
    """
    events = [event for id_ in ids for event in app.events_of(id_)]
    return sorted(events, key=lambda event: event.timestamp)
