"""GraphQL `delinquencyHistory(loanId)`: each change of a loan's bucket, with its date.

Read straight from the loan's `DelinquencyChanged` events, which close of business and
payments record on the business date a loan's DPD crosses into another bucket or tier.
The delinquency fields every other type shows (bucket, classification, DPD) live here too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.arrears import Bucket, dpd_since
from domain.arrears import Classification as Tier
from domain.loan import Loan
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.history import loan_and_repayment_events
from interfaces.graphql.scalars import parse_id
from interfaces.graphql.store import offload

# GraphQL names the domain's buckets and tiers: CURRENT ... DPD_OVER_180, NORMAL ... LOSS.
DelinquencyBucket = strawberry.enum(Bucket, name="DelinquencyBucket")
Classification = strawberry.enum(Tier, name="Classification")


def days_past_due(row: dict[str, Any]) -> int:
    """DPD on the arrears read model's business date, for a loan close of business found
    late; 0 while it has recorded none (as recorded, once the loan is not active)."""
    if not row["active"] or row["bucket"] == "current":
        return int(row["days_past_due"])
    return dpd_since(row["oldest_unpaid_due_date"], row["business_date"])


@strawberry.type
class DelinquencyChange:
    on: date = strawberry.field(description="The business date the change was recorded for.")
    days_past_due: int
    bucket: DelinquencyBucket
    classification: Classification
    recorded_at: datetime
    actor: str

    @classmethod
    def from_event(cls, event: Any) -> DelinquencyChange:
        found = event.delinquency
        return cls(
            on=event.value_date,
            days_past_due=found.days_past_due,
            bucket=found.bucket,
            classification=found.classification,
            recorded_at=event.timestamp,
            actor=event.actor,
        )


async def delinquency_history(
    info: Info[Context, None], loan_id: strawberry.ID
) -> list[DelinquencyChange]:
    """Oldest first; an empty list for a loan that has never been past due."""
    context = info.context
    context.require(*STAFF)
    events = await offload(loan_and_repayment_events, context.app, parse_id(loan_id))
    return [
        DelinquencyChange.from_event(event)
        for event in events
        if isinstance(event, Loan.DelinquencyChanged)
    ]
