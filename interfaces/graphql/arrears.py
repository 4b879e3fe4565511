"""GraphQL `businessDate` and `arrears`: read from the `arrears` read model.

Arrears are as of the business date the read model has reached: installments due
before it are overdue, with every payment recorded so far counted (none may be valued
after the business date). Bucket and classification are those close of business (or a
cure) last recorded; DPD counts from the oldest unpaid installment to that date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from anyio import to_thread
from psycopg.rows import dict_row
from strawberry.types import Info

from application.calendar import business_date as recorded_business_date
from domain.arrears import Bucket
from domain.errors import InvalidValue
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.loaders import ARREARS_GROUP, ARREARS_SELECT
from interfaces.graphql.loans import Classification, Loan, days_past_due, loan
from interfaces.graphql.pagination import Connection, Page, connection

READERS = (
    Role.COLLECTOR, Role.RISK_OFFICER, Role.ANALYST, Role.AUDITOR, Role.ADMIN,
    Role.APPROVER, Role.LOAN_OFFICER,
)  # fmt: skip

# GraphQL names the domain's buckets: CURRENT ... DPD_OVER_180.
DelinquencyBucket = strawberry.enum(Bucket, name="DelinquencyBucket")


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
            days_past_due=days_past_due(row),
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
    """The date close of business has reached."""
    info.context.require(*READERS)
    found: date = await to_thread.run_sync(recorded_business_date, info.context.app)
    return found


async def arrears(
    info: Info[Context, None],
    as_of: date | None = None,
    bucket: DelinquencyBucket | None = None,
    first: int | None = None,
    after: str | None = None,
) -> ArrearsConnection:
    """Active loans with their arrears as of the business date, in disbursement order."""
    context = info.context
    context.require(*READERS)
    page = Page.of(first, after)
    clauses, params = ["a.active", "a.position > %s"], [page.after]
    if bucket is not None:
        clauses.append("a.bucket = %s")
        params.append(Bucket(bucket.value).value)
    query = (
        f"{ARREARS_SELECT} WHERE {' AND '.join(clauses)}{ARREARS_GROUP}"
        " ORDER BY a.position LIMIT %s"
    )
    async with context.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        if as_of is not None:
            await cursor.execute("SELECT business_date FROM arrears_calendar")
            current = await cursor.fetchone()
            if current is None or current["business_date"] != as_of:
                shown = current["business_date"] if current else "not yet opened"
                raise InvalidValue(
                    "asOf",
                    f"only the current business date ({shown}) is supported: arrears on "
                    "another date need the ledger as of that date, which is not kept",
                )
        await cursor.execute(query, [*params, page.size + 1])
        rows = await cursor.fetchall()
    found = connection([(row["position"], ArrearsRow.from_row(row)) for row in rows], page)
    return ArrearsConnection(edges=found.edges, page_info=found.page_info)
