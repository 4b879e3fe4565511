"""Auditors' view: every recorded event of an aggregate, with actor and dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from domain.masking import mask_address, mask_name, mask_phone
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.privacy import sees_contact, sees_identity
from interfaces.graphql.scalars import parse_id
from interfaces.graphql.store import offload

ENVELOPE = {"originator_id", "originator_version", "timestamp", "actor", "originator_topic"}
# Not for readers: what the read models look phones up by.
DIGESTS = {"phone_digest"}
IDENTITY: dict[str, Callable[[str], str]] = {"id_number": mask, "account": mask}
CONTACT: dict[str, Callable[[str], str]] = {
    "phone": mask_phone,
    "address": mask_address,
    "payer": mask_name,
}
# `name` is a person's only in a borrower's profile (products and checks have names too).
PROFILE_CONTACT = CONTACT | {"name": mask_name}


@strawberry.type
class LoanEvent:
    version: int
    type: str
    recorded_at: datetime
    value_date: date | None
    actor: str
    data: JSON

    @classmethod
    def from_event(cls, event: Any, masks: dict[str, Callable[[str], str]]) -> LoanEvent:
        hidden = ENVELOPE | DIGESTS
        data = {k: v for k, v in event.model_dump(mode="json").items() if k not in hidden}
        return cls(
            version=event.originator_version,
            type=type(event).__qualname__.replace(".", ""),
            recorded_at=event.timestamp,
            value_date=getattr(event, "value_date", None),
            actor=event.actor,
            data=masked(data, masks),
        )


def masks_for(context: Context, borrower_id: str | None) -> dict[str, Callable[[str], str]]:
    """The masks for what this reader may not see in full (interfaces/graphql/privacy.py)
    in the history of borrower `borrower_id` (None: of a loan)."""
    masks = {} if sees_identity(context.user) else dict(IDENTITY)
    if not sees_contact(context.user, borrower_id):
        masks |= CONTACT
    return masks


def masked(value: Any, masks: dict[str, Callable[[str], str]]) -> Any:
    """`value` with each non-empty string under a key of `masks` masked, wherever it sits."""
    if isinstance(value, dict):
        return {k: _masked_entry(k, v, masks) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, masks) for v in value]
    return value


def _masked_entry(key: str, value: Any, masks: dict[str, Callable[[str], str]]) -> Any:
    if isinstance(value, str):
        return masks[key](value) if key in masks and value else value
    if key == "profile" and CONTACT.keys() <= masks.keys():
        return masked(value, masks | PROFILE_CONTACT)
    return masked(value, masks)


async def borrower_history(info: Info[Context, None], id: strawberry.ID) -> list[LoanEvent]:
    context = info.context
    context.require(*STAFF)
    events = await offload(context.app.events_of, parse_id(id))
    masks = masks_for(context, str(id))
    return [LoanEvent.from_event(e, masks) for e in events]


async def loan_history(info: Info[Context, None], id: strawberry.ID) -> list[LoanEvent]:
    context = info.context
    context.require(*STAFF)
    loan_id = parse_id(id)
    events = await offload(loan_and_repayment_events, context.app, loan_id)
    masks = masks_for(context, None)
    return [LoanEvent.from_event(e, masks) for e in events]


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
