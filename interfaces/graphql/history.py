"""Auditors' view: every recorded event of an aggregate, with actor and dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from application.app import LendingApplication
from domain.errors import NotFound
from domain.identity import mask
from domain.loan import Loan
from infrastructure.tokens import Role
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.scalars import parse_id
from interfaces.graphql.store import offload

ENVELOPE = {"originator_id", "originator_version", "timestamp", "actor", "originator_topic"}
SENSITIVE = {"id_number", "account"}
SEES_IDENTITY = (Role.AUDITOR, Role.ADMIN)


@strawberry.type
class LoanEvent:
    version: int
    type: str
    recorded_at: datetime
    value_date: date | None
    actor: str
    data: JSON

    @classmethod
    def from_event(cls, event: Any, reveal: bool) -> LoanEvent:
        data = {k: v for k, v in event.model_dump(mode="json").items() if k not in ENVELOPE}
        if not reveal:
            data = masked(data)
        return cls(
            version=event.originator_version,
            type=type(event).__qualname__.replace(".", ""),
            recorded_at=event.timestamp,
            value_date=getattr(event, "value_date", None),
            actor=event.actor,
            data=data,
        )


def masked(value: Any) -> Any:
    """Identity and account numbers, wherever they sit in an event, for non-auditors."""
    if isinstance(value, dict):
        return {
            k: mask(v) if k in SENSITIVE and isinstance(v, str) and v else masked(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


async def borrower_history(info: Info[Context, None], id: strawberry.ID) -> list[LoanEvent]:
    context = info.context
    context.require(*STAFF)
    events = await offload(context.app.events_of, parse_id(id))
    reveal = context.user is not None and context.user.has_any(*SEES_IDENTITY)
    return [LoanEvent.from_event(e, reveal) for e in events]


async def loan_history(info: Info[Context, None], id: strawberry.ID) -> list[LoanEvent]:
    context = info.context
    context.require(*STAFF)
    loan_id = parse_id(id)
    events = await offload(loan_and_repayment_events, context.app, loan_id)
    reveal = context.user is not None and context.user.has_any(*SEES_IDENTITY)
    return [LoanEvent.from_event(e, reveal) for e in events]


def loan_and_repayment_events(app: LendingApplication, loan_id: UUID) -> list[Any]:
    """The loan's events and those of every repayment ever made to it, in order."""
    loan_events = app.events_of(loan_id)
    if not loan_events or not isinstance(loan_events[0], Loan.ApplicationSubmitted):
        raise NotFound("loan", loan_id)
    repayments = dict.fromkeys(
        UUID(event.payment.id)
        for event in loan_events
        if isinstance(event, Loan.RepaymentAllocated)
    )
    return merged_events(app, [loan_id, *repayments])


def merged_events(app: LendingApplication, ids: Iterable[UUID]) -> list[Any]:
    """Every event of the given aggregates (the loan first), in recorded order.

    The sort is stable, so the first aggregate's event comes first on a tie: a
    loan's submission precedes anything recorded against it in the same instant.
    """
    events = [event for id_ in ids for event in app.events_of(id_)]
    return sorted(events, key=lambda event: event.timestamp)
