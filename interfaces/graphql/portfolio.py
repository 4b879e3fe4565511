"""GraphQL `portfolio`: disbursed loans summed by the dimensions asked for.

A GROUP BY over the `portfolio_loans` table, one row per combination of the
chosen dimensions, ordered by them; no dimensions gives one total row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from psycopg import sql
from psycopg.rows import dict_row
from strawberry.types import Info

from infrastructure.tokens import Role
from interfaces.graphql.context import Context

READERS = (Role.ANALYST, Role.RISK_OFFICER, Role.ADMIN, Role.AUDITOR, Role.APPROVER)


@strawberry.enum
class PortfolioDimension(Enum):
    """What a portfolio row is grouped by; the value is the `portfolio_loans` column."""

    PRODUCT = "product_code"
    REGION = "region"
    OFFICER = "officer"
    BORROWER_KIND = "borrower_kind"
    DISBURSEMENT_MONTH = "disbursement_month"


@strawberry.type
class PortfolioRow:
    """One group of loans. A dimension not grouped by is null."""

    product: str | None
    region: str | None
    officer: str | None
    borrower_kind: str | None
    disbursement_month: str | None = strawberry.field(description="YYYY-MM")
    loan_count: int
    disbursed_amount: Decimal
    outstanding_principal: Decimal
    collected_amount: Decimal = strawberry.field(
        description="Principal, interest, fees and penalty repaid, after reversals."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PortfolioRow:
        return cls(
            product=row.get("product_code"),
            region=row.get("region"),
            officer=row.get("officer"),
            borrower_kind=row.get("borrower_kind"),
            disbursement_month=row.get("disbursement_month"),
            loan_count=row["loan_count"],
            disbursed_amount=row["disbursed_amount"],
            outstanding_principal=row["outstanding_principal"],
            collected_amount=row["collected_amount"],
        )


TOTALS = sql.SQL(
    "count(*) AS loan_count, "
    "coalesce(sum(disbursed_amount), 0) AS disbursed_amount, "
    "coalesce(sum(outstanding_principal), 0) AS outstanding_principal, "
    "coalesce(sum(collected_amount), 0) AS collected_amount"
)


async def portfolio(
    info: Info[Context, None],
    group_by: list[PortfolioDimension] | None = None,
    as_of: date | None = None,
) -> list[PortfolioRow]:
    """Loans disbursed on or before `as_of` (default: all), summed by `group_by`.

    Balances are the current ones, whatever `as_of`: balances as of a past date
    arrive with the business date (close of business).
    """
    info.context.require(*READERS)
    # Asking for a dimension twice groups by it once.
    columns = [sql.Identifier(d.value) for d in dict.fromkeys(group_by or [])]
    keys = sql.SQL(", ").join(columns)
    query = sql.SQL("SELECT {} FROM portfolio_loans").format(sql.SQL(", ").join([*columns, TOTALS]))
    params: list[Any] = []
    if as_of is not None:
        query += sql.SQL(" WHERE disbursed_on <= %s")
        params.append(as_of)
    if columns:
        query += sql.SQL(" GROUP BY {keys} ORDER BY {keys}").format(keys=keys)
    async with (
        info.context.pool.connection() as conn,
        conn.cursor(row_factory=dict_row) as cursor,
    ):
        await cursor.execute(query, params)
        return [PortfolioRow.from_row(row) for row in await cursor.fetchall()]
