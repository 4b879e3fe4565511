"""GraphQL repayment schedules: from the `installments` table, or as recorded in events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from domain.schedule import Installment as RecordedInstallment


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
        fields = {k: v for k, v in row.items() if k in cls.__annotations__}
        return cls(**{**fields, "status": InstallmentStatus(row["status"])})

    @classmethod
    def from_recorded(cls, item: RecordedInstallment, zero: Decimal) -> Installment:
        """An installment as the disbursement recorded it, before any payment.

        `zero` is 0 at the currency's minor unit, so unpaid amounts read "0.00".
        """
        return cls(
            number=item.number,
            due_date=item.due_date,
            principal=item.principal,
            interest=item.interest,
            fee=item.fee,
            penalty=zero,
            total=item.total,
            balance_after=item.balance_after,
            paid_principal=zero,
            paid_interest=zero,
            paid_fee=zero,
            paid_penalty=zero,
            status=InstallmentStatus.PENDING,
        )


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
