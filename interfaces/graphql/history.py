"""Auditors' view: every recorded event of an aggregate, with actor and dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from application.history import RecordedEvent, history_of
from application.history import loan_history as recorded_loan_history
from domain.erasure import ERASED
from domain.identity import mask
from domain.masking import mask_address, mask_name, mask_phone
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.disclosures import RECORDED, disclosed
from interfaces.graphql.loaders import borrower_reached, loan_reached
from interfaces.graphql.privacy import sees_contact, sees_identity
from interfaces.graphql.scalars import parse_id
from interfaces.graphql.store import offload

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
    def from_recorded(
        cls, event: RecordedEvent, masks: dict[str, Callable[[str], str]]
    ) -> LoanEvent:
        data = {k: v for k, v in event.data.items() if k not in DIGESTS}
        return cls(
            version=event.version,
            type=event.type,
            recorded_at=event.recorded_at,
            value_date=event.value_date,
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
    if isinstance(value, str):  # an erased value reads as such, to everyone
        return masks[key](value) if key in masks and value and value != ERASED else value
    if key == "profile" and CONTACT.keys() <= masks.keys():
        return masked(value, masks | PROFILE_CONTACT)
    return masked(value, masks)


def shown_in_full(value: Any, masks: dict[str, Callable[[str], str]]) -> set[str]:
    """The recorded kinds of personal data (disclosures.RECORDED) that `value` holds
    somewhere, non-empty and not masked by `masks`."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in RECORDED and key not in masks and isinstance(item, str) and _held(item):
                found.add(key)
            else:
                found |= shown_in_full(item, masks)
    elif isinstance(value, list):
        for item in value:
            found |= shown_in_full(item, masks)
    return found


def _held(value: str) -> bool:
    return bool(value) and value != ERASED


async def borrower_history(info: Info[Context, None], id: strawberry.ID) -> list[LoanEvent]:
    context = info.context
    context.require(*STAFF)
    borrower_id = parse_id(id)
    if not await borrower_reached(context, borrower_id):
        return []
    events = await offload(history_of, context.app, borrower_id)
    masks = masks_for(context, str(id))
    shown = shown_in_full([e.data for e in events], masks)
    await disclosed(context, shown, ("borrower", borrower_id))
    return [LoanEvent.from_recorded(e, masks) for e in events]


async def loan_history(info: Info[Context, None], id: strawberry.ID) -> list[LoanEvent]:
    context = info.context
    context.require(*STAFF)
    loan_id = parse_id(id)
    if not await loan_reached(context, loan_id):
        return []
    events = await offload(recorded_loan_history, context.app, loan_id)
    masks = masks_for(context, None)
    shown = shown_in_full([e.data for e in events], masks)
    if shown:
        # Whose data: the loan's borrower's, seen in the loan's history.
        borrower = events[0].data.get("application", {}).get("borrower_id")
        whose = [("loan", loan_id), *([("borrower", UUID(borrower))] if borrower else [])]
        await disclosed(context, shown, *whose)
    return [LoanEvent.from_recorded(e, masks) for e in events]
