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
from interfaces.graphql.collections import READERS, decode_cursor, paged, select
from interfaces.graphql.context import Context
from interfaces.graphql.links import LoanRow
from interfaces.graphql.pagination import Connection, Edge, Page
from interfaces.graphql.store import offload

MAX_WINDOW_DAYS = 366
AMOUNT_DUE = """(i.principal + i.interest + i.fee + i.penalty)
    - (i.paid_principal + i.paid_interest + i.paid_fee + i.paid_penalty)"""


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
    clauses = ["l.status = 'active'", "i.due_date BETWEEN %s AND %s", f"{AMOUNT_DUE} > 0"]
    params: list[Any] = [today, today + timedelta(days=within_days)]
    if after is not None:
        due, position, number = decode_cursor(after, "u", 3)
        clauses.append("(i.due_date, l.position, i.number) > (%s, %s, %s)")
        params += [date.fromordinal(due), position, number]
    query = (
        f"SELECT i.loan_id, i.number, i.due_date, l.borrower_id, l.position,"
        f" {AMOUNT_DUE} AS amount_due"
        f" FROM installments i JOIN loans l ON l.id = i.loan_id"
        f" WHERE {' AND '.join(clauses)}"
        " ORDER BY i.due_date, l.position, i.number LIMIT %s"
    )
    rows = await select(context, query, [*params, page.size + 1])
    keyed = [((row["due_date"].toordinal(), row["position"], row["number"]), row) for row in rows]
    edges, page_info = paged(keyed, page, "u")
    return UpcomingInstallmentConnection(
        edges=[Edge(cursor=c, node=UpcomingInstallment.from_row(r)) for c, r in edges],
        page_info=page_info,
    )
