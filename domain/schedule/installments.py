"""The calculated schedule: installments and their totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Installment:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    balance_after: Decimal


@dataclass(frozen=True, slots=True)
class Schedule:
    installments: tuple[Installment, ...]

    @property
    def total_principal(self) -> Decimal:
        return _sum(item.principal for item in self.installments)

    @property
    def total_interest(self) -> Decimal:
        return _sum(item.interest for item in self.installments)

    @property
    def total_fees(self) -> Decimal:
        return _sum(item.fee for item in self.installments)

    @property
    def total_payable(self) -> Decimal:
        return _sum(item.total for item in self.installments)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    # Decimal addition keeps the finer exponent, so the total keeps the minor unit ("0.00").
    return sum(amounts, Decimal(0))
