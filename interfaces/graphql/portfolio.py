"""GraphQL `portfolio`: disbursed loans summed by the dimensions asked for.

A GROUP BY over the `arrears_history` read model as the books stood at the close of
`asOf` (default: the business date), one row per combination of the chosen dimensions,
ordered by them (classification from normal to loss); no dimensions gives one total row.
PAR30, PAR90 and the NPL ratio are shares of the group's outstanding principal, from the
buckets and tiers recorded for that date (projections/portfolio_queries.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import InvalidValue
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.delinquency import Classification
from projections.as_of import CLASSIFICATION, OFFICE, history_business_date
from projections.portfolio_queries import portfolio_on

READERS = (Role.ANALYST, Role.RISK_OFFICER, Role.ADMIN, Role.AUDITOR, Role.APPROVER)


@strawberry.enum
class PortfolioDimension(Enum):
    """What a portfolio row is grouped by; the value is the `arrears_history` column
    (classification: as the loan's history records it for the date asked for)."""

    PRODUCT = "product_code"
    REGION = "region"
    OFFICER = "officer"
    OFFICE = OFFICE
    BORROWER_KIND = "borrower_kind"
    DISBURSEMENT_MONTH = "disbursement_month"
    CLASSIFICATION = CLASSIFICATION


@strawberry.type
class PortfolioRow:
    """One group of loans. A dimension not grouped by is null."""

    product: str | None
    region: str | None
    officer: str | None
    office: strawberry.ID | None = strawberry.field(
        description="The loans' office (grouped by OFFICE); null for loans before offices."
    )
    borrower_kind: str | None
    disbursement_month: str | None = strawberry.field(description="YYYY-MM")
    classification: Classification | None
    loan_count: int
    disbursed_amount: Decimal
    outstanding_principal: Decimal
    collected_amount: Decimal = strawberry.field(
        description="Principal, interest, fees and penalty repaid, after reversals."
    )
    fees_collected: Decimal = strawberry.field(
        description="Fees paid, those deducted from the payout included, after reversals."
    )
    fees_outstanding: Decimal = strawberry.field(description="Fees charged and still owed.")
    par30: Decimal = strawberry.field(
        description="Outstanding principal more than 30 days past due ÷ all outstanding."
    )
    par90: Decimal = strawberry.field(
        description="Outstanding principal more than 90 days past due ÷ all outstanding."
    )
    npl_ratio: Decimal = strawberry.field(
        description="Outstanding principal classified substandard, doubtful or loss ÷ all."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PortfolioRow:
        return cls(
            product=row.get("product_code"),
            region=row.get("region"),
            officer=row.get("officer"),
            office=strawberry.ID(str(row[OFFICE])) if row.get(OFFICE) else None,
            borrower_kind=row.get("borrower_kind"),
            disbursement_month=row.get("disbursement_month"),
            classification=row.get(CLASSIFICATION),
            loan_count=row["loan_count"],
            disbursed_amount=row["disbursed_amount"],
            outstanding_principal=row["outstanding_principal"],
            collected_amount=row["collected_amount"],
            fees_collected=row["fees_collected"],
            fees_outstanding=row["fees_outstanding"],
            par30=row["par30"],
            par90=row["par90"],
            npl_ratio=row["npl_ratio"],
        )


async def portfolio(
    info: Info[Context, None],
    group_by: list[PortfolioDimension] | None = None,
    as_of: date | None = None,
) -> list[PortfolioRow]:
    """Loans disbursed by the close of `as_of` (default: the business date), as the
    books then stood, summed by `group_by`; a date after the business date is refused."""
    context = info.context
    context.require(*READERS)
    # Asking for a dimension twice groups by it once.
    dimensions = [d.value for d in dict.fromkeys(group_by or [])]
    pool = info.context.pool
    today = await history_business_date(pool)
    if as_of is not None and today is not None and as_of > today:
        raise InvalidValue("asOf", f"must not be after the business date {today}")
    return [
        PortfolioRow.from_row(row)
        for row in await portfolio_on(pool, as_of or today, dimensions, await context.reach())
    ]
