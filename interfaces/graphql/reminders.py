"""GraphQL `upcomingInstallments`: what active loans owe soon, for payment reminders.

Read from the `installments` read model, with the `loans` row for the borrower: every
installment due from the business date through `withinDays` days later that is not yet
fully paid, the soonest first.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from application.calendar import business_date
from domain.errors import InvalidValue
from interfaces.graphql.collections import READERS, decode_cursor, paged
from interfaces.graphql.context import Context
from interfaces.graphql.links import LoanRow
from interfaces.graphql.pagination import Connection, Edge, Page
from interfaces.graphql.store import offload
from projections.installments import upcoming_installments as upcoming

MAX_WINDOW_DAYS = 366


@strawberry.type
class UpcomingInstallment(LoanRow):
    number: int
    due_date: date
    amount_due: Decimal = strawberry.field(
        description="Principal, interest, fees and penalty of the installment not yet paid."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> UpcomingInstallment:
        return cls(
            loan_id=strawberry.ID(str(row["loan_id"])),
            borrower_id=strawberry.ID(str(row["borrower_id"])),
            number=row["number"],
            due_date=row["due_date"],
            amount_due=row["amount_due"],
        )


@strawberry.type(name="UpcomingInstallmentConnection")
class UpcomingInstallmentConnection(Connection[UpcomingInstallment]):
    pass


async def upcoming_installments(
    info: Info[Context, None],
    within_days: int,
    first: int | None = None,
    after: str | None = None,
) -> UpcomingInstallmentConnection:
    """Unpaid installments of active loans due from the business date through
    `withinDays` days after it (0: due today), by due date."""
    context = info.context
    context.require(*READERS)
    if not 0 <= within_days <= MAX_WINDOW_DAYS:
        raise InvalidValue("withinDays", f"must be between 0 and {MAX_WINDOW_DAYS}")
    page = Page.of(first, None)
    today: date = await offload(business_date, context.app)
    start = None
    if after is not None:
        due, position, number = decode_cursor(after, "u", 3)
        start = (date.fromordinal(due), position, number)
    end = today + timedelta(days=within_days)
    rows = await upcoming(context.pool, today, end, start, page.size + 1, await context.reach())
    keyed = [((row["due_date"].toordinal(), row["position"], row["number"]), row) for row in rows]
    edges, page_info = paged(keyed, page, "u")
    return UpcomingInstallmentConnection(
        edges=[Edge(cursor=c, node=UpcomingInstallment.from_row(r)) for c, r in edges],
        page_info=page_info,
    )
