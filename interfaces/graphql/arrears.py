"""GraphQL `businessDate` and `arrears`: read from the `arrears` and `arrears_history`
read models.

On the business date (no `asOf`, or `asOf` that date) arrears come from `arrears`:
installments due before it are overdue, with every payment recorded so far counted (none
may be valued after the business date). Bucket and classification are those close of
business (or a cure) last recorded; DPD counts from the oldest unpaid installment to
that date. An earlier `asOf` reads the books as they stood at the close of that date
from `arrears_history`, with DPD, bucket and classification worked out for that date.
Both are decided in projections/dpd_queries.py. A later `asOf` is refused: the books
have not reached it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from application.calendar import business_date as recorded_business_date
from domain.errors import InvalidValue
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.delinquency import Classification, DelinquencyBucket
from interfaces.graphql.loans import Loan, loan
from interfaces.graphql.pagination import Connection, Page, connection
from interfaces.graphql.store import offload
from projections.as_of import history_business_date
from projections.dpd_queries import arrears_on, current_arrears

# The book-wide arrears list is for risk, collections and analysis (and, as with
# `portfolio` and `riskWarnings`, admins, auditors and approvers). A loan officer follows
# their own loans' arrears on `loans(filter: {officer})`: daysPastDue, classification,
# outstanding*, and `delinquencyHistory(loanId)`.
READERS = (
    Role.COLLECTOR, Role.RISK_OFFICER, Role.ANALYST, Role.AUDITOR, Role.ADMIN, Role.APPROVER,
)  # fmt: skip


@strawberry.type
class ArrearsRow:
    loan_id: strawberry.ID
    days_past_due: int
    bucket: DelinquencyBucket
    classification: Classification
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_fees: Decimal
    overdue_penalty: Decimal

    @strawberry.field
    async def loan(self, info: Info[Context, None]) -> Loan | None:
        return await loan(info, self.loan_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ArrearsRow:
        return cls(
            loan_id=strawberry.ID(str(row["loan_id"])),
            days_past_due=row["days_past_due"],
            bucket=DelinquencyBucket(row["bucket"]),
            classification=Classification(row["classification"]),
            overdue_principal=row["overdue_principal"],
            overdue_interest=row["overdue_interest"],
            overdue_fees=row["overdue_fees"],
            overdue_penalty=row["overdue_penalty"],
        )


@strawberry.type(name="ArrearsConnection")
class ArrearsConnection(Connection[ArrearsRow]):
    pass


async def business_date(info: Info[Context, None]) -> date:
    """The date close of business has reached: any signed-in caller, borrowers too, since
    it is the same for everyone and names no one."""
    info.context.require(*Role)
    found: date = await offload(recorded_business_date, info.context.app)
    return found


async def arrears(
    info: Info[Context, None],
    as_of: date | None = None,
    bucket: DelinquencyBucket | None = None,
    first: int | None = None,
    after: str | None = None,
) -> ArrearsConnection:
    """Active loans with their arrears as of the business date or an earlier `asOf`, in
    disbursement order."""
    context = info.context
    context.require(*READERS)
    page = Page.of(first, after)
    pool = context.pool
    today = await history_business_date(pool)
    if as_of is not None and today is not None and as_of > today:
        raise InvalidValue("asOf", f"must not be after the business date {today}")
    reach = await context.reach()
    if as_of is not None and as_of != today:
        rows = await arrears_on(pool, as_of, page.after, page.size + 1, bucket, reach)
    else:
        value = None if bucket is None else bucket.value
        rows = await current_arrears(pool, page.after, page.size + 1, value, reach)
    nodes = [(row["position"], ArrearsRow.from_row(row)) for row in rows]
    found_page = connection(nodes, page)
    return ArrearsConnection(edges=found_page.edges, page_info=found_page.page_info)
