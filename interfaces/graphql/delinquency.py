"""GraphQL `delinquencyHistory(loanId)`: each change of a loan's bucket, with its date.

From the loan's `DelinquencyChanged` events (application/history.py), which close of
business and payments record on the business date a loan's DPD crosses into another
bucket or tier.
The bucket and classification enums every other type shows live here too.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from application.history import DelinquencyChange as RecordedChange
from application.history import delinquency_history as recorded_changes
from domain.arrears import Bucket
from domain.arrears import Classification as Tier
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.loaders import loan_reached
from interfaces.graphql.scalars import parse_id
from interfaces.graphql.store import offload

# GraphQL names the domain's buckets and tiers: CURRENT ... DPD_OVER_180, NORMAL ... LOSS.
DelinquencyBucket = strawberry.enum(Bucket, name="DelinquencyBucket")
Classification = strawberry.enum(Tier, name="Classification")


@strawberry.type
class DelinquencyChange:
    on: date = strawberry.field(description="The business date the change was recorded for.")
    days_past_due: int
    bucket: DelinquencyBucket
    classification: Classification
    recorded_at: datetime
    actor: str

    @classmethod
    def from_recorded(cls, change: RecordedChange) -> DelinquencyChange:
        return cls(
            on=change.on,
            days_past_due=change.days_past_due,
            bucket=change.bucket,
            classification=change.classification,
            recorded_at=change.recorded_at,
            actor=change.actor,
        )


async def delinquency_history(
    info: Info[Context, None], loan_id: strawberry.ID
) -> list[DelinquencyChange]:
    """Oldest first; an empty list for a loan that has never been past due."""
    context = info.context
    context.require(*STAFF)
    if not await loan_reached(context, parse_id(loan_id)):
        return []
    changes = await offload(recorded_changes, context.app, parse_id(loan_id))
    return [DelinquencyChange.from_recorded(change) for change in changes]
