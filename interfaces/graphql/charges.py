"""GraphQL `Loan.charges`, `Loan.waivers` and the loan's fee figures (APR, payout),
from the `loan_books` read model (projections/loan_book_charges.py says how a charge's
paid and waived shares come from its installment's recorded figures)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry

from domain.loan.charge_shares import ChargeShare
from interfaces.graphql.context import Context
from interfaces.graphql.loaders import charges_by_loan, fees_by_loan, waivers_by_loan
from interfaces.graphql.scalars import build_from_row

Row = dict[str, Any]


@strawberry.type
class LoanCharge:
    """One fee the loan was charged: at disbursement (installment null: deducted from the
    payout), on each installment, or added on a specified due date."""

    code: str
    name: str | None
    kind: str = strawberry.field(description="disbursement, installment or specified_due_date")
    installment: int | None
    due_date: date
    amount: Decimal = strawberry.field(description="As charged.")
    charged: Decimal = strawberry.field(
        description="What of it its installment still charges (less after an early payoff)."
    )
    paid: Decimal = strawberry.field(
        description="Its share of its installment's paid fee, charges in the order charged."
    )
    waived: Decimal
    outstanding: Decimal

    @classmethod
    def from_row(cls, row: Row) -> LoanCharge:
        return build_from_row(cls, row)

    @classmethod
    def from_recorded(cls, share: ChargeShare) -> LoanCharge:
        """A charge as the loan's events recorded it by some moment."""
        return build_from_row(cls, vars(share))


@strawberry.type
class LoanWaiver:
    id: str
    component: str
    amount: Decimal = strawberry.field(description="What was asked to be forgiven.")
    forgiven: Decimal = strawberry.field(description="What the ledger last recorded it forgave.")
    installment: int | None
    value_date: date
    reason: str
    actor: str

    @classmethod
    def from_row(cls, row: Row) -> LoanWaiver:
        return build_from_row(cls, row)

    @classmethod
    def from_recorded(cls, waiver: Any) -> LoanWaiver:
        """A waiver as the loan's events recorded it by some moment."""
        return build_from_row(cls, vars(waiver))


async def loan_figure(context: Context, loan_id: UUID, column: str) -> Decimal | None:
    row = await fees_by_loan(context).load(loan_id)
    return row[column] if row else None


async def charges_of(context: Context, loan_id: UUID) -> list[LoanCharge]:
    rows = await charges_by_loan(context).load(loan_id)
    return [LoanCharge.from_row(row) for row in rows]


async def waivers_of(context: Context, loan_id: UUID) -> list[LoanWaiver]:
    rows = await waivers_by_loan(context).load(loan_id)
    return [LoanWaiver.from_row(row) for row in rows]
