"""GraphQL repayments: a loan's payments as the `repayments` read model holds them.

The read model holds the payer's name masked; readers of contact details
(interfaces/graphql/privacy.py) get it in full from the event store.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.repayment import RepaymentStatus as RecordedStatus
from interfaces.graphql.context import Context
from interfaces.graphql.loaders import payers_by_repayment
from interfaces.graphql.privacy import sees_contact
from interfaces.graphql.scalars import build_from_row

# GraphQL shows the domain's statuses by name: RECEIVED, REVERSED.
RepaymentStatus = strawberry.enum(RecordedStatus, name="RepaymentStatus")


@strawberry.type
class Repayment:
    """One payment received for the loan and how it is currently allocated."""

    id: strawberry.ID
    amount: Decimal
    value_date: date
    channel: str
    external_reference: str
    prepayment: str | None
    status: RepaymentStatus
    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal
    credit: Decimal
    reversal_reason: str | None
    masked_payer: strawberry.Private[str]

    @strawberry.field
    async def payer(self, info: Info[Context, None]) -> str:
        """Who paid, as the channel named them: in full for loan officers, collectors and
        the borrower itself, else masked."""
        if not sees_contact(info.context.user, None):
            return self.masked_payer
        found = await payers_by_repayment(info.context).load(UUID(self.id))
        return self.masked_payer if found is None else found

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Repayment:
        return build_from_row(
            cls, row, id=strawberry.ID(str(row["id"])), status=RepaymentStatus(row["status"])
        )
