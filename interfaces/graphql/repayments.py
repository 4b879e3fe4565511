"""GraphQL repayments: a loan's payments as the `repayments` read model holds them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from domain.repayment import RepaymentStatus as RecordedStatus
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
    payer: str
    prepayment: str | None
    status: RepaymentStatus
    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal
    credit: Decimal
    reversal_reason: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Repayment:
        return build_from_row(
            cls, row, id=strawberry.ID(str(row["id"])), status=RepaymentStatus(row["status"])
        )
