"""GraphQL repayment schedules: from the `installments` table, or as recorded in events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from application.loan_queries import RecordedInstallment
from interfaces.graphql.scalars import build_from_row


@strawberry.enum
class InstallmentStatus(Enum):
    PENDING = "pending"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"


@strawberry.type
class Installment:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal
    total: Decimal
    balance_after: Decimal
    paid_principal: Decimal
    paid_interest: Decimal
    paid_fee: Decimal
    paid_penalty: Decimal
    status: InstallmentStatus

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Installment:
        return build_from_row(cls, row, status=InstallmentStatus(row["status"]))

    @classmethod
    def from_recorded(cls, item: RecordedInstallment) -> Installment:
        """An installment as the loan's events recorded it, with what was paid on it."""
        return build_from_row(cls, vars(item), status=InstallmentStatus(item.status))


@strawberry.type
class Schedule:
    installments: list[Installment]

    @strawberry.field
    def total_principal(self) -> Decimal:
        return _sum(item.principal for item in self.installments)

    @strawberry.field
    def total_interest(self) -> Decimal:
        return _sum(item.interest for item in self.installments)

    @strawberry.field
    def total_payable(self) -> Decimal:
        return _sum(item.total for item in self.installments)


def _sum(amounts: Any) -> Decimal:
    # Decimal addition keeps the minor unit's scale, so totals read "12000.00".
    return sum(amounts, Decimal(0))
